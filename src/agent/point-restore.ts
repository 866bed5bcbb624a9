// A datadir holding the cluster as it was at a point (docs/point-in-time.md), for
// `galera-pilot restore --to-time T | --to-gtid G | --to-latest` and for the agent that
// bootstraps a new cluster with GALERA_PILOT_RESTORE_TO. The rules are decide/restore-point.ts;
// this sequences them: the backup chosen and the archive checked before anything is written;
// the backup restored into a folder inside the target (so that the result is moved into it by
// renames on its own file system, a mount point too); its own last transaction read back;
// the archived transactions after it replayed up to the point; only then the result moved
// into the target. A failure at any step removes that folder and leaves the target as it was.
import { randomBytes } from "node:crypto";
import { chown, mkdir, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { replayStream, type ReplayedSoFar } from "../archive/archive-transactions.js";
import { replayIntoDatadir } from "../archive/standalone-replay.js";
import { restoreBackup } from "../backup/restore-stream.js";
import { restoreProgress } from "../backup/progress-line.js";
import { archiveCoverages } from "../decide/archive-coverage.js";
import { backupForPoint, replayRange, type PointTarget } from "../decide/restore-point.js";
import { BackupError, BadInputError, RefusedError } from "../errors.js";
import { namedSegments } from "../model/archive-segment-name.js";
import { lookUpOsUser } from "../mysqld/os-user.js";
import { recoverDatadirPosition } from "../mysqld/wsrep-recover.js";
import { completeBackup, type Catalog } from "../backup/backup-catalog.js";

export interface RestoreToPointArgs {
  target: PointTarget;
  /** A backup named with --from, else the rules choose. */
  from: string | undefined;
  datadir: string;
  serverUser: string;
  mysqldPath: string | undefined;
}

export interface PointRestored {
  backup: string;
  /** The last transaction the datadir holds, and when it committed (null: the backup's own). */
  last: { seqno: number; committedAt: string } | null;
  replayed: number;
  domain: number;
  backupSeqno: number;
}

/** Restores to the point into `args.datadir` (absent or empty); `say` hears each step's line. */
export async function restoreToPoint(
  catalog: Catalog,
  args: RestoreToPointArgs,
  say: (line: string) => void,
): Promise<PointRestored> {
  const present = await entries(args.datadir);
  if (present.length > 0) {
    throw new BadInputError(
      `the datadir ${args.datadir} is not empty (${present.length} entries, ${present.slice(0, 3).join(", ")}…); nothing was changed; restore into an empty or absent folder, or move this one aside first`,
    );
  }
  const { destination } = catalog;
  const segments = namedSegments(await destination.listArchiveSegments());
  const spans = segments.map((s) => s.span);
  const coverages = archiveCoverages(spans);
  const complete = catalog.manifests.filter((m) => m.state === "complete");
  const chosen = backupForPoint(complete, coverages, spans, args.target);
  if ("refuse" in chosen) throw new RefusedError(chosen.refuse);
  const backup = args.from === undefined ? chosen.backup : completeBackup(catalog, args.from);
  const domain = chosen.domain;
  const coverage = coverages.find((c) => c.domain === domain)!;
  say(args.from === undefined ? chosen.reason : `restoring backup ${backup.id}, as named`);

  const user = lookUpOsUser(args.serverUser);
  // The target is made if absent (and removed again on failure); the work happens in a
  // folder inside it, whose entries are renamed into it at the end.
  const made = (await mkdir(args.datadir, { recursive: true })) !== undefined;
  const staging = join(args.datadir, `.point-restore-${randomBytes(4).toString("hex")}`);
  let placed = false;
  try {
    await restoreBackup({
      destination,
      id: backup.id,
      sha256: backup.sha256,
      datadir: staging,
      owner: { uid: user.uid, gid: user.gid },
      position: backup.position,
      onBytes: restoreProgress(`restore ${backup.id}`, backup.bytesStored, say),
    }).catch((error: unknown) => {
      throw new BackupError(
        `backup ${backup.id} was not restored: ${message(error)}; the datadir ${args.datadir} was left as it was`,
      );
    });
    const recovered = await recoverDatadirPosition({
      datadir: staging,
      serverUser: args.serverUser,
      clusterDomain: domain,
      ...(args.mysqldPath === undefined ? {} : { mysqldPath: args.mysqldPath }),
    }).catch((error: unknown) => {
      throw new BackupError(
        `the restored backup ${backup.id}'s last transaction could not be read (mariadbd --wsrep-recover): ${message(error)}; nothing was written to ${args.datadir}`,
      );
    });
    const gtid = /^(\d+)-(\d+)-(\d+)$/.exec(recovered.gtid ?? "");
    if (gtid === null || Number(gtid[1]) !== domain) {
      throw new RefusedError(
        `backup ${backup.id} holds no GTID of the cluster's domain ${domain} (it holds ${recovered.gtid ?? "none"}): it was taken before its cluster kept a binlog, or of another cluster; nothing was written; restore it as it is (restore --from ${backup.id}), or choose a later point`,
      );
    }
    const backupSeqno = Number(gtid[3]);
    const plan = replayRange(coverage, backupSeqno, args.target);
    if ("refuse" in plan) throw new RefusedError(plan.refuse);
    say(
      `backup ${backup.id} holds the cluster's transactions up to ${domain}-…-${backupSeqno}; ${plan.reason}`,
    );
    const replayed: ReplayedSoFar = { transactions: 0, last: null };
    if (plan.through > plan.after) {
      await replayIntoDatadir({
        datadir: staging,
        serverUser: args.serverUser,
        owner: { uid: user.uid, gid: user.gid },
        ...(args.mysqldPath === undefined ? {} : { mysqldPath: args.mysqldPath }),
        stream: Readable.from(replayStream(destination, segments, { domain, ...plan }, replayed)),
      }).catch((error: unknown) => {
        throw new BackupError(
          `the archived transactions were not replayed: ${message(error)}; nothing was written to ${args.datadir}`,
        );
      });
    }
    // The target holds only the work folder (checked again: nothing may have appeared).
    const others = (await entries(args.datadir)).filter((name) => join(args.datadir, name) !== staging);
    if (others.length > 0) {
      throw new RefusedError(
        `the datadir ${args.datadir} is no longer empty (${others.slice(0, 3).join(", ")}); nothing was written to it; the result was removed`,
      );
    }
    for (const name of await readdir(staging)) await rename(join(staging, name), join(args.datadir, name));
    placed = true;
    // The server's user owns the datadir itself too (its entries are already its own): the
    // server writes files at its top (ddl_recovery.log) as soon as it starts.
    await chown(args.datadir, user.uid, user.gid);
    const last = replayed.last;
    return {
      backup: backup.id,
      last:
        last === null
          ? null
          : {
              seqno: last.seqno,
              committedAt: new Date(last.timestamp * 1000).toISOString().replace(".000Z", "Z"),
            },
      replayed: replayed.transactions,
      domain,
      backupSeqno,
    };
  } finally {
    await rm(staging, { recursive: true, force: true });
    if (!placed && made) await rm(args.datadir, { recursive: true, force: true });
  }
}

async function entries(folder: string): Promise<string[]> {
  try {
    return await readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new BadInputError(`the datadir ${folder} cannot be read (${message(error)}); nothing was changed`);
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
