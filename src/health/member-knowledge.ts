import type { MemberKnowledge } from "./writer-election.js";

/** The parts of a member's /status answer the writer election reads. */
export interface ReportedEligibility {
  /** When the member last became writer-eligible (ISO time), null while it is not. */
  writerEligibleSince?: string | null;
  /** When the answer was computed (ISO time). */
  answeredAt?: string;
}

export interface MemberObservation {
  address: string;
  /** Its last /status answer and when it arrived, if any arrived since it entered our view. */
  last: { report: ReportedEligibility; receivedAt: number } | undefined;
  /** When we first saw it in our view. */
  firstSeen: number;
  /**
   * When its agent last refused our connection (nothing listened on its health port), if that
   * came after its last answer.
   */
  refusedAt?: number | undefined;
}

/**
 * Turns what this node heard from a member into a lower bound on the member's
 * eligible-since time (see writer-election.ts). Pure.
 * A member not heard from for `abandonAfterMs` is abandoned: it no longer holds the election
 * back. Galera evicts a dead member within seconds, so this only matters for a member whose
 * database runs but whose agent does not answer us.
 *
 * A member whose agent refused our connection since its last answer was not running then: it
 * can be eligible only since a later time. (An agent that cannot listen on its health port
 * leaves the cluster and exits; a refusal from anything but the member's own host, a
 * misrouted address say, would make this bound wrong, as would a wrong address for its
 * answers.)
 *
 * Silence counts only while this node was listening: `listeningSince` is when it last began
 * to (its start, or the end of a stall: a paused agent hears nothing, and must not take that
 * for its peers' silence). A member is abandoned only after `abandonAfterMs` of listening.
 */
export function memberKnowledge(
  member: MemberObservation,
  now: number,
  abandonAfterMs: number,
  listeningSince = Number.NEGATIVE_INFINITY,
): MemberKnowledge {
  const { address, last, refusedAt } = member;
  const heardAt = Math.max(
    last?.receivedAt ?? member.firstSeen,
    refusedAt ?? Number.NEGATIVE_INFINITY,
    listeningSince,
  );
  if (now - heardAt > abandonAfterMs) return { address, kind: "abandoned" };
  // Its agent was not running then: if it is eligible now, it became so after (an agent's
  // eligible-since time starts with the agent). Our own clock read the time, not its.
  if (refusedAt !== undefined && refusedAt > (last?.receivedAt ?? Number.NEGATIVE_INFINITY)) {
    return { address, kind: "bound", eligibleNotBefore: refusedAt };
  }
  if (!last) return { address, kind: "unknown" };
  // Not eligible when it answered: it can only become eligible after that moment.
  const bound = last.report.writerEligibleSince ?? last.report.answeredAt;
  const at = bound ? Date.parse(bound) : NaN;
  // An answer without the times (another version of the agent): it could be anything.
  return Number.isFinite(at)
    ? { address, kind: "bound", eligibleNotBefore: at }
    : { address, kind: "unknown" };
}

/**
 * How long a member's agent may stay silent before it stops holding the election back.
 *
 * Long enough for HAProxy to have taken a silent writer out first, so that the next writer is
 * never UP beside it: with the rendered writer checks (inter 250 ms, fastinter 250 ms, fall 2,
 * `timeout check 1s`), an agent that stops answering is DOWN within 0.25 + 1 + 0.25 + 1 = 2.5 s
 * (and the next writer still waits its handover after that).
 * Short enough that a writer whose agent is paused (its mariadbd still serving) hands over in
 * about the time of a crash failover, not ten. And never under eight sampling intervals: a
 * member is polled once an interval, and a few polls may be lost to a busy peer.
 */
export function abandonAfterMs(sampleIntervalMs: number): number {
  return Math.max(4000, 8 * sampleIntervalMs);
}

/**
 * Whether this agent stalled between two computations of its answers (they run every 100 ms
 * while it runs): paused (SIGSTOP, a frozen VM) or starved for longer than its health listener
 * may serve answers it posted (the silence bound of answersDeadline in health-routes.ts: three
 * sampling intervals, at least 1 s), so HAProxy saw it fail. After one it knows nothing new of
 * its peers and must not take its own deafness for their silence, nor its eligibility as
 * continuous: it starts listening again, and its eligible-since time anew.
 */
export function stalled(lastComputedAt: number | null, now: number, sampleIntervalMs: number): boolean {
  return lastComputedAt !== null && now - lastComputedAt > Math.max(1000, 3 * sampleIntervalMs);
}
