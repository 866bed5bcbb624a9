/**
 * Whether a `running` backup is still under way. Its agent rewrites the manifest every few
 * seconds with the progress (`updatedAt`, the heartbeat: backup/backup-run.ts); an agent
 * killed mid-backup, whose successor could not mark it failed (the destination was down, or
 * the node never came back), leaves a manifest that says `running` for ever. One whose
 * heartbeat is older than `abandonedAfterMs` is abandoned: listed as such, and pruned as a
 * failed one is. Never restored: only `complete` is.
 *
 * Why 60 s: twelve heartbeats. A heartbeat is skipped only when a write to the destination is
 * slow or fails, and a backup whose destination took no write for a minute is failing anyway.
 */
import type { BackupManifest } from "../model/backup-manifest.js";

export const abandonedAfterMs = 60_000;

export type BackupStanding = "running" | "abandoned" | "complete" | "failed";

export function backupStanding(manifest: BackupManifest, now: number): BackupStanding {
  if (manifest.state !== "running") return manifest.state;
  return now - Date.parse(manifest.updatedAt) > abandonedAfterMs ? "abandoned" : "running";
}
