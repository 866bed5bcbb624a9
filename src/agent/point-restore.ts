// `galera-pilot restore --to-time T | --to-gtid G | --to-latest --datadir DIR [--from ID]`:
// a datadir holding the cluster as it was at a point (docs/point-in-time.md). The rules are
// decide/restore-point.ts; this sequences them: the backup chosen and the archive checked
// before anything is written; the backup restored beside the target; its own last
// transaction read back; the archived transactions after it replayed up to the point; only
// then the result moved into the target. A failure at any step removes what was made beside
// the target and leaves the target as it was.
import { randomBytes } from "node:crypto";
import { readdir, rename, rm, rmdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { Readable } from "node:stream";
import { replayStream, type ReplayedSoFar } from "../archive/archive-transactions.js";
import { replayIntoDatadir } from "../archive/standalone-replay.js";
import { restoreBackup } from "../backup/restore-stream.js";
import { restoreProgress } from "../backup/progress-line.js";
import { archiveCoverage } from "../decide/archive-coverage.js";
import { backupForPoint, replayRange, type PointTarget } from "../decide/restore-point.js";
import { BackupError, BadInputError, ExitCode, RefusedError } from "../errors.js";
import { parseSegmentName, type SegmentSpan } from "../model/archive-segment-name.js";
import { lookUpOsUser } from "../mysqld/os-user.js";
import { recoverDatadirPosition } from "../mysqld/wsrep-recover.js";
import { completeBackup, type Catalog } from "./backup-catalog.js";

export interface RestoreToPointArgs {
  target: PointTarget;
  /** A backup named with --from, else the rules choose. */
  from: string | undefined;
  datadir: string;
  serverUser: string;
  mysqldPath: string | undefined;
}

export async function restoreToPoint(catalog: Catalog, args: RestoreToPointArgs): Promise<number> {
  const present = await entries(args.datadir);
  if (present.length > 0) {
    throw new BadInputError(
      `the datadir ${args.datadir} is not empty (${present.length} entries, ${present.slice(0, 3).join(", ")}…); nothing was changed; restore into an empty or absent folder, or move this one aside first`,
    );
  }
  const { destination } = catalog;
  const segments = (await destination.listArchiveSegments())
    .map((name) => ({ name, span: parseSegmentName(name) }))
    .filter((s): s is { name: string; span: SegmentSpan } => s.span !== null);
  const spans = segments.map((s) => s.span);
  const domains = [...new Set(spans.map((s) => s.domain))];
  const coverages = domains.map((domain) => archiveCoverage(spans, domain));
  const complete = catalog.manifests.filter((m) => m.state === "complete");
  const chosen = backupForPoint(complete, coverages, spans, args.target);
  if ("refuse" in chosen) throw new RefusedError(chosen.refuse);
  const backup = args.from === undefined ? chosen.backup : completeBackup(catalog, args.from);
  const domain = chosen.domain;
  const coverage = coverages.find((c) => c.domain === domain)!;
  console.log(args.from === undefined ? chosen.reason : `restoring backup ${backup.id}, as --from names it`);

  const user = lookUpOsUser(args.serverUser);
  const staging = join(
    dirname(args.datadir),
    `.${basename(args.datadir)}.point-${randomBytes(4).toString("hex")}`,
  );
  try {
    await restoreBackup({
      destination,
      id: backup.id,
      sha256: backup.sha256,
      datadir: staging,
      owner: { uid: user.uid, gid: user.gid },
      position: backup.position,
      onBytes: restoreProgress(`restore ${backup.id}`, backup.bytesStored, (line) => console.log(line)),
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
    console.log(
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
    // The target: absent, or an empty folder (checked again: nothing may have appeared).
    if ((await entries(args.datadir)).length > 0) {
      throw new RefusedError(
        `the datadir ${args.datadir} is no longer empty; nothing was written to it; the result was removed`,
      );
    }
    await rmdir(args.datadir).catch(() => undefined);
    await rename(staging, args.datadir);
    const last = replayed.last;
    console.log(
      last === null
        ? `backup ${backup.id} is restored into ${args.datadir} with no transaction replayed: it holds the cluster up to ${domain}-…-${backupSeqno}; start a new cluster from it: its node as seed, the others join it`
        : `backup ${backup.id} is restored into ${args.datadir} with ${replayed.transactions} archived transactions replayed: it holds the cluster up to ${domain}-…-${last.seqno}, committed ${new Date(last.timestamp * 1000).toISOString().replace(".000Z", "Z")}; start a new cluster from it: its node as seed, the others join it`,
    );
    return ExitCode.ok;
  } finally {
    await rm(staging, { recursive: true, force: true });
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
