/**
 * What `status` says of the backups on a destination: the newest complete one and its age,
 * those under way, and the failed (or abandoned) ones since the newest complete one, which is
 * what an operator must look at. Pure: the manifests as read, and now.
 */
import type { BackupManifest, CompleteBackup } from "../model/backup-manifest.js";
import { backupStanding } from "./backup-liveness.js";

export interface BackupSummary {
  lastComplete: CompleteBackup | null;
  running: string[];
  /** Failed or abandoned backups started after the newest complete one, oldest first. */
  failedSince: string[];
}

export function backupSummary(manifests: readonly BackupManifest[], now: number): BackupSummary {
  // Stryker disable next-line EqualityOperator: ids are unique on a destination, so `<=` orders them alike
  const byId = [...manifests].sort((a, b) => (a.id < b.id ? -1 : 1));
  const complete = byId.filter((m): m is CompleteBackup => m.state === "complete");
  const lastComplete = complete.at(-1) ?? null;
  const standing = (m: BackupManifest) => backupStanding(m, now);
  return {
    lastComplete,
    running: byId.filter((m) => standing(m) === "running").map((m) => m.id),
    failedSince: byId
      .filter(
        (m) =>
          (standing(m) === "failed" || standing(m) === "abandoned") &&
          // Stryker disable next-line EqualityOperator: the one backup of lastComplete's id is complete, never failed
          (lastComplete === null || m.id > lastComplete.id),
      )
      .map((m) => m.id),
  };
}

/**
 * One line: "backups: last complete 20261206T234247Z-n1, ended 12 min ago; running: none".
 * Ages: seconds under 2 minutes, minutes under 2 hours, hours (one decimal, cut) under 2 days,
 * then days.
 */
export function backupSummaryLine(summary: BackupSummary, now: number, where: string): string {
  const last = summary.lastComplete;
  const parts = [
    last === null
      ? `no complete backup in ${where}`
      : `last complete ${last.id}, ended ${ago(now - Date.parse(last.endedAt))}`,
    `running: ${summary.running.length === 0 ? "none" : summary.running.join(", ")}`,
  ];
  if (summary.failedSince.length > 0) {
    parts.push(`failed since: ${summary.failedSince.join(", ")} (galera-pilot backup list says why)`);
  }
  return `backups: ${parts.join("; ")}`;
}

function ago(ms: number): string {
  if (ms < 0) return "in the future by this clock";
  if (ms < 120_000) return `${Math.floor(ms / 1000)} s ago`;
  if (ms < 7_200_000) return `${Math.floor(ms / 60_000)} min ago`;
  if (ms < 172_800_000) return `${(Math.floor(ms / 360_000) / 10).toFixed(1)} h ago`;
  return `${(Math.floor(ms / 8_640_000) / 10).toFixed(1)} d ago`;
}
