// `galera-pilot backup …` and `galera-pilot restore …` (docs/backups.md): their grammar, and
// `list` and `prune`, which only read and delete on the destination.
import { resolve } from "node:path";
import { segmentsToPrune } from "../decide/archive-retention.js";
import { backupsToPrune } from "../decide/backup-retention.js";
import { namedSegments } from "../model/archive-segment-name.js";
import type { CompleteBackup } from "../model/backup-manifest.js";
import { BadInputError, ExitCode } from "../errors.js";
import type { FlagReader } from "../config/flag-reader.js";
import { parseAgentUrls } from "./agent-urls.js";
import { defaultStateDir } from "../local/cluster-layout.js";
import { parseCommandLine, type CommandGrammar } from "../options/command-line.js";
import { catalogTable, destinationFrom, readCatalog } from "./backup-catalog.js";
import { takeBackup } from "./backup-take.js";
import { verifyBackup } from "./backup-verify.js";
import { restoreCommand } from "./restore-command.js";
import { restoreToPointCommand } from "./restore-to-point.js";
import type { PointTarget } from "../decide/restore-point.js";

type Env = Readonly<Record<string, string | undefined>>;

export const backupUsage = `backups (docs/backups.md):
  galera-pilot backup [--node NAME] [--allow-writer] [--no-wait]   take a physical backup (mariabackup) on the
                                                       node the rules choose: synced, not the writer, never
                                                       the last synced member; its agent writes it to its
                                                       GALERA_PILOT_BACKUP_DESTINATION
  galera-pilot backup list [--json]                    the backups on the destination, with their state
  galera-pilot backup verify ID [--scratch DIR]        a restore drill: restore into a scratch datadir, compare
                                                       its position with the manifest, check every table
  galera-pilot backup prune [--keep-last N] [--keep-days D] [--dry-run]
                                                       delete what no rule keeps (never the newest complete),
                                                       and the archive's segments no kept backup needs
  galera-pilot restore --from ID --datadir DIR         make a datadir from a complete backup, to start a
                                                       new cluster from (as seed)
  galera-pilot restore --to-time T | --to-gtid G | --to-latest --datadir DIR [--from ID]
                                                       the same, at a point (docs/point-in-time.md): the newest
                                                       backup before it, and the archived binlog replayed up to
                                                       it. T: ISO time with its zone (2026-12-07T14:03:00Z);
                                                       G: DOMAIN-SERVER-SEQNO, that transaction included
  Agents: the local cluster's (--state-dir, GALERA_PILOT_STATE_DIR), or --nodes NAME=URL[,NAME=URL…] with
  GALERA_PILOT_CLUSTER_SECRET (or _FILE). Destination: --destination (a folder or s3://bucket/prefix), else
  GALERA_PILOT_BACKUP_DESTINATION, else the local cluster's STATE/backups.`;

const grammar = (name: string, operands: string[] = []): CommandGrammar => ({
  name,
  usage: backupUsage,
  values: [
    "node",
    "nodes",
    "state-dir",
    "destination",
    "keep-last",
    "keep-days",
    "scratch",
    "from",
    "datadir",
    "server-user",
    "mysqld",
    "to-time",
    "to-gtid",
  ],
  booleans: ["allow-writer", "no-wait", "json", "dry-run", "to-latest"],
  env: { "state-dir": "GALERA_PILOT_STATE_DIR" },
  operands,
  outcome: "nothing was changed",
});

export async function backupCommand(argv: readonly string[], env: Env): Promise<number> {
  const sub = argv[0];
  if (sub === "list") return list(argv.slice(1), env);
  if (sub === "prune") return prune(argv.slice(1), env);
  if (sub === "verify") return verify(argv.slice(1), env);
  const { flags } = parseCommandLine(grammar("backup"), argv, env);
  if (flags.flag("allow-writer") && !flags.has("node")) {
    throw flags.error("allow-writer", "goes with --node: the automatic choice never takes the writer");
  }
  return takeBackup(
    {
      node: flags.string("node"),
      allowWriter: flags.flag("allow-writer"),
      noWait: flags.flag("no-wait"),
      stateDir: stateDir(flags),
      nodes: flags.has("nodes") ? parseAgentUrls(flags) : null,
    },
    env,
  );
}

export async function restoreEntry(argv: readonly string[], env: Env): Promise<number> {
  const { flags } = parseCommandLine(grammar("restore"), argv, env);
  const id = flags.string("from");
  const datadir = flags.string("datadir");
  const target = pointTarget(flags);
  if (target !== null) {
    if (datadir === undefined)
      throw flags.error("datadir", "is required: the empty or absent folder to restore into");
    const catalog = await readCatalog(
      await destinationFrom(flags.string("destination"), env, stateDir(flags)),
    );
    return restoreToPointCommand(catalog, {
      target,
      from: id,
      datadir: resolve(datadir),
      serverUser: flags.string("server-user") ?? "mysql",
      mysqldPath: flags.string("mysqld"),
    });
  }
  if (id === undefined)
    throw flags.error("from", "is required: the id of a complete backup (galera-pilot backup list)");
  if (datadir === undefined)
    throw flags.error("datadir", "is required: the empty or absent folder to restore into");
  const catalog = await readCatalog(await destinationFrom(flags.string("destination"), env, stateDir(flags)));
  return restoreCommand(catalog, {
    id,
    datadir: resolve(datadir),
    serverUser: flags.string("server-user") ?? "mysql",
  });
}

async function list(argv: readonly string[], env: Env): Promise<number> {
  const { flags } = parseCommandLine(grammar("backup list"), argv, env);
  const catalog = await readCatalog(await destinationFrom(flags.string("destination"), env, stateDir(flags)));
  console.log(
    flags.flag("json")
      ? JSON.stringify(
          {
            destination: catalog.destination.description,
            backups: catalog.manifests,
            unreadable: catalog.unreadable,
          },
          null,
          2,
        )
      : catalogTable(catalog),
  );
  return ExitCode.ok;
}

async function prune(argv: readonly string[], env: Env): Promise<number> {
  const { flags } = parseCommandLine(grammar("backup prune"), argv, env);
  const keepLast = flags.has("keep-last") ? flags.integer("keep-last", 1, 1) : undefined;
  const keepDays = flags.has("keep-days") ? flags.number("keep-days", 1, 0.001, 36_500) : undefined;
  const catalog = await readCatalog(await destinationFrom(flags.string("destination"), env, stateDir(flags)));
  const verdict = backupsToPrune(catalog.manifests, { keepLast, keepDays, now: Date.now() });
  const dryRun = flags.flag("dry-run");
  for (const kept of verdict.keep) console.log(`${kept.id}: ${kept.reason}`);
  for (const gone of verdict.prune) {
    if (!dryRun) await catalog.destination.deleteBackup(gone.id);
    console.log(`${gone.id}: ${dryRun ? gone.reason.replace(/^pruned:/, "would be pruned:") : gone.reason}`);
  }
  for (const bad of catalog.unreadable)
    console.log(`${bad.id}: left alone: its manifest is unreadable (${bad.problem})`);
  // The binlog archive: the segments no kept backup needs (decide/archive-retention.ts).
  const keptIds = new Set(verdict.keep.map((k) => k.id));
  const kept = catalog.manifests.filter(
    (m): m is CompleteBackup => m.state === "complete" && keptIds.has(m.id),
  );
  const segments = namedSegments(await catalog.destination.listArchiveSegments());
  const archive = segmentsToPrune(segments, kept);
  if (!dryRun) for (const name of archive.prune) await catalog.destination.deleteArchiveSegment(name);
  console.log(dryRun ? archive.reason.replace(" pruned:", " would be pruned:") : archive.reason);
  return ExitCode.ok;
}

async function verify(argv: readonly string[], env: Env): Promise<number> {
  const { flags, operands } = parseCommandLine(grammar("backup verify", ["ID"]), argv, env);
  const id = operands[0];
  if (id === undefined)
    throw new BadInputError(
      "backup verify: ID is required, e.g. galera-pilot backup verify 20261206T210000Z-n2; nothing was changed",
    );
  const catalog = await readCatalog(await destinationFrom(flags.string("destination"), env, stateDir(flags)));
  return verifyBackup(catalog, {
    id,
    scratch: flags.string("scratch"),
    serverUser: flags.string("server-user") ?? "mysql",
    mysqld: flags.string("mysqld") ?? "/usr/sbin/mariadbd",
  });
}

function stateDir(flags: FlagReader): string {
  return resolve(flags.string("state-dir") ?? defaultStateDir);
}

/** --to-time, --to-gtid or --to-latest (one at most), or null for a backup restored as it is. */
function pointTarget(flags: FlagReader): PointTarget | null {
  const given = (["to-time", "to-gtid", "to-latest"] as const).filter((name) => flags.has(name));
  if (given.length > 1) {
    throw flags.error(
      given[1]!,
      `is given with --${given[0]}, but a restore reaches one point: give one of --to-time, --to-gtid, --to-latest`,
    );
  }
  if (flags.flag("to-latest")) return { kind: "latest" };
  const time = flags.string("to-time");
  if (time !== undefined) {
    // A time without its zone would be read in this machine's: refused rather than guessed.
    const ms = /(Z|[+-]\d{2}:?\d{2})$/i.test(time.trim()) ? Date.parse(time) : NaN;
    if (Number.isNaN(ms)) {
      throw flags.error(
        "to-time",
        `${JSON.stringify(time)} is not an ISO 8601 time with its zone, e.g. 2026-12-07T14:03:00Z`,
      );
    }
    return { kind: "time", ms };
  }
  const gtid = flags.string("to-gtid");
  if (gtid !== undefined) {
    const match = /^(\d{1,10})-(\d{1,10})-(\d{1,19})$/.exec(gtid.trim());
    const [domain, seqno] = [Number(match?.[1]), Number(match?.[3])];
    if (!match || !Number.isSafeInteger(seqno) || domain > 2 ** 32 - 1) {
      throw flags.error(
        "to-gtid",
        `${JSON.stringify(gtid)} is not a GTID DOMAIN-SERVER-SEQNO, e.g. 7216-187122-4211`,
      );
    }
    return { kind: "gtid", domain, seqno };
  }
  return null;
}
