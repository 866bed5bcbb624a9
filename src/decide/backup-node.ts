/**
 * The member a backup is taken on, from the members' /status reports. Pure. docs/backups.md
 * ("How a backup node is chosen, and what is kept") says the same for operators.
 *
 * A backup desyncs its node for its whole run (`wsrep_desync`, so that the copy does not slow
 * the cluster through flow control): the node leaves the Synced state, answers 503 on /ready,
 * and cannot be the writer. So the rules, which an explicit node (`--node NAME`) never lifts:
 *
 * - the node is synced (phase `synced`: Synced in a primary component): a donor, a joiner, a
 *   node already desynced (another backup) or one draining is never taken;
 * - another member stays synced while it is desynced: with one synced member, no backup;
 * - never the writer: desyncing it moves the writer role, and the clients' writes, to another
 *   member. Only a named node may be the writer, and only with `allowWriter`;
 * - not while the writer is being elected (no member says it is the writer though one is
 *   eligible, as for a moment after a failover): the backup could desync the writer-to-be.
 *
 * Among the members these rules allow, the automatic choice takes the one synced the longest
 * (the earliest `syncedSince`), then the first name in code-unit order (never a locale's
 * order: every agent must compute the same answer from the same reports). Why the longest:
 * a member that synced moments ago has just joined or rejoined (after a crash, an IST, an
 * SST), and is the likeliest to drop out again in the middle of a backup; and since a backup
 * resets its node's `syncedSince`, the next backup goes to another member: backups rotate
 * among the members that are not the writer, and mariabackup, which reads every page and
 * checks its checksum, reads each of their datadirs in turn.
 */
import type { NodeStatusReport } from "../model/node-status.js";

/** What the choice reads of a member's /status. */
export type BackupCandidate = Pick<
  NodeStatusReport,
  "node" | "phase" | "writer" | "syncedSince" | "writerEligibleSince"
>;

export interface BackupNodeOptions {
  /** The member named by `--node`: the preference is overridden, never the safety rules. */
  node?: string | undefined;
  /** With `node`: the writer may be named (`--allow-writer`). The automatic choice never takes it. */
  allowWriter?: boolean | undefined;
}

export type BackupNodeChoice = { node: string; reason: string } | { refuse: string };

/**
 * The node to back up, and the sentence saying why, or the refusal sentence; from the reports
 * of the members that answered (a member that did not answer counts as not synced).
 */
export function chooseBackupNode(
  reports: readonly BackupCandidate[],
  options: BackupNodeOptions = {},
): BackupNodeChoice {
  // In name order, whatever order the reports came in: the choice, and every sentence, are
  // the same on every agent that holds the same reports.
  const members = [...reports].sort(byName);
  const synced = members.filter((r) => r.phase === "synced");
  const named = options.node;
  if (named !== undefined) return chooseNamed(members, synced, named, options.allowWriter === true);

  if (synced.length === 0) {
    return {
      refuse: `no backup is taken: no member is synced (${states(members)}), and a backup is read only from a synced member; nothing was changed; try again once the cluster is synced`,
    };
  }
  if (synced.length === 1) return { refuse: lastSyncedRefusal(synced[0]!.node, "") };
  const electing = electionRefusal(synced);
  if (electing !== null) return { refuse: electing };
  const candidates = synced.filter((r) => !r.writer).sort(longestSyncedFirst);
  if (candidates.length === 0) {
    return {
      refuse: `no backup is taken: every synced member (${names(synced)}) says it is the writer, as reports taken a moment apart can after a change, and a backup never desyncs the writer; nothing was changed; try again in a few seconds`,
    };
  }
  const chosen = candidates[0]!;
  const why =
    candidates.length === 1
      ? "the one synced member that is not the writer"
      : `of the synced members that are not the writer (${names(candidates)}), the one synced the longest${tie(candidates)}`;
  return {
    node: chosen.node,
    reason: `backing up on ${chosen.node}: ${why}; ${staySynced(synced, chosen.node)}`,
  };
}

function chooseNamed(
  reports: readonly BackupCandidate[],
  synced: readonly BackupCandidate[],
  named: string,
  allowWriter: boolean,
): BackupNodeChoice {
  const report = reports.find((r) => r.node === named);
  if (report === undefined) {
    return {
      refuse: `no backup is taken: ${named} is not among the members that answered (${names(reports) || "none"}); nothing was changed; check the name, and that ${named}'s agent answers`,
    };
  }
  if (report.phase !== "synced") {
    return {
      refuse: `no backup is taken on ${named}: it is ${report.phase}, not synced, and a backup is read only from a synced member; nothing was changed; try again once ${named} is synced, or name another member`,
    };
  }
  if (synced.length === 1) return { refuse: lastSyncedRefusal(named, " on") };
  if (report.writer && !allowWriter) {
    return {
      refuse: `no backup is taken on ${named}: it is the writer, and desyncing it for the backup would move the writer role, and the clients' writes, to another member; nothing was changed; name another member, or add --allow-writer to take it there anyway`,
    };
  }
  if (!allowWriter) {
    const electing = electionRefusal(synced);
    if (electing !== null) return { refuse: electing };
  }
  const writerNote = report.writer
    ? ", though it is the writer (--allow-writer): its role, and the clients' writes, move to another member"
    : "";
  return {
    node: named,
    reason: `backing up on ${named}, as named${writerNote}; ${staySynced(synced, named)}`,
  };
}

/** The refusal when `node` is the only synced member; `on` is " on" when it was named. */
function lastSyncedRefusal(node: string, on: string): string {
  return `no backup is taken${on ? `${on} ${node}` : ""}: ${node} is the only synced member, and the backup would desync it, leaving the cluster without a synced member; nothing was changed; try again once another member is synced`;
}

/** The refusal while the writer is being elected: none claims the role, yet one is eligible. */
function electionRefusal(synced: readonly BackupCandidate[]): string | null {
  if (synced.some((r) => r.writer)) return null;
  const eligible = synced.filter((r) => r.writerEligibleSince !== null);
  if (eligible.length === 0) return null;
  return `no backup is taken: no member says it is the writer while ${names(eligible)} may be elected, as for a moment after a change, and the backup could desync the writer-to-be; nothing was changed; try again in a few seconds`;
}

/**
 * Synced the longest first (a time missing or unreadable counts as the newest); sorted from
 * name order, and sort is stable, so a tie goes to the first name.
 */
function longestSyncedFirst(a: BackupCandidate, b: BackupCandidate): number {
  return syncedAt(a) - syncedAt(b);
}

function byName(a: BackupCandidate, b: BackupCandidate): number {
  // Code-unit order, never a locale's.
  // Stryker disable next-line EqualityOperator: names are unique (one report per member), so `<=` orders them alike
  return a.node < b.node ? -1 : 1;
}

function syncedAt(report: BackupCandidate): number {
  const at = Date.parse(String(report.syncedSince));
  return Number.isNaN(at) ? Number.MAX_VALUE : at;
}

/** " (n2 and n3 synced at the same time: the first by name)" when the first two tie. */
function tie(sorted: readonly BackupCandidate[]): string {
  const [first, second] = sorted as [BackupCandidate, BackupCandidate];
  if (syncedAt(first) !== syncedAt(second)) return "";
  return ` (${first.node} and ${second.node} synced at the same time: the first by name)`;
}

function staySynced(synced: readonly BackupCandidate[], chosen: string): string {
  const others = synced.filter((r) => r.node !== chosen);
  const verb = others.length === 1 ? "stays" : "stay";
  return `${names(others)} ${verb} synced while ${chosen} is desynced for the backup`;
}

/** "n1", "n1 and n2", "n1, n2 and n3". */
function names(reports: readonly BackupCandidate[]): string {
  const all = reports.map((r) => r.node);
  return all.length <= 1 ? (all[0] ?? "") : `${all.slice(0, -1).join(", ")} and ${all.at(-1)}`;
}

/** "n1 starting, n2 server-down", or "no member answered". */
function states(reports: readonly BackupCandidate[]): string {
  if (reports.length === 0) return "no member answered";
  return reports.map((r) => `${r.node} ${r.phase}`).join(", ");
}
