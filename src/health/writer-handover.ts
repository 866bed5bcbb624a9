/**
 * The writer handover. The election (writer-election.ts) never gives two nodes the right to
 * claim the writer role at the same instant, but HAProxy learns of a change only at its next
 * checks: for a moment after the old writer stops claiming, HAProxy still counts it UP. A node
 * that answered 200 on /writer at the first instant of its right would be UP beside it.
 *
 * So a node answers 200 only once `handoverMs` have passed since its right first held in its
 * current period of eligibility: the time HAProxy may take to mark a server DOWN after it
 * stops answering 200 (writerHandoverMs in router/haproxy-config.ts, from the writer backend's
 * check timings). Whoever claimed before had lost its right before this node's right began
 * (the election's exclusion), so HAProxy has it DOWN, and has closed its sessions, before this
 * node comes UP.
 *
 * A break in the right while this node stays eligible (same eligible-since time) does not
 * start the wait again. Such a break comes from a member new to the view, which holds the
 * election back until it answers: a node joining the view was not eligible with us before, so
 * it cannot be ahead of us, and the members we knew were all behind us when our right held; so
 * no other node could have had the right during the break, and HAProxy has no other writer to
 * take DOWN. Waiting again would only leave the cluster without a writer, and HAProxy would cut
 * this node's sessions for nothing (seen in the rolling-restart test when a restarted node
 * rejoined). A new period of eligibility — after a desync, a restart, a stall of this agent —
 * starts the wait again.
 */
export interface HandoverState {
  /** The eligible-since time of the period this state belongs to; null: not eligible. */
  eligibleSince: number | null;
  /** When this node's right to claim first held in that period; null: not yet. */
  rightSince: number | null;
}

export interface HandoverTurn {
  state: HandoverState;
  /** Answer 200 on /writer. */
  claim: boolean;
}

/**
 * One evaluation: this node's eligible-since time, its right as the election finds it now, and
 * whether to claim. Pure.
 */
export function writerHandover(
  state: HandoverState,
  eligibleSince: number | null,
  right: boolean,
  now: number,
  handoverMs: number,
): HandoverTurn {
  if (eligibleSince === null) return { state: { eligibleSince: null, rightSince: null }, claim: false };
  const samePeriod = state.eligibleSince === eligibleSince;
  // A clock stepped back (rightSince in the future): start the wait again, never shorten it.
  const kept = samePeriod && state.rightSince !== null && state.rightSince <= now ? state.rightSince : null;
  const rightSince = kept ?? (right ? now : null);
  return {
    state: { eligibleSince, rightSince },
    claim: right && rightSince !== null && now - rightSince >= handoverMs,
  };
}
