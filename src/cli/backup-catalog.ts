// `backup list`'s table, and the destination the backup commands read.
import { backupStanding, type BackupStanding } from "../decide/backup-liveness.js";
import type { BackupDestination } from "../destination/destination.js";
import { openDestination } from "../destination/open-destination.js";
import { localBackupFolder } from "../local/local-cluster.js";
import { formatBytes } from "../system/byte-sizes.js";
import type { Catalog } from "../backup/backup-catalog.js";

export { completeBackup, readCatalog, type Catalog } from "../backup/backup-catalog.js";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The destination named by --destination, else GALERA_PILOT_BACKUP_DESTINATION, else the
 * local cluster's folder (STATE/backups) when there is a local cluster's state folder.
 */
export async function destinationFrom(
  given: string | undefined,
  env: Env,
  stateDir: string,
): Promise<BackupDestination> {
  const spec = given ?? env["GALERA_PILOT_BACKUP_DESTINATION"] ?? localBackupFolder(stateDir);
  return openDestination(spec, env);
}

/** `backup list`'s table, oldest first. */
export function catalogTable(catalog: Catalog, now = Date.now()): string {
  const rows = catalog.manifests.map((m) => {
    const standing: BackupStanding = backupStanding(m, now);
    const seconds =
      m.state === "running"
        ? (now - Date.parse(m.startedAt)) / 1000
        : (Date.parse(m.endedAt) - Date.parse(m.startedAt)) / 1000;
    return [
      m.id,
      standing,
      m.node,
      m.startedAt.replace(/\.\d{3}Z$/, "Z"),
      `${Math.max(0, Math.round(seconds))} s`,
      formatBytes(m.bytesStored),
      m.state === "complete"
        ? `${m.position.uuid}:${m.position.seqno}`
        : m.state === "failed"
          ? m.failure
          : "",
    ];
  });
  const header = ["ID", "STATE", "NODE", "STARTED", "TOOK", "STORED", "POSITION / FAILURE"];
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const lines = all.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd(),
  );
  const notes = catalog.unreadable.map((u) => `unreadable: ${u.id}: ${u.problem}`);
  if (rows.length === 0) lines.push(`(no backup in ${catalog.destination.description})`);
  return [...lines, ...notes].join("\n");
}
