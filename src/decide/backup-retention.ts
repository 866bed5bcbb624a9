/**
 * Which backups `backup prune` deletes, and why each is kept or deleted. Pure: the manifests
 * as read from the destination in, a verdict per backup out. docs/backups.md ("How a backup
 * node is chosen, and what is kept") says the same for operators.
 *
 * - Only `complete` backups count, and only they are kept by the rules: keep the last N
 *   (`keepLast`), keep those started within D days (`keepDays`). A backup that either rule
 *   keeps is kept: pruning deletes for good, so a backup goes only when no rule asks for it.
 *   With no rule given, every complete backup is kept.
 * - The newest complete backup of each cluster is never pruned, whatever the rules say (so
 *   the only one is not either): a destination that holds backups of two clusters (one
 *   re-created from scratch at the same place) never loses the last backup of the other.
 * - A `running` backup is never pruned: it may be under way. One whose heartbeat stopped
 *   (abandoned, backup-liveness.ts: its agent died and nobody could mark it failed) counts
 *   as a failed one.
 * - A `failed` backup is never restored; it is kept one day after it started, to be looked
 *   at, then pruned.
 *
 * A backup's time is its start (`startedAt`, the time in its id, to the second); "newest"
 * orders by id, which sorts as those times do (then by node, within one second). The options
 * are checked by the command that reads them (whole numbers ≥ 1, days > 0); whatever they
 * are, the newest complete backup of each cluster stays.
 */
import type { BackupManifest, CompleteBackup } from "../model/backup-manifest.js";
import { backupStanding } from "./backup-liveness.js";

export interface RetentionRules {
  /** Keep the N newest complete backups (of each cluster). */
  keepLast?: number | undefined;
  /** Keep the complete backups started within the last D days. */
  keepDays?: number | undefined;
  /** Now, ms since the epoch. */
  now: number;
}

export interface RetentionVerdict {
  id: string;
  reason: string;
}

export interface Retention {
  /** The backups to delete, oldest first. */
  prune: RetentionVerdict[];
  /** The backups that stay, oldest first. */
  keep: RetentionVerdict[];
}

/** How long a failed backup is kept after its start: long enough to be looked at. */
export const failedKeptMs = 86_400_000;

const dayMs = 86_400_000;

export function backupsToPrune(manifests: readonly BackupManifest[], rules: RetentionRules): Retention {
  const now = rules.now;
  const verdicts = new Map<string, Verdict>();

  // The rules apply to each cluster's complete backups apart, newest first.
  for (const cluster of new Set(manifests.map((m) => m.clusterUuid))) {
    manifests
      .filter((m): m is CompleteBackup => m.state === "complete" && m.clusterUuid === cluster)
      .sort(newestFirst)
      .forEach((m, rank) => verdicts.set(m.id, completeVerdict(rank, now - Date.parse(m.startedAt), rules)));
  }

  for (const m of manifests) {
    const age = now - Date.parse(m.startedAt);
    const standing = backupStanding(m, now);
    if (standing === "running") {
      verdicts.set(
        m.id,
        kept(
          `running on ${m.node}, started ${ago(age)}, its progress written ${heartbeatAgo(now - Date.parse(m.updatedAt))}; a running backup is never pruned`,
        ),
      );
    } else if (m.state === "failed" || standing === "abandoned") {
      const what =
        m.state === "failed"
          ? `failed (${m.failure})`
          : `abandoned (running, but its progress was last written ${heartbeatAgo(now - Date.parse(m.updatedAt))}: its agent stopped)`;
      verdicts.set(
        m.id,
        age < failedKeptMs
          ? kept(
              `${what}, started ${ago(age)}; a failed backup is kept a day after its start, to be looked at`,
            )
          : {
              prune: true,
              reason: `pruned: ${what}, started ${ago(age)}; a failed backup is never restored`,
            },
      );
    }
  }

  const result: Retention = { prune: [], keep: [] };
  for (const m of [...manifests].sort(newestFirst).reverse()) {
    const verdict = verdicts.get(m.id)!;
    (verdict.prune ? result.prune : result.keep).push({ id: m.id, reason: verdict.reason });
  }
  return result;
}

/** A complete backup's verdict: `rank` 0 is its cluster's newest, `age` is since its start. */
function completeVerdict(rank: number, age: number, { keepLast, keepDays }: RetentionRules): Verdict {
  if (rank === 0) return kept("the newest complete backup of its cluster, which is never pruned");
  if (keepLast === undefined && keepDays === undefined) {
    return kept("no retention rule is given (keep last N, keep D days), so every complete backup is kept");
  }
  // A rule not given keeps nothing: no rank is below none, no age within no days.
  if (rank < (keepLast ?? 0)) {
    return kept(`one of the ${keepLast} newest complete backups of its cluster`);
  }
  if (age < (keepDays ?? -Infinity) * dayMs) {
    return kept(`started ${ago(age)}, within the ${days(keepDays!)} kept`);
  }
  const reasons: string[] = [];
  if (keepLast !== undefined) {
    reasons.push(
      keepLast > 1
        ? `not one of the ${keepLast} newest complete backups of its cluster`
        : "not the newest complete backup of its cluster",
    );
  }
  if (keepDays !== undefined) reasons.push(`started ${ago(age)}, before the ${days(keepDays)} kept`);
  return { prune: true, reason: `pruned: complete, but ${reasons.join(", and ")}` };
}

/** A heartbeat's age: seconds under two minutes ("2 s ago"), else as ago() says it. */
function heartbeatAgo(ms: number): string {
  return ms >= 0 && ms < 120_000 ? `${Math.floor(ms / 1000)} s ago` : ago(ms);
}

/** "1 day", "7 days", "1.5 days". */
function days(count: number): string {
  return count === 1 ? "1 day" : `${count} days`;
}

type Verdict = { prune: boolean; reason: string };

function kept(why: string): Verdict {
  return { prune: false, reason: `kept: ${why}` };
}

/** By id, which sorts as the start times do (parseManifest checks that they agree). */
function newestFirst(a: BackupManifest, b: BackupManifest): number {
  // Stryker disable next-line EqualityOperator: ids are unique on a destination, so `<=` orders them alike
  return a.id < b.id ? 1 : -1;
}

/**
 * "42 min ago", "5.2 h ago", "9.5 d ago" (cut, not rounded: 6.99 d is "6.9 d", never "7.0
 * d"); a start later than now (a clock set back, or another machine's clock ahead) reads "in
 * the future by this clock".
 */
function ago(ms: number): string {
  if (ms < 0) return "in the future by this clock";
  const tenths = (value: number): string => (Math.floor(value * 10) / 10).toFixed(1);
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ago`;
  if (ms < dayMs) return `${tenths(ms / 3_600_000)} h ago`;
  return `${tenths(ms / dayMs)} d ago`;
}
