// GALERA_PILOT_RESTORE_FROM: a new cluster started from a backup; GALERA_PILOT_RESTORE_TO: one
// started at a point (a backup and the binlog archive replayed on it, agent/point-restore.ts). Every node may carry the
// setting (one StatefulSet, one Marathon app group, one `local up --restore-from`); only the
// node the recovery rules choose to bootstrap the new cluster restores the backup, just before
// it bootstraps; the others, empty, join it by state transfer as they join any new cluster.
//
// The rules choose "bootstrap a new cluster" only when every present node's datadir was empty
// at its start (decide/recovery-decision.ts, rule 6): this node's datadir then holds only what
// mariadb-install-db wrote at this start, which is emptied and replaced by the backup. A
// datadir that held anything at the start is never touched: the setting is ignored there, with
// a line saying so (node-agent.ts), so a restart never restores over data.
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { completeBackup, readCatalog } from "../backup/backup-catalog.js";
import { formatBytes } from "../system/byte-sizes.js";
import { restoreProgress } from "../backup/progress-line.js";
import { restoreBackup } from "../backup/restore-stream.js";
import { openDestination } from "../destination/open-destination.js";
import { BackupError, RefusedError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { OsUser } from "../mysqld/os-user.js";
import type { PointTarget } from "../decide/restore-point.js";
import { restoreToPoint } from "./point-restore.js";

export interface RestoreNewClusterDeps {
  id: string;
  destinationSpec: string;
  env: Readonly<Record<string, string | undefined>>;
  datadir: string;
  serverUser: OsUser;
  /** The datadir was empty at this start and mariadbd has not run on it since. */
  fresh: boolean;
  log: Logger;
}

export async function restoreForNewCluster(deps: RestoreNewClusterDeps): Promise<void> {
  const { id, log } = deps;
  if (!deps.fresh) {
    throw new RefusedError(
      `GALERA_PILOT_RESTORE_FROM: backup ${id} is not restored into ${deps.datadir}, which held data at this start; the datadir was not changed`,
    );
  }
  const destination = await openDestination(deps.destinationSpec, deps.env);
  const manifest = completeBackup(await readCatalog(destination), id);
  log.info(
    `restoring backup ${id} from ${destination.description} before bootstrapping the new cluster (GALERA_PILOT_RESTORE_FROM): position ${manifest.position.uuid}:${manifest.position.seqno}, taken on ${manifest.node} at ${manifest.startedAt}, ${formatBytes(manifest.bytesStored)} stored`,
  );
  // Only mariadb-install-db's files of this start are here (checked above): they make way.
  for (const name of await readdir(deps.datadir))
    await rm(join(deps.datadir, name), { recursive: true, force: true });
  const startedAt = Date.now();
  await restoreBackup({
    destination,
    id,
    sha256: manifest.sha256,
    datadir: deps.datadir,
    owner: { uid: deps.serverUser.uid, gid: deps.serverUser.gid },
    position: manifest.position,
    onBytes: restoreProgress(`restoring backup ${id}`, manifest.bytesStored, (line) => log.info(line)),
  }).catch((error: unknown) => {
    throw new BackupError(
      `GALERA_PILOT_RESTORE_FROM: backup ${id} was not restored: ${error instanceof Error ? error.message : String(error)}; the datadir is left empty, and the next start tries again; fix the destination or name another backup`,
    );
  });
  log.info(
    `restored backup ${id} in ${((Date.now() - startedAt) / 1000).toFixed(1)} s: bootstrapping the new cluster from it at ${manifest.position.uuid}:${manifest.position.seqno}`,
  );
}

export interface RestorePointNewClusterDeps {
  point: PointTarget;
  /** GALERA_PILOT_RESTORE_FROM, when it names the backup; else the rules choose it. */
  from: string | null;
  destinationSpec: string;
  env: Readonly<Record<string, string | undefined>>;
  datadir: string;
  serverUser: OsUser;
  mysqldPath: string;
  fresh: boolean;
  log: Logger;
}

export async function restorePointForNewCluster(deps: RestorePointNewClusterDeps): Promise<void> {
  const { log } = deps;
  if (!deps.fresh) {
    throw new RefusedError(
      `GALERA_PILOT_RESTORE_TO: nothing is restored into ${deps.datadir}, which held data at this start; the datadir was not changed`,
    );
  }
  const destination = await openDestination(deps.destinationSpec, deps.env);
  const catalog = await readCatalog(destination);
  log.info(
    `restoring the cluster at a point (GALERA_PILOT_RESTORE_TO) from ${destination.description} before bootstrapping the new cluster`,
  );
  // Only mariadb-install-db's files of this start are here (checked above): they make way.
  for (const name of await readdir(deps.datadir))
    await rm(join(deps.datadir, name), { recursive: true, force: true });
  const startedAt = Date.now();
  const done = await restoreToPoint(
    catalog,
    {
      target: deps.point,
      from: deps.from ?? undefined,
      datadir: deps.datadir,
      serverUser: deps.serverUser.name,
      mysqldPath: deps.mysqldPath,
    },
    (line) => log.info(line),
  ).catch((error: unknown) => {
    throw new BackupError(
      `GALERA_PILOT_RESTORE_TO: the cluster was not restored at the point: ${error instanceof Error ? error.message : String(error)}; the datadir is left empty, and the next start tries again; fix the cause or choose another point`,
    );
  });
  log.info(
    `restored backup ${done.backup} with ${done.replayed} archived transactions replayed in ${((Date.now() - startedAt) / 1000).toFixed(1)} s: bootstrapping the new cluster from it at ${done.domain}-…-${done.last?.seqno ?? done.backupSeqno}`,
  );
}
