// What a destination holds: its manifests read and checked (model/backup-manifest-schema.ts),
// for `backup list`, `prune`, `verify`, `restore` and an agent restoring a new cluster
// (GALERA_PILOT_RESTORE_FROM). A manifest that does not check is listed with what is wrong and
// never used; it is never deleted by prune either.
import { backupStanding } from "../decide/backup-liveness.js";
import type { BackupDestination } from "../destination/destination.js";
import { BackupError, BadInputError } from "../errors.js";
import type { BackupManifest, CompleteBackup } from "../model/backup-manifest.js";

export interface Catalog {
  destination: BackupDestination;
  manifests: BackupManifest[];
  /** Folders whose manifest does not check: id and what is wrong. */
  unreadable: { id: string; problem: string }[];
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
