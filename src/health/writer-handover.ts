/**
 * The writer handover. The election (writer-election.ts) never gives two nodes the right to
 * claim the writer role at the same instant, but HAProxy learns of a change only at its next
 * checks: for a moment after the old writer stops claiming, HAProxy still counts it UP. A node
 * that answered 200 on /writer at the first instant of its right would be UP beside it.
 *
 * So a node answers 200 only once its right has held, without a break, for `handoverMs`: the
 * time HAProxy may take to mark a server DOWN after it stops answering 200 (writerHandoverMs
 * in router/haproxy-config.ts, from the writer backend's check timings). Whoever claimed
 * before had lost its right before this node's right began (the election's exclusion), so
 * HAProxy has it DOWN, and has closed its sessions, before this node comes UP.
 */
export interface HandoverState {
  /** Since when this node's right to claim has held without a break; null: it has not. */
  rightSince: number | null;
}

export interface HandoverTurn {
  state: HandoverState;
  /** Answer 200 on /writer. */
  claim: boolean;
}

/** One evaluation: the right as the election finds it now, and whether to claim. Pure. */
export function writerHandover(
  state: HandoverState,
  right: boolean,
  now: number,
  handoverMs: number,
): HandoverTurn {
  if (!right) return { state: { rightSince: null }, claim: false };
  // A clock stepped back (rightSince in the future): start the wait again, never shorten it.
  const rightSince = state.rightSince !== null && state.rightSince <= now ? state.rightSince : now;
  return { state: { rightSince }, claim: now - rightSince >= handoverMs };
}
