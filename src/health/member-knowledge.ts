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
}

/**
 * Turns what this node heard from a member into a lower bound on the member's
 * eligible-since time (see writer-election.ts). Pure.
 * A member not heard from for `abandonAfterMs` is abandoned: it no longer holds the election
 * back. Galera evicts a dead member within seconds, so this only matters for a member whose
 * database runs but whose agent does not answer us.
 */
export function memberKnowledge(
  member: MemberObservation,
  now: number,
  abandonAfterMs: number,
): MemberKnowledge {
  const { address, last } = member;
  const heardAt = last?.receivedAt ?? member.firstSeen;
  if (now - heardAt > abandonAfterMs) return { address, kind: "abandoned" };
  if (!last) return { address, kind: "unknown" };
  // Not eligible when it answered: it can only become eligible after that moment.
  const bound = last.report.writerEligibleSince ?? last.report.answeredAt;
  const at = bound ? Date.parse(bound) : NaN;
  // An answer without the times (another version of the agent): it could be anything.
  return Number.isFinite(at)
    ? { address, kind: "bound", eligibleNotBefore: at }
    : { address, kind: "unknown" };
}
