// `galera-pilot restore --from ID --datadir DIR`: a datadir made from a complete backup, ready
// to start a new cluster from (its node started as `seed`; the others join it by SST).
// Everything is checked before the target is touched: the backup complete, the datadir
// absent or empty; then restore-stream.ts writes it only once the stream's checksum matched
// and the prepare succeeded.
import { readdirSync } from "node:fs";
import { restoreBackup } from "../backup/restore-stream.js";
import { BackupError, BadInputError, ExitCode } from "../errors.js";
import { lookUpOsUser } from "../mysqld/os-user.js";
import { restoreProgress } from "../backup/progress-line.js";
import { completeBackup, type Catalog } from "./backup-catalog.js";

export interface RestoreArgs {
  id: string;
  datadir: string;
  serverUser: string;
}

export async function restoreCommand(catalog: Catalog, args: RestoreArgs): Promise<number> {
  const manifest = completeBackup(catalog, args.id);
  const present = entries(args.datadir);
  if (present.length > 0) {
    throw new BadInputError(
      `the datadir ${args.datadir} is not empty (${present.length} entries, ${present.slice(0, 3).join(", ")}…); nothing was changed; restore into an empty or absent folder, or move this one aside first`,
    );
  }
  const user = lookUpOsUser(args.serverUser);
  await restoreBackup({
    destination: catalog.destination,
    id: manifest.id,
    sha256: manifest.sha256,
    datadir: args.datadir,
    owner: { uid: user.uid, gid: user.gid },
    position: manifest.position,
    onBytes: restoreProgress(`restore ${manifest.id}`, manifest.bytesStored, (line) => console.log(line)),
  }).catch((error: unknown) => {
    throw new BackupError(
      `backup ${manifest.id} was not restored: ${error instanceof Error ? error.message : String(error)}; the datadir ${args.datadir} was left as it was`,
    );
  });
  console.log(
    `backup ${manifest.id} is restored into ${args.datadir} (position ${manifest.position.uuid}:${manifest.position.seqno}, taken on ${manifest.node} at ${manifest.startedAt}); start a new cluster from it: its node as seed, the others join it`,
  );
  return ExitCode.ok;
}

function entries(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new BadInputError(
      `the datadir ${folder} cannot be read (${(error as Error).message}); nothing was changed`,
    );
  }
}
