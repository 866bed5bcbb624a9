// What a destination holds: its manifests read and checked (model/backup-manifest-schema.ts),
// for `backup list`, `prune`, `verify` and `restore`. A manifest that does not check is
// listed with what is wrong and never used; it is never deleted by prune either.
import { backupStanding, type BackupStanding } from "../decide/backup-liveness.js";
import type { BackupDestination } from "../destination/destination.js";
import { openDestination } from "../destination/open-destination.js";
import { localBackupFolder } from "../local/local-cluster.js";
import { BackupError, BadInputError } from "../errors.js";
import type { BackupManifest, CompleteBackup } from "../model/backup-manifest.js";
import { formatBytes } from "../backup/progress-line.js";

type Env = Readonly<Record<string, string | undefined>>;

export interface Catalog {
  destination: BackupDestination;
  manifests: BackupManifest[];
  /** Folders whose manifest does not check: id and what is wrong. */
  unreadable: { id: string; problem: string }[];
}

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

export async function readCatalog(destination: BackupDestination): Promise<Catalog> {
  const { parseManifest } = await import("../model/backup-manifest-schema.js");
  const manifests: BackupManifest[] = [];
  const unreadable: Catalog["unreadable"] = [];
  for (const stored of await destination.listManifests()) {
    const parsed = parseManifest(stored.text);
    if ("problem" in parsed) unreadable.push({ id: stored.id, problem: parsed.problem });
    else if (parsed.id !== stored.id) {
      unreadable.push({ id: stored.id, problem: `its manifest names backup ${parsed.id}, not the folder's` });
    } else manifests.push(parsed);
  }
  return { destination, manifests, unreadable };
}

/** The complete backup `id`, or a one-line refusal saying what it is instead. */
export function completeBackup(catalog: Catalog, id: string, now = Date.now()): CompleteBackup {
  const where = catalog.destination.description;
  const found = catalog.manifests.find((m) => m.id === id);
  if (!found) {
    const bad = catalog.unreadable.find((u) => u.id === id);
    if (bad)
      throw new BackupError(`backup ${id} in ${where} cannot be used: ${bad.problem}; nothing was changed`);
    throw new BadInputError(
      `there is no backup ${id} in ${where}; nothing was changed; \`galera-pilot backup list\` shows the backups there`,
    );
  }
  if (found.state === "complete") return found;
  const standing = backupStanding(found, now);
  const what =
    standing === "failed" && found.state === "failed"
      ? `failed (${found.failure})`
      : standing === "abandoned"
        ? "abandoned: its agent stopped before it ended"
        : "still running";
  throw new BackupError(
    `backup ${id} in ${where} is ${what}, and only a complete backup is restored; nothing was changed; pick a complete one (\`galera-pilot backup list\`)`,
  );
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
