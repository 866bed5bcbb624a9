// The agent's executor of dead-member.ts: asks its mariadbd to evict a member whose whole node
// is dead (agent and mariadbd), so the view shrinks in seconds instead of after Galera's
// suspect timeouts, and clears the evict list once Galera has dropped that member.
import { evictionVerdict, mayClearEvictions } from "../decide/dead-member.js";
import type { Logger } from "../logger.js";
import type { NodeStatusReport as PeerReport } from "../model/node-status.js";
import type { PeerStatusPoller } from "../peer-api/peer-status-poller.js";
import type { WsrepSample } from "../probe/wsrep-sample.js";
import { tcpRefused } from "../system/tcp-refused.js";

/** Phases of a member that leaves the cluster cleanly: Galera needs no eviction for it. */
const leavingPhases: ReadonlySet<string> = new Set(["draining", "stopping", "stopped"]);

/** Does a member's answer say its mariadbd runs? (Its agent knows: it started it.) */
export const serverRuns = (report: PeerReport): boolean =>
  report.pid !== null && report.phase !== "server-down";

export interface MemberEvictionDeps {
  enabled: boolean;
  selfAddress: string;
  sampleIntervalMs: number;
  peers: PeerStatusPoller;
  latest: () => WsrepSample;
  /** `SET GLOBAL wsrep_provider_options` on this node's mariadbd. */
  setProviderOption: (option: string) => Promise<void>;
  log: Logger;
}

export class MemberEviction {
  readonly #deps: MemberEvictionDeps;
  /** An eviction round is under way (one at a time). */
  #evicting = false;
  /** Member UUIDs this agent had its mariadbd evict. */
  readonly #evicted = new Set<string>();
  /** The last member UUID each member of the view reported (its answers lack it while its mariadbd is down). */
  readonly #memberUuids = new Map<string, string>();
  /** When each member's Galera port last refused our connection. */
  readonly #galeraRefusedAt = new Map<string, number>();
  /** The view id of this node when it last evicted a member, until the evictions are cleared. */
  #evictedAtViewId: number | null = null;

  constructor(deps: MemberEvictionDeps) {
    this.#deps = deps;
  }

  /** Clears the evict list once Galera has dropped the evicted members (dead-member.ts). */
  async clearOnceDropped(viewId: number | null): Promise<void> {
    if (!mayClearEvictions(this.#evictedAtViewId, viewId)) return;
    const evicted = [...this.#evicted].join(", ");
    this.#evictedAtViewId = null;
    this.#evicted.clear();
    try {
      await this.#deps.setProviderOption("evs.evict=");
      this.#deps.log.info(
        `Galera dropped the evicted member ${evicted}: its evict list is cleared, so that a restart of it (same member UUID, from gvwstate.dat) is let back in`,
      );
    } catch (error) {
      this.#deps.log.warn(
        `clearing the evict list failed (${(error as Error).message}): a restart of ${evicted} may be refused until this mariadbd restarts`,
      );
    }
  }

  /** Starts an eviction round unless one runs, while this node is in a primary component. */
  soon(): void {
    const sample = this.#deps.latest();
    if (!this.#deps.enabled) return;
    if (this.#evicting || sample.error !== null || sample.clusterStatus !== "Primary") return;
    this.#evicting = true;
    void this.#evictDead(sample.incomingAddresses).finally(() => (this.#evicting = false));
  }

  /**
   * The view's size, and how many of its members answer: this node and the peers whose agent
   * answered within three sampling intervals, with its mariadbd running, and has not refused a
   * connection since.
   */
  #answeringView(view: readonly string[]): { size: number; answering: number } {
    const { peers, selfAddress, sampleIntervalMs } = this.#deps;
    const lately = Date.now() - 3 * sampleIntervalMs;
    const answering = view.filter((address) => {
      if (address === selfAddress) return true;
      const last = peers.get(address);
      const heardAt = last?.receivedAt ?? -Infinity;
      return (
        heardAt >= lately &&
        !peers.refusedSinceLastAnswer(address) &&
        last !== undefined &&
        serverRuns(last.report)
      );
    }).length;
    return { size: view.length, answering };
  }

  /**
   * Evicts the members of the view whose whole node is dead (dead-member.ts): the ones whose
   * agent refuses connections are probed on their Galera port first.
   */
  async #evictDead(view: readonly string[]): Promise<void> {
    const { peers, selfAddress, log } = this.#deps;
    for (const address of view) {
      if (address === selfAddress) continue;
      const last = peers.get(address);
      if (last?.report.memberUuid) this.#memberUuids.set(address, last.report.memberUuid);
      const agentRefusedAt = peers.refusedAt(address);
      const galeraAddress = last?.report.galeraAddress ?? null;
      const serverRunning = last ? serverRuns(last.report) : true;
      const agentGone = peers.refusedSinceLastAnswer(address);
      if (galeraAddress && (agentGone || !serverRunning)) {
        if (await tcpRefused(galeraAddress, 300)) this.#galeraRefusedAt.set(address, Date.now());
      }
      const verdict = evictionVerdict(
        {
          address,
          inView: this.#deps.latest().incomingAddresses.includes(address),
          last: last && {
            memberUuid: this.#memberUuids.get(address) ?? null,
            galeraAddress,
            receivedAt: last.receivedAt,
            serverRunning,
            leaving: leavingPhases.has(last.report.phase),
          },
          agentRefusedAt,
          galeraRefusedAt: this.#galeraRefusedAt.get(address),
        },
        this.#evicted,
        this.#answeringView(view),
      );
      if (!verdict.evict) continue;
      this.#evicted.add(verdict.memberUuid);
      this.#evictedAtViewId = this.#deps.latest().clusterConfId;
      log.warn(verdict.reason);
      try {
        await this.#deps.setProviderOption(`evs.evict=${verdict.memberUuid}`);
      } catch (error) {
        log.warn(
          `evicting ${verdict.memberUuid} failed (${(error as Error).message}); Galera's timeouts will drop it`,
        );
      }
    }
  }
}
