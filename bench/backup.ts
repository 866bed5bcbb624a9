// Issue B's backup benchmark, each part side by side with its baseline in one run, on a
// 3-node cluster of the local runner holding a sysbench dataset of at least 1 GB:
//   1. throughput: `galera-pilot backup` (the agent's path: mariabackup → the mbstream tap →
//      zstd -1 → sha256 → the folder destination, fsync'd) against raw `mariabackup
//      --stream=mbstream` of the same node into a file of the same folder, and raw mariabackup
//      piped through `zstd -1` (what the compression alone costs); an S3 stand-in row;
//   2. the foreground: sysbench oltp_write_only through HAProxy with backups running during
//      the window against without;
//   3. restore: `galera-pilot restore` against raw zstd -d | mbstream -x, mariabackup
//      --prepare and --move-back of the same stored backup.
// Rounds alternate the sides' order; every run records where the machine's CPU went.
import { spawn, spawnSync } from "node:child_process";
import {
  createReadStream,
  closeSync,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { MbstreamTap } from "../src/backup/mbstream-tap.js";
import type { LocalNode } from "../src/local/cluster-layout.js";
import { localBackupFolder } from "../src/local/local-cluster.js";
import { S3StandIn, standInAccessKeyId, standInSecretAccessKey } from "../test/support/s3-stand-in.js";
import type { BenchmarkOutput } from "./harness/benchmark.js";
import {
  allSynced,
  electedWriter,
  localRunnerAgentEnv,
  withBenchCluster,
  type BenchCluster,
} from "./harness/bench-cluster.js";
import { formatCpuUse, startCpuSampler, type CpuUse, type ProcessInfo } from "./harness/cpu-sampler.js";
import {
  downTransitions,
  downTransitionsByServer,
  renderedRouterConfig,
  serverStates,
} from "./harness/haproxy.js";
import type { Machine } from "./harness/machine.js";
import { agentEntry } from "./harness/paths.js";
import { progress } from "./harness/progress.js";
import {
  failedRunsText,
  formatSpread,
  goalsMarkdown,
  markdownTable,
  measuredOn,
  reproduceWith,
  terminalSummary,
  type Goal,
} from "./harness/report.js";
import { countFromEnv, repeatOnceOnFailure, reproduceCommand, rotated } from "./harness/rounds.js";
import { globalValue, sqlOn, viewCounter } from "./harness/sql.js";
import { median, pairedByRound, spread, type Spread } from "./harness/statistics.js";
import { measureSysbench, sysbenchPrepare, type SysbenchResult } from "./harness/sysbench.js";

const firstAddress = "127.0.66.2";
const routerAddress = "127.0.66.1";
const routerPort = 3306;
const roundsEnv = "GALERA_PILOT_BENCH_BACKUP_ROUNDS";
const defaultRounds = 3;
const tableSizeEnv = "GALERA_PILOT_BENCH_BACKUP_TABLE_SIZE";
const loadSecondsEnv = "GALERA_PILOT_BENCH_BACKUP_LOAD_SECONDS";
/** 8 tables of 600 000 rows: about 1.2 GB of InnoDB files, the whole datadir over 1.3 GB. */
const dataset = { tables: 8, tableSize: 600_000 };
const load = { threads: 4, seconds: 30 };
/** Before the foreground's rounds: the buffer pools and the page cache, HAProxy's first connections. */
const warmUpSeconds = 20;
const minimumDatasetBytes = 1_000_000_000;
const throughputGoalPercent = 95;
const foregroundGoalPercent = 90;
const restoreGoalRatio = 1.1;
const mib = 1024 * 1024;

type BackupSide = "galera-pilot" | "raw" | "raw+zstd";
const backupSides: readonly BackupSide[] = ["galera-pilot", "raw", "raw+zstd"];
type RestoreSide = "galera-pilot" | "raw";

export interface BackupRun {
  side: BackupSide | "galera-pilot, S3 stand-in";
  round: number;
  position: number;
  /** galera-pilot: the command's start to its "is complete" line; raw: spawn to its exit (as a shell sees it). */
  seconds: number;
  /** galera-pilot: the manifest's startedAt to endedAt (the agent's run alone). */
  agentSeconds: number | null;
  /** raw: spawn to the file and its folder fsync'd (durable, as the destination makes the stream). */
  durableSeconds: number | null;
  /** galera-pilot: the command's start to its "started on" line (status, choice, POST /backup). */
  startSeconds: number | null;
  mbstreamBytes: number;
  storedBytes: number;
  /** Bytes of mbstream per second over `seconds`. */
  mibPerSecond: number;
  cpu: CpuUse;
}

export interface ForegroundRun extends SysbenchResult {
  withBackup: boolean;
  round: number;
  position: number;
  /** Backups started during the window. */
  backups: number;
  /** Share of the window during which a backup ran (from its command's start to its end). */
  coveredPercent: number;
  viewChanges: number;
  /** Flow-control pauses the writer received during the window (wsrep_flow_control_recv after minus before). */
  flowControlPauses: number;
  /** Times HAProxy marked a server of the writer backend DOWN during the window (chkdown after minus before). */
  writerDowns: number;
  /** The same in the readers' backend: the backup node (it leaves the read pool while desynced) and the others. */
  readerDowns: { backupNode: number; others: number };
  cpu: CpuUse;
}

export interface RestoreRun {
  side: RestoreSide;
  round: number;
  position: number;
  seconds: number;
  /** raw only: zstd -d | mbstream -x, --prepare, --move-back. */
  phases: { unpack: number; prepare: number; moveBack: number } | null;
  cpu: CpuUse;
}

/** One stage of the backup pipeline alone, on the stored files of the last round. */
export interface StageRate {
  stage: string;
  /** MiB of mbstream per second (the compressed stages: scaled by the compression ratio). */
  mibPerSecond: number;
  cpuCores: number;
}

export interface BackupBenchResult {
  date: string;
  rounds: number;
  command: string;
  dataset: typeof dataset & { datadirBytes: number; prepareSeconds: number };
  load: typeof load;
  writer: string;
  backupNode: string;
  idleMachine: { busyCores: number; loadAverage: string };
  loadAverageAtEnd: string;
  totalSeconds: number;
  backups: BackupRun[];
  s3: BackupRun[] | { skipped: string };
  stages: StageRate[];
  foreground: ForegroundRun[];
  restores: RestoreRun[];
  failures: { what: string; error: string }[];
  summary: {
    throughput: Record<BackupSide, Spread>;
    ofRawPercent: Spread;
    ofRawZstdPercent: Spread;
    agentOfRawPercent: Spread;
    /** Against raw mariabackup's file once fsync'd (durable, as the destination's). */
    ofRawDurablePercent: Spread;
    foreground: { without: Spread; with: Spread; percent: Spread };
    restore: { galeraPilot: Spread; raw: Spread; ratio: Spread };
  };
  goals: Goal[];
}

/** A run of the CLI: its output and when lines matching each watched pattern first appeared. */
interface CliRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  startedAt: number;
  endedAt: number;
  seen: (number | null)[];
}

function runCli(args: string[], env: Record<string, string>, watch: RegExp[] = []): Promise<CliRun> {
  const startedAt = performance.now();
  const child = spawn(process.execPath, [agentEntry, ...args], {
    env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const seen: (number | null)[] = watch.map(() => null);
  child.stdout.on("data", (c: Buffer) => {
    stdout += c.toString();
    watch.forEach((re, i) => {
      if (seen[i] === null && re.test(stdout)) seen[i] = performance.now();
    });
  });
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (exitCode) =>
      resolve({ exitCode, stdout, stderr, startedAt, endedAt: performance.now(), seen }),
    );
  });
}

/**
 * Runs a child to its end; rejects with its last output when it fails. `stdout` a file
 * descriptor, or nothing; `stderr` a file it is appended to (mariabackup's long log), else kept
 * for the error message.
 */
function run(
  command: string,
  args: string[],
  io: { stdout?: number; stderrFile?: string } = {},
): Promise<void> {
  const errFd = io.stderrFile === undefined ? null : openSync(io.stderrFile, "a");
  const child = spawn(command, args, { stdio: ["ignore", io.stdout ?? "ignore", errFd ?? "pipe"] });
  if (errFd !== null) closeSync(errFd);
  let err = "";
  child.stderr?.on("data", (c: Buffer) => (err = (err + c.toString()).slice(-2000)));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (code === 0) return resolve();
      if (io.stderrFile !== undefined) err = readFileSync(io.stderrFile, "utf8").slice(-2000);
      reject(
        new Error(
          `${command} ${args[0] ?? ""} … exited ${code ?? signal}: ${err.trim().split("\n").slice(-2).join(" / ")}`,
        ),
      );
    });
  });
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** mariabackup's arguments as the agent gives them (src/backup/backup-stream.ts). */
function mariabackupArgs(node: LocalNode, scratch: string): string[] {
  return [
    `--defaults-file=${join(node.runDir, "my.cnf")}`,
    "--backup",
    "--stream=mbstream",
    "--galera-info",
    `--target-dir=${scratch}`,
    "--user=root",
    `--socket=${node.socket}`,
  ];
}

function fsyncPath(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Dirty pages of earlier runs written out first, so that no run pays for the one before. */
function syncDisks(): void {
  spawnSync("sync");
}

/** Bytes a stream of zstd frames decompresses to (read after the timed run). */
async function decompressedBytes(file: string): Promise<number> {
  const zstd = spawn("zstd", ["-q", "-d", "-c", file], { stdio: ["ignore", "pipe", "inherit"] });
  let bytes = 0;
  zstd.stdout.on("data", (c: Buffer) => (bytes += c.length));
  await new Promise<void>((resolve, reject) =>
    zstd.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`zstd -d ${file} exited ${code}`)))),
  );
  return bytes;
}

function datadirBytes(datadir: string): number {
  const out = spawnSync("du", ["-sb", datadir], { encoding: "utf8" });
  return Number(out.stdout.split("\t")[0]);
}

function loadAverage(): string {
  return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
}

/** The machine's busy cores over a few seconds before the benchmark starts anything. */
async function idleMachine(): Promise<{ busyCores: number; loadAverage: string }> {
  const sampler = startCpuSampler(() => "any");
  await sleep(5000);
  return { busyCores: sampler.stop().machineBusy, loadAverage: loadAverage() };
}

interface Context {
  b: BenchCluster;
  backupNode: LocalNode;
  writer: LocalNode;
  destination: string;
  agents: string;
  cliEnv: Record<string, string>;
  pids: { agent: number; mariadbd: number; agents: Set<number>; mariadbds: Set<number> };
}

async function refreshPids(ctx: Context): Promise<void> {
  const status = await ctx.b.cluster.status();
  const me = status.find((n) => n.name === ctx.backupNode.name)!;
  ctx.pids = {
    agent: me.agentPid ?? -1,
    mariadbd: me.pid ?? -1,
    agents: new Set(status.flatMap((n) => (n.agentPid === null ? [] : [n.agentPid]))),
    mariadbds: new Set(status.flatMap((n) => (n.pid === null ? [] : [n.pid]))),
  };
}

/** The labels of the CPU table: the backup's own processes apart, everything outside the bench as one. */
function cpuLabel(ctx: Context): (p: ProcessInfo) => string {
  return (p) => {
    if (!p.ours) return "outside this bench";
    if (p.pid === process.pid) return "bench process";
    if (p.pid === ctx.pids.agent) return "agent of the backup node";
    if (p.pid === ctx.pids.mariadbd) return "mariadbd of the backup node";
    if (ctx.pids.mariadbds.has(p.pid)) return "mariadbd, other nodes";
    if (ctx.pids.agents.has(p.pid)) return "agents, other nodes";
    if (["mariabackup", "zstd", "mbstream", "sysbench", "haproxy"].includes(p.comm)) return p.comm;
    if (p.comm === "node" || p.comm.startsWith("node")) return "galera-pilot command";
    return "other (ours)";
  };
}

async function waitAllSynced(ctx: Context): Promise<void> {
  await ctx.b.cluster.waitFor(allSynced, 300_000, "3 of 3 synced");
}

interface Manifest {
  state: string;
  startedAt: string;
  endedAt?: string;
  bytesStreamed: number;
  bytesStored: number;
}

/** One `galera-pilot backup` of the backup node, timed from the command's start to "is complete". */
async function galeraPilotBackup(
  ctx: Context,
  manifestOf: (id: string) => Promise<Manifest>,
): Promise<{ id: string; seconds: number; startSeconds: number; manifest: Manifest; cli: CliRun }> {
  const cli = await runCli(["backup", "--nodes", ctx.agents, "--node", ctx.backupNode.name], ctx.cliEnv, [
    /^backup \S+ started on /m,
    /^backup \S+ is complete /m,
  ]);
  const [startedLine, completeLine] = cli.seen;
  if (cli.exitCode !== 0 || completeLine === null || startedLine === null) {
    throw new Error(
      `galera-pilot backup exited ${cli.exitCode}: ${(cli.stderr + cli.stdout).trim().slice(-600)}`,
    );
  }
  const id = /^backup (\S+) started on /m.exec(cli.stdout)![1]!;
  const manifest = await manifestOf(id);
  return {
    id,
    seconds: (completeLine! - cli.startedAt) / 1000,
    startSeconds: (startedLine! - cli.startedAt) / 1000,
    manifest,
    cli,
  };
}

function agentSeconds(m: Manifest): number {
  return (Date.parse(m.endedAt ?? m.startedAt) - Date.parse(m.startedAt)) / 1000;
}

/** Raw mariabackup of the backup node into a file of the destination folder, then fsync'd. */
async function rawBackup(
  ctx: Context,
  file: string,
  compress: boolean,
): Promise<{ seconds: number; durableSeconds: number }> {
  const scratch = mkdtempSync(join(ctx.b.stateDir, "raw-backup-scratch-"));
  try {
    const args = mariabackupArgs(ctx.backupNode, scratch);
    // As a person runs it: its log to a file, its stream to the sink.
    const log = join(ctx.b.stateDir, "raw-mariabackup.log");
    const startedAt = performance.now();
    if (compress) {
      await run(
        "bash",
        ["-o", "pipefail", "-c", `mariabackup ${args.map(quote).join(" ")} | zstd -q -1 -c > ${quote(file)}`],
        { stderrFile: log },
      );
    } else {
      const fd = openSync(file, "wx");
      try {
        await run("mariabackup", args, { stdout: fd, stderrFile: log });
      } finally {
        closeSync(fd);
      }
    }
    const exitedAt = performance.now();
    fsyncPath(file);
    fsyncPath(dirname(file));
    const durableAt = performance.now();
    return { seconds: (exitedAt - startedAt) / 1000, durableSeconds: (durableAt - startedAt) / 1000 };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function measureBackups(
  ctx: Context,
  rounds: number,
  noteFailure: (what: string, error: string) => void,
): Promise<{ runs: BackupRun[]; keptId: string; rawFile: string; storedFile: string }> {
  const runs: BackupRun[] = [];
  let position = 0;
  let keptId = "";
  const rawFile = join(ctx.destination, "raw-last.mbstream");
  const localManifest = async (id: string): Promise<Manifest> =>
    JSON.parse(readFileSync(join(ctx.destination, id, "manifest.json"), "utf8")) as Manifest;
  // Warm-up, not measured: the datadir's pages and mariabackup's own files in the page cache.
  progress(`warm-up: raw mariabackup of ${ctx.backupNode.name} to /dev/null`);
  const warm = mkdtempSync(join(ctx.b.stateDir, "raw-backup-scratch-"));
  await run("mariabackup", mariabackupArgs(ctx.backupNode, warm), {
    stderrFile: join(ctx.b.stateDir, "raw-mariabackup.log"),
  });
  rmSync(warm, { recursive: true, force: true });
  for (let round = 1; round <= rounds; round++) {
    for (const side of rotated(backupSides, round - 1)) {
      const what = `round ${round} ${side} backup`;
      const record = await repeatOnceOnFailure(
        what,
        async (): Promise<BackupRun> => {
          await waitAllSynced(ctx);
          await refreshPids(ctx);
          syncDisks();
          const sampler = startCpuSampler(cpuLabel(ctx));
          if (side === "galera-pilot") {
            const taken = await galeraPilotBackup(ctx, localManifest).finally(() => sampler.stop());
            const cpu = sampler.stop();
            // Only the last is kept (for the restores); the others go, so the disk holds one.
            if (keptId !== "") rmSync(join(ctx.destination, keptId), { recursive: true, force: true });
            keptId = taken.id;
            return {
              side,
              round,
              position: 0,
              seconds: taken.seconds,
              agentSeconds: agentSeconds(taken.manifest),
              durableSeconds: null,
              startSeconds: taken.startSeconds,
              mbstreamBytes: taken.manifest.bytesStreamed,
              storedBytes: taken.manifest.bytesStored,
              mibPerSecond: taken.manifest.bytesStreamed / mib / taken.seconds,
              cpu,
            };
          }
          const file = join(ctx.destination, `raw-${round}.${side === "raw" ? "mbstream" : "mbstream.zst"}`);
          rmSync(file, { force: true });
          const timed = await rawBackup(ctx, file, side === "raw+zstd").catch((error: unknown) => {
            sampler.stop();
            rmSync(file, { force: true });
            throw error;
          });
          const cpu = sampler.stop();
          const storedBytes = statSync(file).size;
          const mbstreamBytes = side === "raw" ? storedBytes : await decompressedBytes(file);
          if (side === "raw") {
            rmSync(rawFile, { force: true });
            spawnSync("mv", [file, rawFile]);
          } else {
            rmSync(file, { force: true });
          }
          return {
            side,
            round,
            position: 0,
            seconds: timed.seconds,
            agentSeconds: null,
            durableSeconds: timed.durableSeconds,
            startSeconds: null,
            mbstreamBytes,
            storedBytes,
            mibPerSecond: mbstreamBytes / mib / timed.seconds,
            cpu,
          };
        },
        (error) => noteFailure(what, error),
      );
      record.position = ++position;
      runs.push(record);
      progress(
        `${what}: ${record.mibPerSecond.toFixed(1)} MiB/s (${(record.mbstreamBytes / mib).toFixed(0)} MiB in ${record.seconds.toFixed(2)} s); cores: ${formatCpuUse(record.cpu)}`,
      );
    }
  }
  return { runs, keptId, rawFile, storedFile: join(ctx.destination, keptId, "backup.mbstream.zst") };
}

/** Reads `file` through `through` (or none) into nothing; MiB/s of the file and the CPU it took. */
async function timedRead(
  file: string,
  through: (() => NodeJS.ReadWriteStream) | null,
  hash: boolean,
): Promise<{ seconds: number; cpu: number }> {
  const before = process.cpuUsage();
  const startedAt = performance.now();
  const h = createHash("sha256");
  const sink = new Writable({
    write(chunk: Buffer, _e, callback) {
      if (hash) h.update(chunk);
      callback();
    },
  });
  const source = createReadStream(file);
  await (through ? pipeline(source, through(), sink) : pipeline(source, sink));
  if (hash) h.digest("hex");
  const seconds = (performance.now() - startedAt) / 1000;
  const used = process.cpuUsage(before);
  return { seconds, cpu: (used.user + used.system) / 1e6 / seconds };
}

/**
 * Each stage of the agent's pipeline alone, on the stored files of the last round (in the
 * page cache, most likely: just written): which one limits the whole.
 */
async function measureStages(rawFile: string, storedFile: string): Promise<StageRate[]> {
  const rawBytes = statSync(rawFile).size;
  const storedBytes = statSync(storedFile).size;
  const ratio = rawBytes / storedBytes;
  const stages: StageRate[] = [];
  const zstdAlone = async (threads: string[], label: string): Promise<void> => {
    const sampler = startCpuSampler((p) => (p.comm === "zstd" ? "zstd" : "other"));
    const startedAt = performance.now();
    await run("zstd", ["-q", "-1", ...threads, "-c", rawFile]);
    const seconds = (performance.now() - startedAt) / 1000;
    const cpu = sampler.stop();
    stages.push({ stage: label, mibPerSecond: rawBytes / mib / seconds, cpuCores: cpu.byLabel["zstd"] ?? 0 });
  };
  const read = await timedRead(rawFile, null, false);
  stages.push({
    stage: "reading the mbstream file in Node (no work: the floor)",
    mibPerSecond: rawBytes / mib / read.seconds,
    cpuCores: read.cpu,
  });
  const tap = await timedRead(rawFile, () => new MbstreamTap(), false);
  stages.push({
    stage: "the mbstream tap (Node)",
    mibPerSecond: rawBytes / mib / tap.seconds,
    cpuCores: tap.cpu,
  });
  const sha = await timedRead(storedFile, null, true);
  stages.push({
    stage: `sha256 of the compressed stream (Node; × ${ratio.toFixed(2)}, the compression ratio)`,
    mibPerSecond: (storedBytes * ratio) / mib / sha.seconds,
    cpuCores: sha.cpu,
  });
  await zstdAlone([], "`zstd -1` (as the agent runs it: one thread)");
  await zstdAlone(["-T2"], "`zstd -1 -T2` (two worker threads; not what the agent runs)");
  return stages;
}

async function measureRestores(
  ctx: Context,
  rounds: number,
  id: string,
  storedFile: string,
  noteFailure: (what: string, error: string) => void,
): Promise<RestoreRun[]> {
  const runs: RestoreRun[] = [];
  const base = join(ctx.b.stateDir, "restores");
  mkdirSync(base, { recursive: true });
  let position = 0;
  for (let round = 1; round <= rounds; round++) {
    for (const side of rotated(["galera-pilot", "raw"] as const, round - 1)) {
      const what = `round ${round} ${side} restore`;
      const target = join(base, `${side}-${round}`);
      const record = await repeatOnceOnFailure(
        what,
        async (): Promise<RestoreRun> => {
          rmSync(target, { recursive: true, force: true });
          syncDisks();
          await refreshPids(ctx);
          const sampler = startCpuSampler(cpuLabel(ctx));
          const startedAt = performance.now();
          try {
            if (side === "galera-pilot") {
              const cli = await runCli(
                ["restore", "--from", id, "--datadir", target, "--destination", ctx.destination],
                ctx.cliEnv,
              );
              if (cli.exitCode !== 0)
                throw new Error(
                  `galera-pilot restore exited ${cli.exitCode}: ${cli.stderr.trim().slice(-600)}`,
                );
              const seconds = (cli.endedAt - cli.startedAt) / 1000;
              return { side, round, position: 0, seconds, phases: null, cpu: sampler.stop() };
            }
            const scratch = mkdtempSync(join(base, ".raw-scratch-"));
            try {
              await run("bash", [
                "-o",
                "pipefail",
                "-c",
                `zstd -q -d -c ${quote(storedFile)} | mbstream -x -C ${quote(scratch)}`,
              ]);
              const unpackedAt = performance.now();
              await run("mariabackup", ["--prepare", `--target-dir=${scratch}`]);
              const preparedAt = performance.now();
              mkdirSync(target);
              await run("mariabackup", [
                `--defaults-file=${join(scratch, "backup-my.cnf")}`,
                "--move-back",
                `--target-dir=${scratch}`,
                `--datadir=${target}/`,
              ]);
              const movedAt = performance.now();
              return {
                side,
                round,
                position: 0,
                seconds: (movedAt - startedAt) / 1000,
                phases: {
                  unpack: (unpackedAt - startedAt) / 1000,
                  prepare: (preparedAt - unpackedAt) / 1000,
                  moveBack: (movedAt - preparedAt) / 1000,
                },
                cpu: sampler.stop(),
              };
            } finally {
              rmSync(scratch, { recursive: true, force: true });
            }
          } finally {
            sampler.stop();
            rmSync(target, { recursive: true, force: true });
          }
        },
        (error) => noteFailure(what, error),
      );
      record.position = ++position;
      runs.push(record);
      const phases = record.phases
        ? ` (unpack ${record.phases.unpack.toFixed(2)} s, prepare ${record.phases.prepare.toFixed(2)} s, move-back ${record.phases.moveBack.toFixed(2)} s)`
        : "";
      progress(`${what}: ${record.seconds.toFixed(2)} s${phases}; cores: ${formatCpuUse(record.cpu)}`);
    }
  }
  return runs;
}

/** `galera-pilot backup` again and again until `done()`, each once the backup node is synced again. */
async function backupsUntil(
  ctx: Context,
  done: () => boolean,
): Promise<{ start: number; end: number; id: string }[]> {
  const spans: { start: number; end: number; id: string }[] = [];
  while (!done()) {
    const status = await ctx.b.cluster.status();
    if (status.find((n) => n.name === ctx.backupNode.name)?.phase !== "synced") {
      await sleep(250);
      continue;
    }
    const cli = await runCli(["backup", "--nodes", ctx.agents, "--node", ctx.backupNode.name], ctx.cliEnv, [
      /^backup \S+ is complete /m,
    ]);
    const id = /^backup (\S+) started on /m.exec(cli.stdout)?.[1];
    // 3: refused by the rules (the node's agent did not see it synced yet): asked again.
    if (cli.exitCode === 3) continue;
    if (cli.exitCode !== 0 || id === undefined) {
      throw new Error(
        `galera-pilot backup under load exited ${cli.exitCode}: ${(cli.stderr + cli.stdout).trim().slice(-600)}`,
      );
    }
    spans.push({ start: cli.startedAt, end: cli.seen[0] ?? cli.endedAt, id });
  }
  return spans;
}

async function measureForeground(
  ctx: Context,
  rounds: number,
  noteFailure: (what: string, error: string) => void,
): Promise<ForegroundRun[]> {
  const router = await ctx.b.haproxy("router", (statsSocket) =>
    renderedRouterConfig(ctx.b.cluster.layout, { address: routerAddress, port: routerPort }, statsSocket, {
      // As the local cluster's router: one machine for HAProxy, the nodes and sysbench.
      threads: 1,
    }),
  );
  // HAProxy sends writes nowhere while no writer passed its checks: at its start, and after
  // it marked the writer DOWN (a run that failed so is repeated once the writer is back).
  const writerUp = async (): Promise<void> => {
    const deadline = Date.now() + 60_000;
    while (![...(await serverStates(router, "galera_writer")).values()].includes("UP")) {
      if (Date.now() > deadline) throw new Error("HAProxy marked no writer UP within 60 s");
      await sleep(200);
    }
  };
  const routerDowns = async (): Promise<{ writer: number; backupNode: number; others: number }> => {
    const readers = await downTransitionsByServer(router, "galera_readers");
    const backupNode = readers.get(ctx.backupNode.name) ?? 0;
    const all = [...readers.values()].reduce((a, b) => a + b, 0);
    return { writer: await downTransitions(router, "galera_writer"), backupNode, others: all - backupNode };
  };
  await writerUp();
  const target = { host: routerAddress, port: routerPort, ...ctx.b.credentials };
  const sysbenchLoad = { ...dataset, ...load };
  progress(`warm-up: oltp_write_only through HAProxy for ${warmUpSeconds} s`);
  await measureSysbench(ctx.b.stateDir, target, "oltp_write_only", {
    ...sysbenchLoad,
    seconds: warmUpSeconds,
  });
  const runs: ForegroundRun[] = [];
  let position = 0;
  for (let round = 1; round <= rounds; round++) {
    for (const withBackup of rotated([false, true], round - 1)) {
      const what = `round ${round} oltp_write_only ${withBackup ? "with backups" : "without a backup"}`;
      const record = await repeatOnceOnFailure(
        what,
        async (): Promise<ForegroundRun> => {
          await waitAllSynced(ctx);
          await refreshPids(ctx);
          syncDisks();
          const confBefore = await viewCounter(ctx.writer.socket);
          const pausesBefore = Number(
            await globalValue(ctx.writer.socket, "STATUS", "wsrep_flow_control_recv"),
          );
          const downsBefore = await routerDowns();
          const sampler = startCpuSampler(cpuLabel(ctx));
          let ended = false;
          const windowStart = performance.now();
          const measured = measureSysbench(ctx.b.stateDir, target, "oltp_write_only", sysbenchLoad).finally(
            () => {
              ended = true;
            },
          );
          // Settled at once: a backup that fails while sysbench runs is an error of this run, not an unhandled one.
          const backups = (withBackup ? backupsUntil(ctx, () => ended) : Promise.resolve([])).then(
            (spans) => ({ spans }),
            (error: unknown) => ({ error }),
          );
          const outcome = await measured.then(
            (result) => ({ result }),
            (error: unknown) => ({ error }),
          );
          const cpu = sampler.stop();
          const windowEnd = performance.now();
          const backupsEnded = await backups;
          if ("error" in outcome) {
            // One line for the failures' list: sysbench's first FATAL, and what HAProxy did meanwhile.
            const text = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
            const fatal = /^FATAL: (.*)$/m.exec(text)?.[1] ?? text.split("\n")[0];
            throw new Error(
              `sysbench failed after ${((windowEnd - windowStart) / 1000).toFixed(0)} s (${fatal}); HAProxy marked the writer DOWN ${(await routerDowns()).writer - downsBefore.writer} times meanwhile\n${text}`,
            );
          }
          if ("error" in backupsEnded) throw backupsEnded.error;
          const { result } = outcome;
          const { spans } = backupsEnded;
          for (const s of spans) rmSync(join(ctx.destination, s.id), { recursive: true, force: true });
          const covered = spans.reduce(
            (sum, s) => sum + Math.max(0, Math.min(s.end, windowEnd) - Math.max(s.start, windowStart)),
            0,
          );
          const confAfter = await viewCounter(ctx.writer.socket);
          const pausesAfter = Number(
            await globalValue(ctx.writer.socket, "STATUS", "wsrep_flow_control_recv"),
          );
          const downsAfter = await routerDowns();
          return {
            ...result,
            flowControlPauses: pausesAfter - pausesBefore,
            writerDowns: downsAfter.writer - downsBefore.writer,
            readerDowns: {
              backupNode: downsAfter.backupNode - downsBefore.backupNode,
              others: downsAfter.others - downsBefore.others,
            },
            withBackup,
            round,
            position: 0,
            backups: spans.length,
            coveredPercent: (100 * covered) / (windowEnd - windowStart),
            viewChanges: confAfter - confBefore,
            cpu,
          };
        },
        (error) => noteFailure(what, error),
        writerUp,
      );
      record.position = ++position;
      runs.push(record);
      progress(
        `${what}: ${record.tps.toFixed(1)} tps, p95 ${record.latencyP95Ms} ms, ${record.backups} backups covering ${record.coveredPercent.toFixed(0)} % of the window, writer DOWN ${record.writerDowns}, readers DOWN ${record.readerDowns.backupNode} (backup node) + ${record.readerDowns.others}; cores: ${formatCpuUse(record.cpu)}`,
      );
    }
  }
  return runs;
}

/** The same `galera-pilot backup` with the backup node's destination on the S3 stand-in (not interleaved). */
async function measureS3(ctx: Context, rounds: number): Promise<BackupRun[]> {
  const standIn = await S3StandIn.start({ buckets: ["backups"] });
  try {
    const s3 = {
      GALERA_PILOT_S3_ENDPOINT: standIn.endpoint,
      GALERA_PILOT_S3_ACCESS_KEY_ID: standInAccessKeyId,
      GALERA_PILOT_S3_SECRET_ACCESS_KEY: standInSecretAccessKey,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    };
    const destination = "s3://backups/bench";
    progress(
      `restarting ${ctx.backupNode.name} with its destination on the S3 stand-in (${standIn.endpoint})`,
    );
    ctx.b.cluster.setNodeEnv(ctx.backupNode.name, { ...s3, GALERA_PILOT_BACKUP_DESTINATION: destination });
    await ctx.b.cluster.stopNode(ctx.backupNode.name);
    ctx.b.cluster.startNode(ctx.backupNode.name);
    const manifestOf = async (id: string): Promise<Manifest> => {
      const cli = await runCli(["backup", "list", "--json", "--destination", destination], {
        ...ctx.cliEnv,
        ...s3,
      });
      const found = (JSON.parse(cli.stdout) as { backups: (Manifest & { id: string })[] }).backups.find(
        (m) => m.id === id,
      );
      if (!found) throw new Error(`backup ${id} is not listed on the stand-in: ${cli.stderr}`);
      return found;
    };
    const runs: BackupRun[] = [];
    for (let round = 1; round <= rounds; round++) {
      await waitAllSynced(ctx);
      await refreshPids(ctx);
      syncDisks();
      const sampler = startCpuSampler(cpuLabel(ctx));
      const taken = await galeraPilotBackup(ctx, manifestOf).finally(() => sampler.stop());
      const cpu = sampler.stop();
      const record: BackupRun = {
        side: "galera-pilot, S3 stand-in",
        round,
        position: round,
        seconds: taken.seconds,
        agentSeconds: agentSeconds(taken.manifest),
        durableSeconds: null,
        startSeconds: taken.startSeconds,
        mbstreamBytes: taken.manifest.bytesStreamed,
        storedBytes: taken.manifest.bytesStored,
        mibPerSecond: taken.manifest.bytesStreamed / mib / taken.seconds,
        cpu,
      };
      runs.push(record);
      progress(
        `S3 stand-in round ${round}: ${record.mibPerSecond.toFixed(1)} MiB/s (${record.seconds.toFixed(2)} s); cores: ${formatCpuUse(cpu)}`,
      );
    }
    return runs;
  } finally {
    await standIn.dispose();
  }
}

export async function benchBackup(): Promise<BackupBenchResult> {
  const startedAt = performance.now();
  const rounds = countFromEnv(roundsEnv, defaultRounds);
  dataset.tableSize = countFromEnv(tableSizeEnv, dataset.tableSize);
  load.seconds = countFromEnv(loadSecondsEnv, load.seconds);
  progress("the machine before anything starts: 5 s of its CPU");
  const idle = await idleMachine();
  progress(`busy cores before the benchmark: ${idle.busyCores.toFixed(2)}, load average ${idle.loadAverage}`);
  return withBenchCluster("backup", firstAddress, localRunnerAgentEnv, async (b) => {
    const writerName = await electedWriter(b.cluster);
    const writer = b.cluster.layout.find((n) => n.name === writerName)!;
    // The last node that is not the writer: the rules' own choice would move from one to the
    // other as each backup resets its node's syncedSince; the same node keeps the runs comparable.
    const backupNode = [...b.cluster.layout].reverse().find((n) => n.name !== writerName)!;
    const ctx: Context = {
      b,
      backupNode,
      writer,
      destination: localBackupFolder(b.stateDir),
      agents: b.cluster.layout.map((n) => `${n.name}=${n.healthUrl}`).join(","),
      cliEnv: { GALERA_PILOT_CLUSTER_SECRET_FILE: b.cluster.secrets.clusterSecret },
      pids: { agent: -1, mariadbd: -1, agents: new Set(), mariadbds: new Set() },
    };
    const failures: { what: string; error: string }[] = [];
    const noteFailure = (what: string, error: string): void => void failures.push({ what, error });

    // The dataset: sysbench's own prepare, with commits not flushed meanwhile (the setup
    // only; the settings are put back and read back before anything is measured).
    const direct = { host: writer.address, port: 3306, ...b.credentials };
    await sqlOn(writer.socket, "CREATE DATABASE IF NOT EXISTS sbtest");
    const flushBefore = await globalValue(writer.socket, "VARIABLES", "innodb_flush_log_at_trx_commit");
    for (const n of b.cluster.layout) await sqlOn(n.socket, "SET GLOBAL innodb_flush_log_at_trx_commit=0");
    progress(
      `sysbench oltp_write_only prepare: ${dataset.tables} tables of ${dataset.tableSize} rows on ${writerName}`,
    );
    const prepareStart = performance.now();
    await sysbenchPrepare(b.stateDir, direct, "oltp_write_only", { ...dataset, ...load }, 2);
    const prepareSeconds = (performance.now() - prepareStart) / 1000;
    for (const n of b.cluster.layout) {
      await sqlOn(n.socket, `SET GLOBAL innodb_flush_log_at_trx_commit=${flushBefore}`);
      const now = await globalValue(n.socket, "VARIABLES", "innodb_flush_log_at_trx_commit");
      if (now !== flushBefore)
        throw new Error(`${n.name}: innodb_flush_log_at_trx_commit is ${now}, not ${flushBefore}`);
    }
    await waitAllSynced(ctx);
    const bytes = datadirBytes(backupNode.datadir);
    progress(
      `prepared in ${prepareSeconds.toFixed(0)} s; ${backupNode.name}'s datadir holds ${(bytes / 1e9).toFixed(2)} GB`,
    );

    const backups = await measureBackups(ctx, rounds, noteFailure);
    progress("each stage of the pipeline alone, on the last round's files");
    const stages = await measureStages(backups.rawFile, backups.storedFile);
    for (const s of stages)
      progress(`${s.stage}: ${s.mibPerSecond.toFixed(0)} MiB/s, ${s.cpuCores.toFixed(2)} cores`);
    rmSync(backups.rawFile, { force: true });
    // The foreground before the restores, whose gigabytes of writes would push the datadirs'
    // pages out of the page cache just before it.
    const foreground = await measureForeground(ctx, rounds, noteFailure);
    const restores = await measureRestores(ctx, rounds, backups.keptId, backups.storedFile, noteFailure);
    let s3: BackupRun[] | { skipped: string };
    try {
      s3 = await measureS3(ctx, rounds);
    } catch (error) {
      s3 = { skipped: error instanceof Error ? error.message.split("\n")[0]! : String(error) };
      progress(`S3 stand-in rows skipped: ${s3.skipped}`);
    }

    const of = (side: BackupSide): BackupRun[] => backups.runs.filter((r) => r.side === side);
    const throughput = Object.fromEntries(
      backupSides.map((s) => [s, spread(of(s).map((r) => r.mibPerSecond))]),
    ) as Record<BackupSide, Spread>;
    const ofRawPercent = spread(
      pairedByRound(of("galera-pilot"), of("raw"), (g, r) => (100 * g.mibPerSecond) / r.mibPerSecond),
    );
    const ofRawZstdPercent = spread(
      pairedByRound(of("galera-pilot"), of("raw+zstd"), (g, r) => (100 * g.mibPerSecond) / r.mibPerSecond),
    );
    const agentOfRawPercent = spread(
      pairedByRound(
        of("galera-pilot"),
        of("raw"),
        (g, r) => (100 * (g.mbstreamBytes / g.agentSeconds!)) / (r.mbstreamBytes / r.seconds),
      ),
    );
    const ofRawDurablePercent = spread(
      pairedByRound(
        of("galera-pilot"),
        of("raw"),
        (g, r) => (100 * g.mibPerSecond) / (r.mbstreamBytes / mib / r.durableSeconds!),
      ),
    );
    const fg = (w: boolean): ForegroundRun[] => foreground.filter((r) => r.withBackup === w);
    const fgPercent = spread(pairedByRound(fg(true), fg(false), (w, wo) => (100 * w.tps) / wo.tps));
    const rs = (side: RestoreSide): RestoreRun[] => restores.filter((r) => r.side === side);
    const restoreRatio = spread(
      pairedByRound(rs("galera-pilot"), rs("raw"), (g, r) => g.seconds / r.seconds),
    );
    const summary = {
      throughput,
      ofRawPercent,
      ofRawZstdPercent,
      agentOfRawPercent,
      ofRawDurablePercent,
      foreground: {
        without: spread(fg(false).map((r) => r.tps)),
        with: spread(fg(true).map((r) => r.tps)),
        percent: fgPercent,
      },
      restore: {
        galeraPilot: spread(rs("galera-pilot").map((r) => r.seconds)),
        raw: spread(rs("raw").map((r) => r.seconds)),
        ratio: restoreRatio,
      },
    };
    const goals: Goal[] = [
      {
        goal: `the dataset is at least 1 GB (${backupNode.name}'s datadir, \`du -sb\`)`,
        met: bytes >= minimumDatasetBytes,
        detail: `${(bytes / 1e9).toFixed(2)} GB`,
      },
      {
        goal: `\`galera-pilot backup\` ≥ ${throughputGoalPercent} % of raw mariabackup's throughput (bytes of mbstream per second, the command's start to "is complete"; median of the rounds' ratios)`,
        met: ofRawPercent.median >= throughputGoalPercent,
        detail: `${formatSpread(ofRawPercent, 1)} % (the agent's run alone, the manifest's start to end: ${formatSpread(agentOfRawPercent, 1)} %; of raw once its file is fsync'd: ${formatSpread(ofRawDurablePercent, 1)} %; of raw piped through \`zstd -1\`: ${formatSpread(ofRawZstdPercent, 1)} %)`,
      },
      {
        goal: `sysbench \`oltp_write_only\` through HAProxy with a backup running ≥ ${foregroundGoalPercent} % of its transactions/s without (median of the rounds' ratios)`,
        met: fgPercent.median >= foregroundGoalPercent,
        detail: `${formatSpread(fgPercent, 1)} %`,
      },
      {
        goal: `\`galera-pilot restore\` ≤ ${restoreGoalRatio}× the time of raw \`zstd -d | mbstream -x\`, \`--prepare\`, \`--move-back\` (median of the rounds' ratios)`,
        met: restoreRatio.median <= restoreGoalRatio,
        detail: `${formatSpread(restoreRatio, 2)}×`,
      },
    ];
    return {
      date: new Date().toISOString(),
      rounds,
      command: reproduceCommand("backup", [
        { env: roundsEnv, value: rounds },
        { env: tableSizeEnv, value: dataset.tableSize },
        { env: loadSecondsEnv, value: load.seconds },
      ]),
      dataset: { ...dataset, datadirBytes: bytes, prepareSeconds },
      load,
      writer: writerName,
      backupNode: backupNode.name,
      idleMachine: idle,
      loadAverageAtEnd: loadAverage(),
      totalSeconds: (performance.now() - startedAt) / 1000,
      backups: backups.runs,
      s3,
      stages,
      foreground,
      restores,
      failures,
      summary,
      goals,
    };
  });
}

export async function backupBenchmark(m: Machine): Promise<BenchmarkOutput> {
  return renderBackup(await benchBackup(), m);
}

/** The median of each label's cores over runs, as "label 0.95, …". */
function medianCpu(runs: readonly { cpu: CpuUse }[]): string {
  const labels = new Set(runs.flatMap((r) => Object.keys(r.cpu.byLabel)));
  const byLabel: Record<string, number> = {};
  for (const l of labels) byLabel[l] = median(runs.map((r) => r.cpu.byLabel[l] ?? 0));
  const busy = median(runs.map((r) => r.cpu.machineBusy));
  const read = median(runs.map((r) => r.cpu.diskReadMiB));
  const written = median(runs.map((r) => r.cpu.diskWrittenMiB));
  return `${formatCpuUse({ seconds: 0, byLabel, machineBusy: busy, diskReadMiB: read, diskWrittenMiB: written }, 0.03)}; the machine ${busy.toFixed(2)} of 2 cores busy; disks: ${read.toFixed(0)} MiB read, ${written.toFixed(0)} MiB written`;
}

/** The median over runs of the cores the given labels used together. */
function cores(runs: readonly { cpu: CpuUse }[], labels: readonly string[]): number {
  return median(runs.map((r) => labels.reduce((sum, l) => sum + (r.cpu.byLabel[l] ?? 0), 0)));
}

const backupProcesses = ["zstd", "mariabackup", "agent of the backup node", "galera-pilot command"];
const foregroundProcesses = ["mariadbd of the backup node", "mariadbd, other nodes", "haproxy", "sysbench"];

/**
 * For each goal not met, why, from this run's own measurements: the stages alone and where the
 * CPU went. What was tried beyond the benchmark is written by hand below its section.
 */
function whyNotMet(r: BackupBenchResult): string {
  const s = r.summary;
  const parts: string[] = [];
  const of = (side: BackupSide): BackupRun[] => r.backups.filter((x) => x.side === side);
  const stage = (prefix: string): StageRate | undefined => r.stages.find((x) => x.stage.startsWith(prefix));
  const zstd1 = stage("`zstd -1` ");
  const tap = stage("the mbstream tap");
  const sha = stage("sha256");
  const gpBusy = median(of("galera-pilot").map((x) => x.cpu.machineBusy));
  const gpOutside = cores(of("galera-pilot"), ["outside this bench"]);
  const rawZstdMeets =
    median(pairedByRound(of("raw+zstd"), of("raw"), (z, w) => (100 * z.mibPerSecond) / w.mibPerSecond)) >=
    throughputGoalPercent;
  if (!r.goals[1]!.met && zstd1 && tap && sha) {
    parts.push(`**Throughput.** Two things cost. First the compression, the slowest stage:
\`zstd -1\` on one thread (as the agent runs it), alone on the last round's mbstream, compresses
${zstd1.mibPerSecond.toFixed(0)} MiB/s on ${zstd1.cpuCores.toFixed(2)} cores, about raw mariabackup's own ${s.throughput.raw.median.toFixed(0)} MiB/s, and in a pipeline it
shares the cores with mariabackup and everything else: raw mariabackup piped through \`zstd -1\`
reached ${formatSpread(spread(pairedByRound(of("raw+zstd"), of("raw"), (z, w) => (100 * z.mibPerSecond) / w.mibPerSecond)), 1)} % of raw, so the compression by itself ${rawZstdMeets ? "leaves little of" : "already spends more than"} the
${100 - throughputGoalPercent} % the goal allows. Then the relay: galera-pilot puts its agent's Node process in
the data path twice: every byte of mbstream is read from mariabackup's pipe, parsed by the tap
and written to zstd's pipe, and every compressed byte read back, hashed and written to the
file. That took ${cores(of("galera-pilot"), ["agent of the backup node"]).toFixed(2)} cores during its runs (alone: the tap ${tap.mibPerSecond.toFixed(0)} MiB/s on ${tap.cpuCores.toFixed(2)} cores, the
sha256 ${sha.mibPerSecond.toFixed(0)} MiB/s of mbstream on ${sha.cpuCores.toFixed(2)}), and zstd ran on ${cores(of("galera-pilot"), ["zstd"]).toFixed(2)} cores in galera-pilot's runs against
${cores(of("raw+zstd"), ["zstd"]).toFixed(2)} in the raw | zstd runs, hence ${formatSpread(s.ofRawZstdPercent, 1)} % of raw | zstd's throughput. ${
      gpBusy >= 1.8
        ? `The machine was ${gpBusy.toFixed(2)} of 2 busy during galera-pilot's runs (other work ${gpOutside.toFixed(2)}): zstd waited
for a core, which the agent's relay and the other work held.`
        : `The machine was only ${gpBusy.toFixed(2)} of 2 busy during galera-pilot's runs (other work ${gpOutside.toFixed(2)}), so zstd
was not short of a core: it waited on the relay, the agent's one Node thread carrying the
stream into zstd and back out through 64 KiB pipe buffers.`
    }
Writing the ${(median(of("raw").map((x) => x.mbstreamBytes)) / mib).toFixed(0)} MiB file itself, raw mariabackup ran on
${cores(of("raw"), ["mariabackup"]).toFixed(2)} cores (into zstd's pipe: ${cores(of("raw+zstd"), ["mariabackup"]).toFixed(2)}): writing the stream into the page cache is
most of the baseline's CPU. Every backup run read about the whole datadir from the disks
(${median(r.backups.map((x) => x.cpu.diskReadMiB)).toFixed(0)} MiB, median): mariabackup's reads do not come from the page cache.`);
  }
  const fg = (w: boolean): ForegroundRun[] => r.foreground.filter((x) => x.withBackup === w);
  if (!r.goals[2]!.met && r.foreground.length > 0) {
    const fgWithout = cores(fg(false), foregroundProcesses);
    const fgWith = cores(fg(true), foregroundProcesses);
    const withPauses = fg(true).reduce((n, x) => n + x.flowControlPauses, 0);
    const withoutPauses = fg(false).reduce((n, x) => n + x.flowControlPauses, 0);
    parts.push(`**The foreground.** It loses what the backups take of the two cores. The cluster's and the
load's processes (three mariadbd, HAProxy, sysbench) ran on ${fgWithout.toFixed(2)} cores without a backup and on
${fgWith.toFixed(2)} with one (${((100 * fgWith) / fgWithout).toFixed(0)} %; the transactions: ${s.foreground.percent.median.toFixed(0)} %), while the backups' processes took
${cores(fg(true), backupProcesses).toFixed(2)} (zstd ${cores(fg(true), ["zstd"]).toFixed(2)}, the agent ${cores(fg(true), ["agent of the backup node"]).toFixed(2)}, mariabackup ${cores(fg(true), ["mariabackup"]).toFixed(2)}, the commands ${cores(fg(true), ["galera-pilot command"]).toFixed(2)}) and other work ${cores(r.foreground, ["outside this bench"]).toFixed(2)};
the machine was ${median(r.foreground.map((x) => x.cpu.machineBusy)).toFixed(2)} of 2 busy (median of the windows). ${
      withoutPauses > 0
        ? `Flow control paused the writer
${withoutPauses} times in the windows without a backup (the nodes applying its writes fall behind on this
machine) and ${withPauses} times in those with backups (a desynced node sends no pause): the backups
added no pause`
        : `The writer received ${withPauses} flow-control pauses in the windows with backups, none without`
    }. HAProxy marked the writer DOWN ${r.foreground.reduce((n, x) => n + x.writerDowns, 0)} times in all the windows; in the readers' pool it marked the backup node DOWN ${fg(true).reduce((n, x) => n + x.readerDowns.backupNode, 0)} times in the windows with backups (as it should: a desynced node answers 503 on /ready) and the other nodes ${r.foreground.reduce((n, x) => n + x.readerDowns.others, 0)} times. The backups also made the disks read ${(median(fg(true).map((x) => x.cpu.diskReadMiB)) - median(fg(false).map((x) => x.cpu.diskReadMiB))).toFixed(0)} MiB more per window (medians; mariabackup reads the datadir from the disk: see part 1), a disk the nodes' commits fsync on; this benchmark does not tell that share from the CPU's. Here the three
nodes, HAProxy and sysbench share one 2-core machine; with a node per host the backup node's
CPU is not the writer's, and what a backup costs the foreground would be the destination's
disk and network instead, which this benchmark does not measure.`);
  }
  const rs = (side: RestoreSide): RestoreRun[] => r.restores.filter((x) => x.side === side);
  if (!r.goals[3]!.met && r.restores.length > 0) {
    parts.push(`**Restore.** \`galera-pilot restore\` relays both streams through its Node process: the stored
bytes read from the file in 64 KiB chunks, hashed and written to zstd's pipe; the decompressed
mbstream read back from zstd, framing-checked by the tap and written to mbstream's pipe. The raw
way pipes zstd straight into mbstream, and zstd reads the file itself. The command ran on
${cores(rs("galera-pilot"), ["galera-pilot command"]).toFixed(2)} cores for its ${s.restore.galeraPilot.median.toFixed(2)} s, while zstd and mbstream together ran on
${cores(rs("galera-pilot"), ["zstd", "mbstream"]).toFixed(2)} cores against ${cores(rs("raw"), ["zstd", "mbstream"]).toFixed(2)} in the raw runs: they waited on it. \`--prepare\` and \`--move-back\` are the same
commands on both sides (raw: ${median(rs("raw").map((x) => (x.phases?.prepare ?? 0) + (x.phases?.moveBack ?? 0))).toFixed(2)} s together).`);
  }
  return parts.length === 0 ? "" : `\n### Why the goals are not met\n\n${parts.join("\n\n")}\n`;
}

export function renderBackup(r: BackupBenchResult, m: Machine): BenchmarkOutput {
  const s = r.summary;
  const of = (side: BackupRun["side"]): BackupRun[] => r.backups.filter((x) => x.side === side);
  const sideName: Record<BackupSide, string> = {
    raw: "raw `mariabackup --stream=mbstream > file` (baseline)",
    "raw+zstd": "raw `mariabackup … \\| zstd -1 > file`",
    "galera-pilot": "**`galera-pilot backup`** (the command's start to `is complete`)",
  };
  const mibOf = (runs: BackupRun[], f: (x: BackupRun) => number): Spread => spread(runs.map(f));
  const throughputRows = (["raw", "raw+zstd", "galera-pilot"] as const).map((side) => {
    const runs = of(side);
    const paired = pairedByRound(runs, of("raw"), (x, y) => (100 * x.mibPerSecond) / y.mibPerSecond);
    return [
      sideName[side],
      formatSpread(s.throughput[side], 1),
      formatSpread(
        mibOf(runs, (x) => x.seconds),
        2,
      ),
      formatSpread(
        mibOf(runs, (x) => x.storedBytes / mib),
        0,
      ),
      side === "raw" ? "100 %" : `${formatSpread(spread(paired), 1)} %`,
    ];
  });
  const raw = of("raw");
  throughputRows.splice(1, 0, [
    "raw, until its file is fsync'd (durable, as the destination's)",
    formatSpread(
      mibOf(raw, (x) => x.mbstreamBytes / mib / x.durableSeconds!),
      1,
    ),
    formatSpread(
      mibOf(raw, (x) => x.durableSeconds!),
      2,
    ),
    formatSpread(
      mibOf(raw, (x) => x.storedBytes / mib),
      0,
    ),
    `${formatSpread(spread(raw.map((x) => (100 * x.seconds) / x.durableSeconds!)), 1)} %`,
  ]);
  const gp = of("galera-pilot");
  throughputRows.push([
    "`galera-pilot backup`, the agent's run alone (the manifest's start to end)",
    formatSpread(
      mibOf(gp, (x) => x.mbstreamBytes / mib / x.agentSeconds!),
      1,
    ),
    formatSpread(
      mibOf(gp, (x) => x.agentSeconds!),
      2,
    ),
    formatSpread(
      mibOf(gp, (x) => x.storedBytes / mib),
      0,
    ),
    `${formatSpread(s.agentOfRawPercent, 1)} %`,
  ]);
  if (Array.isArray(r.s3)) {
    const rawMedian = s.throughput.raw.median;
    throughputRows.push([
      "`galera-pilot backup` to the S3 **stand-in, not a real store** (s3rver; not interleaved)",
      formatSpread(
        mibOf(r.s3, (x) => x.mibPerSecond),
        1,
      ),
      formatSpread(
        mibOf(r.s3, (x) => x.seconds),
        2,
      ),
      formatSpread(
        mibOf(r.s3, (x) => x.storedBytes / mib),
        0,
      ),
      `${((100 * spread(r.s3.map((x) => x.mibPerSecond)).median) / rawMedian).toFixed(1)} % of raw's median`,
    ]);
  }
  const throughputTable = markdownTable(
    ["side", "MiB/s of mbstream", "seconds", "MiB stored", "% of raw, each round"],
    throughputRows,
  );
  const cpuTable = markdownTable(
    ["side", "cores used during the run, and the disks' traffic (medians; 2 cores on this machine)"],
    [
      ...(["raw", "raw+zstd", "galera-pilot"] as const).map((side) => [sideName[side], medianCpu(of(side))]),
      ...(Array.isArray(r.s3) ? [["`galera-pilot backup` to the S3 stand-in", medianCpu(r.s3)]] : []),
    ],
  );
  const stageTable = markdownTable(
    ["stage, alone, on the last round's files", "MiB/s of mbstream", "cores"],
    r.stages.map((x) => [x.stage, x.mibPerSecond.toFixed(0), x.cpuCores.toFixed(2)]),
  );
  const backupRunsTable = markdownTable(
    [
      "round",
      "side",
      "order",
      "MiB/s",
      "seconds",
      "agent's / durable seconds",
      "to `started`",
      "MiB of mbstream",
      "MiB stored",
      "disk MiB read",
    ],
    [...r.backups, ...(Array.isArray(r.s3) ? r.s3 : [])].map((x) => [
      String(x.round),
      x.side,
      String(x.position),
      x.mibPerSecond.toFixed(1),
      x.seconds.toFixed(2),
      (x.agentSeconds ?? x.durableSeconds)!.toFixed(2),
      x.startSeconds === null ? "—" : x.startSeconds.toFixed(2),
      (x.mbstreamBytes / mib).toFixed(0),
      (x.storedBytes / mib).toFixed(0),
      x.cpu.diskReadMiB.toFixed(0),
    ]),
  );
  const fg = (w: boolean): ForegroundRun[] => r.foreground.filter((x) => x.withBackup === w);
  const foregroundTable = markdownTable(
    [
      "oltp_write_only through HAProxy",
      "tps",
      "p95 ms",
      "% of without, each round",
      "backups in the window",
      "window covered by a backup",
    ],
    [false, true].map((w) => [
      w ? "**with backups running**" : "without a backup (baseline)",
      formatSpread(w ? s.foreground.with : s.foreground.without, 1),
      formatSpread(spread(fg(w).map((x) => x.latencyP95Ms)), 2),
      w ? `**${formatSpread(s.foreground.percent, 1)} %**` : "100 %",
      w ? formatSpread(spread(fg(w).map((x) => x.backups)), 0) : "—",
      w ? `${formatSpread(spread(fg(w).map((x) => x.coveredPercent)), 0)} %` : "—",
    ]),
  );
  const foregroundCpuTable = markdownTable(
    ["oltp_write_only through HAProxy", "cores used during the window, and the disks' traffic (medians)"],
    [
      ["without a backup", medianCpu(fg(false))],
      ["with backups running", medianCpu(fg(true))],
    ],
  );
  const foregroundRunsTable = markdownTable(
    [
      "round",
      "backup",
      "order",
      "tps",
      "p95 ms",
      "errors",
      "backups",
      "covered",
      "view changes",
      "flow-control pauses",
      "writer DOWN",
      "readers DOWN: backup node, others",
      "disk MiB read",
    ],
    r.foreground.map((x) => [
      String(x.round),
      x.withBackup ? "with" : "without",
      String(x.position),
      x.tps.toFixed(1),
      x.latencyP95Ms.toFixed(2),
      String(x.errors),
      String(x.backups),
      `${x.coveredPercent.toFixed(0)} %`,
      String(x.viewChanges),
      String(x.flowControlPauses),
      String(x.writerDowns),
      `${x.readerDowns.backupNode}, ${x.readerDowns.others}`,
      x.cpu.diskReadMiB.toFixed(0),
    ]),
  );
  const rs = (side: RestoreSide): RestoreRun[] => r.restores.filter((x) => x.side === side);
  const phase = (k: "unpack" | "prepare" | "moveBack"): string =>
    formatSpread(spread(rs("raw").map((x) => x.phases?.[k] ?? Number.NaN)), 2);
  const restoreTable = markdownTable(
    ["side", "seconds", "× raw, each round", "cores, and the disks' traffic (medians)"],
    [
      [
        `raw: \`zstd -d \\| mbstream -x\` ${phase("unpack")} s, \`--prepare\` ${phase("prepare")} s, \`--move-back\` ${phase("moveBack")} s (baseline)`,
        formatSpread(s.restore.raw, 2),
        "1.00×",
        medianCpu(rs("raw")),
      ],
      [
        "**`galera-pilot restore --from ID --datadir DIR`** (spawn to exit)",
        formatSpread(s.restore.galeraPilot, 2),
        `**${formatSpread(s.restore.ratio, 2)}×**`,
        medianCpu(rs("galera-pilot")),
      ],
    ],
  );
  const restoreRunsTable = markdownTable(
    ["round", "side", "order", "seconds", "disk MiB read"],
    r.restores.map((x) => [
      String(x.round),
      x.side,
      String(x.position),
      x.seconds.toFixed(2),
      x.cpu.diskReadMiB.toFixed(0),
    ]),
  );
  const totalMinutes = (r.totalSeconds / 60).toFixed(1);
  const mbstreamMiB = median(r.backups.map((x) => x.mbstreamBytes)) / mib;
  const storedMiB = median(gp.map((x) => x.storedBytes)) / mib;
  const s3Text = Array.isArray(r.s3)
    ? `The S3 row is the same command with ${r.backupNode}'s agent restarted with its destination on the test
stand-in (\`test/support/s3-stand-in.ts\`: s3rver on 127.0.0.1, in the benchmark's own Node
process, its objects in a folder of the same disk): a **stand-in, not a real store**, measured
after the other rounds (a restart of the node each way would not fit the time), so not
interleaved with them. It says what the multipart upload costs on this machine, nothing about AWS,
MinIO or Ceph.`
    : `The S3 stand-in row was skipped: ${r.s3.skipped}.`;
  const section = `## Backups: throughput, the foreground's cost, restore (issue B)

${measuredOn(r.date, m)}.
${reproduceWith(r.command)}
The whole run took ${totalMinutes} minutes.

A 3-node cluster of the local runner (127.0.66.2–4, default \`strict\` durability), HAProxy in
front (127.0.66.1:3306, the rendered config). The dataset: \`sysbench oltp_write_only
--tables=${r.dataset.tables} --table-size=${r.dataset.tableSize} --threads=2 prepare\` on the writer (${r.writer}), ${r.dataset.prepareSeconds.toFixed(0)} s with
\`innodb_flush_log_at_trx_commit=0\` for the prepare only (put back and read back before anything
was measured): the backup node's datadir holds ${(r.dataset.datadirBytes / 1e9).toFixed(2)} GB (\`du -sb\`), its mbstream
${mbstreamMiB.toFixed(0)} MiB, ${storedMiB.toFixed(0)} MiB once compressed. Every backup is of ${r.backupNode} (\`--node ${r.backupNode}\`: a
synced member that is not the writer, the same node on every side). The machine has 24 GB of
memory, but the page cache does not keep everything (this machine reclaims cold pages): each
run's disk traffic is listed with its CPU (the whole machine's, from /proc/diskstats). Before each run: all three nodes synced, \`sync\` (no run pays for the dirty pages of the one
before). ${r.rounds} rounds, the sides' order rotated each round. Medians with (min–max).

How loaded the machine was: before the cluster started, ${r.idleMachine.busyCores.toFixed(2)} of its 2 cores were busy with
other work (5 s of /proc/stat; load average ${r.idleMachine.loadAverage}; ${r.loadAverageAtEnd} at the end). Every run
below also says where the CPU went (each process's utime + stime, sampled every 200 ms,
grouped; "outside this bench" is every process that is not a descendant of the benchmark).

### 1. Backup throughput

- **raw**: \`mariabackup --backup --stream=mbstream --galera-info\` with the agent's own
  arguments (the node's \`my.cnf\`, root over its socket), its stdout a file in the destination
  folder (\`STATE/backups\`), its log another file: timed from spawn to exit, as a shell runs
  \`mariabackup … > file\`. That file is in the page cache, not yet on the disk; the next row
  times it until it and its folder are fsync'd (durable, as the destination makes the stream).
  The goal compares with the first, the faster baseline.
- **raw | zstd -1**: the same piped through \`zstd -q -1 -c\` (the agent's compression) to a
  file (spawn to exit): what compressing alone costs.
- **\`galera-pilot backup --nodes … --node ${r.backupNode}\`** (the built CLI): the command reads
  the agents' /status, asks ${r.backupNode}'s agent (POST /backup, signed), which checks the destination,
  desyncs the node, streams mariabackup → the mbstream tap → \`zstd -1\` → sha256 → the folder,
  fsyncs it, writes the complete manifest, lifts the desync; the command polls GET /backup
  once a second and prints \`is complete\`. Timed from the command's spawn to that line. The row
  below it times the agent's run alone, from the manifest's \`startedAt\` to \`endedAt\`.

${throughputTable}

Where the CPU went during each run:

${cpuTable}

Each stage of the agent's pipeline alone, on the files of the last round (the raw mbstream and
the stored stream, both just written), to see which one sets the pace:

${stageTable}

${s3Text}

Every run, in the order measured (\`seconds\`: galera-pilot, the command's start to \`is
complete\`; raw, spawn to its exit; \`agent's / durable seconds\`: galera-pilot, the manifest's
start to end; raw, spawn to the file fsync'd; \`to started\`: the command's start to its
\`started on\` line; \`disk MiB read\`: what the machine's disks read meanwhile, for every process):

${backupRunsTable}

### 2. The foreground's cost

sysbench \`oltp_write_only --tables=${r.dataset.tables} --table-size=${r.dataset.tableSize} --threads=${r.load.threads} --time=${r.load.seconds} --rand-type=uniform\` through
HAProxy's writer port (${r.writer}), after a ${warmUpSeconds} s warm-up, without a backup and with
\`galera-pilot backup --node ${r.backupNode}\` running during the window: started with the window and again
each time one ends (once ${r.backupNode} is synced again), until sysbench stops; a backup still
running then is waited for, outside the window. The backup node is desynced for each backup (its
flow control off, so that it does not hold the writer back: the runs' last column counts the
pauses the writer received).

${foregroundTable}

${foregroundCpuTable}

Every run, in the order measured (\`view changes\`: \`wsrep_cluster_conf_id\` on the writer after
minus before; \`flow-control pauses\`: its \`wsrep_flow_control_recv\` after minus before;
\`writer DOWN\`, \`readers DOWN\`: HAProxy's \`chkdown\` counters after minus before, of the writer backend,
and of the readers' backend for ${r.backupNode} and for the other nodes; ${r.backupNode} leaves the read pool while it is desynced):

${foregroundRunsTable}

### 3. Restore

The last round's \`galera-pilot\` backup restored into an absent folder of the same disk:
\`galera-pilot restore --from ID --datadir DIR --destination STATE/backups\` (it also checks the
sha256 and the framing, chowns the files to mysql and writes grastate.dat) against the same
stored stream by hand: \`zstd -q -d -c FILE | mbstream -x -C SCRATCH\`, \`mariabackup --prepare\`,
\`mariabackup --move-back\` into the target. The backup was taken on an idle cluster, so
\`--prepare\` has little redo to apply.

${restoreTable}

Every run, in the order measured:

${restoreRunsTable}

${failedRunsText(r.failures, (f) => f.what)}

Goals:

${goalsMarkdown(r.goals)}
${whyNotMet(r)}`;
  const summaryText = terminalSummary(
    [
      throughputTable,
      cpuTable,
      stageTable,
      backupRunsTable,
      foregroundTable,
      foregroundCpuTable,
      foregroundRunsTable,
      restoreTable,
      restoreRunsTable,
    ],
    r.goals,
  );
  return { summary: summaryText, section, json: { machine: m, ...r } };
}
