/**
 * `galera-pilot archive status` (docs/point-in-time.md): what the archive holds and how far
 * behind it is, from the segments' names, the complete backups and the agents' /status.
 * Pure: the command gathers, this says.
 */
import type { CompleteBackup } from "../model/backup-manifest.js";
import type { ArchiveReport } from "../model/node-status.js";
import type { ArchiveCoverage } from "./archive-coverage.js";

export interface ArchiveSummary {
  domain: number | null;
  /** Archived without a gap from the oldest to the newest transaction. */
  contiguous: boolean;
  gaps: { first: number; last: number; since: string; until: string }[];
  oldestPoint: { backup: string; endedAt: string } | null;
  newestPoint: { seqno: number; committedAt: string } | null;
  archiver: {
    node: string;
    archivedSeqno: number | null;
    waitingTransactions: number;
    lagMs: number;
    failure: string | null;
  } | null;
  /** What needs a person: a gap, no archiver, a failing one. Empty when all is well. */
  problems: string[];
  lines: string[];
}

export function archiveSummary(
  coverages: readonly ArchiveCoverage[],
  backups: readonly CompleteBackup[],
  reports: readonly { node: string; archive?: ArchiveReport | undefined }[] | null,
): ArchiveSummary {
  const problems: string[] = [];
  const withRuns = coverages.filter((c) => c.runs.length > 0);
  if (withRuns.length > 1) {
    problems.push(
      `the archive holds ${withRuns.length} clusters' transactions (domains ${withRuns.map((c) => c.domain).join(", ")}): give each cluster its own destination`,
    );
  }
  // The cluster's: the domain with the newest transaction.
  const coverage = [...withRuns].sort((a, b) => b.runs.at(-1)!.lastTime - a.runs.at(-1)!.lastTime)[0] ?? null;
  const newest = coverage?.runs.at(-1) ?? null;
  const gaps = (coverage?.gaps ?? []).map((g) => ({
    first: g.first,
    last: g.last,
    since: iso(g.sinceTime),
    until: iso(g.untilTime),
  }));
  for (const g of gaps) {
    problems.push(
      `gap: transactions ${coverage!.domain}-…-${g.first} to ${g.last} (between ${g.since} and ${g.until}) are not archived; points in or after it need a backup taken after it`,
    );
  }
  // The oldest point reachable: the oldest backup that ended inside the last run (the archive
  // continues it without a gap to the newest transaction).
  const reachable = newest === null ? [] : backups.filter((b) => Date.parse(b.endedAt) >= newest.firstTime);
  const oldestBackup =
    [...reachable].sort((a, b) => Date.parse(a.endedAt) - Date.parse(b.endedAt))[0] ?? null;
  if (newest !== null && oldestBackup === null) {
    problems.push(
      "no complete backup ended since the archive's last gap or its start: no point can be restored from the archive; take a backup",
    );
  }
  let archiver: ArchiveSummary["archiver"] = null;
  if (reports !== null) {
    const archiving = reports.filter((r) => r.archive?.archiving === true);
    const first = archiving[0];
    if (first?.archive !== undefined) {
      archiver = {
        node: first.node,
        archivedSeqno: first.archive.archivedSeqno,
        waitingTransactions: first.archive.waitingTransactions,
        lagMs: first.archive.waitingMs,
        failure: first.archive.failure,
      };
      if (first.archive.failure !== null)
        problems.push(`the archiver on ${first.node} fails: ${first.archive.failure}`);
    } else {
      const reason = reports.find((r) => r.archive !== undefined)?.archive?.reason;
      problems.push(
        `no agent archives now${reason ? ` (${reason})` : " (no agent answered)"}: transactions committed now are not archived`,
      );
    }
  }
  const lines = [
    coverage === null
      ? "archive: empty"
      : `archive: domain ${coverage.domain}, ${coverage.segments} segments, transactions ${coverage.runs[0]!.first} to ${newest!.last}, ${gaps.length === 0 ? "contiguous" : `${gaps.length} gap${gaps.length === 1 ? "" : "s"}`}`,
    `oldest restorable point: ${oldestBackup === null ? "none" : `backup ${oldestBackup.id} (ended ${oldestBackup.endedAt})`}`,
    `newest restorable point: ${newest === null || oldestBackup === null ? "none" : `${coverage!.domain}-…-${newest.last}, committed ${iso(newest.lastTime)}`}`,
    reports === null
      ? "archiver: unknown (no agent was asked)"
      : archiver === null
        ? "archiver: none"
        : `archiver: ${archiver.node}, stored to ${archiver.archivedSeqno ?? "-"}, ${archiver.waitingTransactions} transactions read and not stored yet, lag ${(archiver.lagMs / 1000).toFixed(2)} s`,
    ...problems.map((p) => `PROBLEM: ${p}`),
  ];
  return {
    domain: coverage?.domain ?? null,
    contiguous: gaps.length === 0,
    gaps,
    oldestPoint: oldestBackup === null ? null : { backup: oldestBackup.id, endedAt: oldestBackup.endedAt },
    newestPoint:
      newest === null || oldestBackup === null
        ? null
        : { seqno: newest.last, committedAt: iso(newest.lastTime) },
    archiver,
    problems,
    lines,
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(".000Z", "Z");
}

/**
 * A node's archive line on the dashboard and in `status --json`: what its archiver does, its
 * gaps and failure; null when it does not archive and has nothing to say.
 */
export function archiveLine(archive: ArchiveReport | undefined): string | null {
  if (archive === undefined) return null;
  const gaps = archive.gaps.map((g) => `${g.first}–${g.last}`).join(", ");
  const trouble = [
    ...(gaps === "" ? [] : [`GAP ${gaps}`]),
    ...(archive.failure === null ? [] : [`failing: ${archive.failure}`]),
  ];
  if (!archive.archiving) return trouble.length === 0 ? null : trouble.join("; ");
  return [
    `archiving the binlog: stored to ${archive.archivedSeqno ?? "-"}, ${archive.waitingTransactions} waiting, lag ${(archive.waitingMs / 1000).toFixed(2)} s`,
    ...trouble,
  ].join("; ");
}
