// The backup benchmark's shared parts (bench/backup.ts runs it): its dataset and goals, the
// records of its runs, and what each part uses to run the CLI, mariabackup and other children.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, fsyncSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { LocalNode } from "../../src/local/cluster-layout.js";
import { allSynced, type BenchCluster } from "../harness/bench-cluster.js";
import type { CpuUse, ProcessInfo } from "../harness/cpu-sampler.js";
import { agentEntry } from "../harness/paths.js";
import type { Goal } from "../harness/report.js";
import type { Spread } from "../harness/statistics.js";
import type { SysbenchResult } from "../harness/sysbench.js";

/** 8 tables of 600 000 rows: about 1.2 GB of InnoDB files, the whole datadir over 1.3 GB. */
export const dataset = { tables: 8, tableSize: 600_000 };
export const load = { threads: 4, seconds: 30 };
/** Before the foreground's rounds: the buffer pools and the page cache, HAProxy's first connections. */
export const warmUpSeconds = 20;

export const throughputGoalPercent = 95;
export const foregroundGoalPercent = 90;
export const restoreGoalRatio = 1.1;

export const mib = 1024 * 1024;

export type BackupSide = "galera-pilot" | "raw" | "raw+zstd";
export const backupSides: readonly BackupSide[] = ["galera-pilot", "raw", "raw+zstd"];
export type RestoreSide = "galera-pilot" | "raw";

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

/**
 * The foreground's sides: no backup; `galera-pilot backup` back to back; the same work by the
 * raw tools back to back (desync, nice'd mariabackup | zstd -1 -T2 into a file, fsync, desync
 * lifted), without galera-pilot: this machine's floor for the goal.
 */
export type ForegroundSide = "none" | "galera-pilot" | "raw";
export const foregroundSides: readonly ForegroundSide[] = ["none", "galera-pilot", "raw"];

export interface ForegroundRun extends SysbenchResult {
  /** Which backups ran during the window. */
  backup: ForegroundSide;
  round: number;
  position: number;
  /** Backups started during the window. */
  backups: number;
  /**
   * Share of the window during which a backup ran: galera-pilot's from its command's start to
   * its "is complete" line; the raw tools' from the desync to its lift.
   */
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
    foreground: {
      without: Spread;
      /** galera-pilot's side. */
      with: Spread;
      raw: Spread;
      /** galera-pilot's tps, % of without's (each round): the goal's figure. */
      percent: Spread;
      /** The raw tools' tps, % of without's (each round). */
      rawPercent: Spread;
      /** galera-pilot's tps, % of the raw tools' (each round). */
      ofRawPercent: Spread;
    };
    restore: { galeraPilot: Spread; raw: Spread; ratio: Spread };
  };
  goals: Goal[];
}

/** A run of the CLI: its output and when lines matching each watched pattern first appeared. */
export interface CliRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  startedAt: number;
  endedAt: number;
  seen: (number | null)[];
}

export function runCli(args: string[], env: Record<string, string>, watch: RegExp[] = []): Promise<CliRun> {
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
export function run(
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

export const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** mariabackup's arguments as the agent gives them (src/backup/backup-stream.ts). */
export function mariabackupArgs(node: LocalNode, scratch: string): string[] {
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

/** fsync of a file or a folder. */
export function fsyncPath(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Dirty pages of earlier runs written out first, so that no run pays for the one before. */
export function syncDisks(): void {
  spawnSync("sync");
}

export interface Context {
  b: BenchCluster;
  backupNode: LocalNode;
  writer: LocalNode;
  destination: string;
  agents: string;
  cliEnv: Record<string, string>;
  pids: { agent: number; mariadbd: number; agents: Set<number>; mariadbds: Set<number> };
}

export async function refreshPids(ctx: Context): Promise<void> {
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
export function cpuLabel(ctx: Context): (p: ProcessInfo) => string {
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

export async function waitAllSynced(ctx: Context): Promise<void> {
  await ctx.b.cluster.waitFor(allSynced, 300_000, "3 of 3 synced");
}

export interface Manifest {
  state: string;
  startedAt: string;
  endedAt?: string;
  bytesStreamed: number;
  bytesStored: number;
}

/** One `galera-pilot backup` of the backup node, timed from the command's start to "is complete". */
export async function galeraPilotBackup(
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

export function agentSeconds(m: Manifest): number {
  return (Date.parse(m.endedAt ?? m.startedAt) - Date.parse(m.startedAt)) / 1000;
}
