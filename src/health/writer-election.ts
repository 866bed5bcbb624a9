/**
 * One member of the current primary view, as this node knows it: itself from its own sample,
 * peers from their last /status answer.
 */
export interface WriterCandidate {
  /** The member's SQL address as Galera lists it (wsrep_incoming_addresses), e.g. "10.0.0.2:3306". */
  address: string;
  /**
   * Synced, Primary, writable, not draining, and the report is fresh. "unknown": a member we
   * have not heard from yet (it just appeared in the view): it might win, so nobody claims.
   */
  eligible: boolean | "unknown";
  /** The view the member reports (wsrep_cluster_conf_id); must equal ours to count. */
  confId: number | null;
  /** When the member last became Synced (ms since the epoch); the longest-synced member keeps the role. */
  syncedSince: number | null;
}

/**
 * Elects the cluster's single writer. Pure and deterministic, so every node computing it
 * from the same primary view agrees without talking to each other about it:
 * 1. Only members of our current view (same conf_id) that are eligible count; never a joiner,
 *    a donor, or a node we have no fresh report of.
 * 2. The member synced the longest wins: a node that rejoins does not take the role back,
 *    which would cut the writer's sessions for nothing.
 * 3. Ties (and unknown times) go to the lowest address, compared as numbers.
 * 4. While any member's state is unknown, nobody is elected: two nodes that each cannot see
 *    the other would both win. No writer for a moment is safe; two writers are not.
 * Returns the winner's address, or null when no member is eligible.
 */
export function electWriter(confId: number | null, members: readonly WriterCandidate[]): string | null {
  if (members.some((m) => m.eligible === "unknown")) return null;
  const eligible = members.filter((m) => m.eligible === true && confId !== null && m.confId === confId);
  eligible.sort((a, b) => {
    const since = (a.syncedSince ?? Number.MAX_SAFE_INTEGER) - (b.syncedSince ?? Number.MAX_SAFE_INTEGER);
    return since !== 0 ? since : compareAddresses(a.address, b.address);
  });
  return eligible[0]?.address ?? null;
}

/** Orders "10.0.0.2:3306" before "10.0.0.10:3306": numbers compared as numbers. */
export function compareAddresses(a: string, b: string): number {
  const parts = (s: string): (string | number)[] =>
    s.split(/([0-9]+)/).map((p) => (/^[0-9]+$/.test(p) ? Number(p) : p));
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === "number" && typeof y === "number") return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}
