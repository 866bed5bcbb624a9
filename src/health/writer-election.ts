/**
 * What this node knows about one other member of its view, reduced to the one fact that
 * matters for the election: the earliest time the member can be writer-eligible since.
 * A member's "eligible since" only ever moves forward (it is reset when the member stops
 * being eligible and set again, later, when it becomes eligible), so any report gives a lower
 * bound on it, however old the report is:
 * - the member reported itself eligible since T: it is eligible since T, or since a later time;
 * - the member answered at A that it was not eligible: if it is eligible now, it became so
 *   after A (a node sets its eligible-since time when it computes an answer that finds it
 *   eligible, always later than any answer that found it not).
 */
export type MemberKnowledge =
  | { address: string; kind: "bound"; eligibleNotBefore: number }
  /** Never heard from, and it may have been there before us: it might be anything. */
  | { address: string; kind: "unknown" }
  /**
   * Not heard from for so long that we stop waiting for it (see docs/http-api.md): the
   * liveness fallback, the one case where two writers are possible.
   */
  | { address: string; kind: "abandoned" };

export interface SelfCandidate {
  address: string;
  /** When this node last became writer-eligible (Synced, Primary, ready); null: it is not. */
  eligibleSince: number | null;
}

/**
 * May this node answer 200 on /writer? Pure. The rule (the single writer):
 * the member eligible the longest is the writer; ties go to the lowest address. A node claims
 * only when no other member can possibly be ahead of it by that rule, judged from lower
 * bounds that stay true however stale the reports are. So two nodes cannot both claim:
 * if A is ahead of B, then B's bound for A is at most A's real time, which is ahead of B,
 * and B holds back (proved as a property in the unit tests). The cost is a moment without a
 * writer while reports catch up, which is safe; two writers invite certification conflicts.
 * A node that rejoins does not take the role back: its eligible-since time is the newest.
 */
export function mayClaimWriter(self: SelfCandidate, others: readonly MemberKnowledge[]): boolean {
  const mine = self.eligibleSince;
  if (mine === null) return false;
  return others.every((m) => {
    if (m.address === self.address) return true;
    if (m.kind === "bound") return !isAhead(m.address, m.eligibleNotBefore, self.address, mine);
    // Unknown: it might be ahead. Abandoned: it no longer holds the election back.
    return m.kind === "abandoned";
  });
}

/** Does a member eligible since `since` come before us (eligible since `mine`) in the writer order? */
function isAhead(address: string, since: number, selfAddress: string, mine: number): boolean {
  // Stryker disable next-line EqualityOperator: compareAddresses is 0 only for the same text, and this node's own entry never gets here
  return since < mine || (since === mine && compareAddresses(address, selfAddress) < 0);
}

/** Orders "10.0.0.2:3306" before "10.0.0.10:3306": numbers compared as numbers. */
export function compareAddresses(a: string, b: string): number {
  // Split on a capturing group: texts at the even places, runs of digits at the odd ones.
  const pa = a.split(/([0-9]+)/);
  const pb = b.split(/([0-9]+)/);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (i % 2 === 1) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
    } else if (x < y) {
      return -1;
    } else if (x > y) {
      return 1;
    }
  }
  // One is the other followed by more: the shorter comes first.
  if (pa.length !== pb.length) return pa.length - pb.length;
  // Equal as numbers but different as text ("10.0.0.1" and "10.0.0.01", or digit runs too long
  // for a number): the text decides, so that two different members never tie, and never both claim.
  return a < b ? -1 : a > b ? 1 : 0;
}
