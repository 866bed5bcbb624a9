/**
 * Evicting a dead member at once, on what the agents know (Galera's `evs.evict`).
 *
 * Galera drops a member that went silent only after its suspect timeout: the floor of every
 * failover, and with short timeouts the cause of false suspicions under load. But when a
 * member's mariadbd is dead, its peers' agents can prove it, and need not wait: its agent
 * says so (its answer has no running mariadbd) or is dead too (its health port refuses the
 * connection), and then its Galera port refuses a connection as well. A peer that finds this
 * names the member's UUID to its own Galera (`evs.evict`), which drops it at the next
 * agreement instead of after the timeout.
 *
 * Evicting a live member would cut it out of the cluster until it restarts, so the proof is
 * strict: the Galera port's refusal must come after the agent's word or refusal, and the UUID
 * is the last one the member reported. A member that does not answer without refusing (a host
 * or a container's address gone, a cable cut, a paused process) is left to Galera's timeouts.
 *
 * And it happens only when a strict majority of the view answers (this node and the members
 * whose agents answered lately). Galera counts an evicted member as gone, as if it had left
 * cleanly: a minority that evicted the rest would stay primary. A refusal can come from a
 * firewall (an iptables REJECT during a partition) as well as from a dead node; with the
 * majority rule, only the side that holds a majority evicts, which Galera would have left
 * primary anyway, and the other side cannot.
 *
 * An eviction lasts only until Galera has dropped the member (mayClearEvictions): a mariadbd
 * restarted after a crash takes its member UUID back from gvwstate.dat (pc.recovery), and an
 * evict list still naming it would refuse it for good — and with it the recovery of a primary
 * component that needs every member back.
 */
export interface MemberFacts {
  /** Its SQL address, as in our view's wsrep_incoming_addresses. */
  address: string;
  /** Still in our current view: Galera has not dropped it yet. */
  inView: boolean;
  /**
   * Its last /status answer, when it arrived, and whether it had a running mariadbd; with the
   * last member UUID and Galera address it reported.
   */
  last:
    | {
        memberUuid: string | null;
        galeraAddress: string | null;
        receivedAt: number;
        serverRunning: boolean;
        /** It was leaving the cluster cleanly (draining, stopping): Galera drops it by its own leave message. */
        leaving: boolean;
      }
    | undefined;
  /** When its agent last refused our connection. */
  agentRefusedAt: number | undefined;
  /** When its Galera port last refused our connection. */
  galeraRefusedAt: number | undefined;
}

export type EvictionVerdict =
  { evict: true; memberUuid: string; reason: string } | { evict: false; reason: string };

/** How many members the view has, and how many of them answer: this node and the peers heard from lately. */
export interface ViewFacts {
  size: number;
  answering: number;
}

/** Whether to evict this member now. Pure. */
export function evictionVerdict(
  member: MemberFacts,
  alreadyEvicted: ReadonlySet<string>,
  view: ViewFacts,
): EvictionVerdict {
  const { address, last, agentRefusedAt, galeraRefusedAt } = member;
  if (!member.inView) return { evict: false, reason: `${address} is no longer in the view` };
  if (2 * view.answering <= view.size) {
    return {
      evict: false,
      reason: `not evicting ${address}: only ${view.answering} of the view's ${view.size} members answer, not a majority (a minority that evicts the rest would stay primary)`,
    };
  }
  if (!last?.memberUuid || !last.galeraAddress) {
    return { evict: false, reason: `${address} never told its member UUID and Galera address` };
  }
  if (last.leaving) {
    return { evict: false, reason: `${address} was leaving cleanly: Galera drops it by its leave message` };
  }
  // Since when its mariadbd is known to be gone: by its agent's refusal, or by its agent's word.
  const agentGone = agentRefusedAt !== undefined && agentRefusedAt > last.receivedAt;
  const goneSince = agentGone ? agentRefusedAt : last.serverRunning ? undefined : last.receivedAt;
  if (goneSince === undefined) {
    return {
      evict: false,
      reason: `${address}'s agent answers that its mariadbd runs, and has not refused a connection since`,
    };
  }
  if (galeraRefusedAt === undefined || galeraRefusedAt < goneSince) {
    return {
      evict: false,
      reason: `${address}'s Galera port ${last.galeraAddress} has not refused a connection since`,
    };
  }
  const proof = agentGone
    ? "its agent and its Galera port"
    : "its agent says its mariadbd is not running, and its Galera port";
  if (alreadyEvicted.has(last.memberUuid)) {
    return { evict: false, reason: `${address} (${last.memberUuid}) was evicted already` };
  }
  return {
    evict: true,
    memberUuid: last.memberUuid,
    reason: `${address} is dead: ${proof} ${last.galeraAddress} refuse${agentGone ? "" : "s"} connections; evicting member ${last.memberUuid} instead of waiting for Galera's suspect timeout`,
  };
}

/**
 * May the evict list be cleared? Once our node has installed a new view since the eviction
 * (its view id changed; outside a primary component it reads as another value): an evicted
 * member is in no new view, so Galera has dropped it, and a restart of it may come back. Pure.
 */
export function mayClearEvictions(evictedAtViewId: number | null, viewId: number | null): boolean {
  return evictedAtViewId !== null && viewId !== null && viewId !== evictedAtViewId;
}
