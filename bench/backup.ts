// Issue B's backup benchmark, each part side by side with its baseline in one run, on a
// 3-node cluster of the local runner holding a sysbench dataset of at least 1 GB:
//   1. throughput: `galera-pilot backup` (the agent's path, with its defaults: mariabackup's
//      stdout piped straight into `zstd -1 -T2`, both at nice 19; zstd writes the folder
//      destination's file itself, the agent hashes it (sha256) as it grows, fsync'd) against raw
//      `mariabackup --stream=mbstream` of the same node into a file of the same folder, and raw
//      mariabackup piped through `zstd -1 -T2` (what the same compression alone costs), both at
//      normal priority; an S3 stand-in row;
//   2. the foreground: sysbench oltp_write_only through HAProxy with `galera-pilot backup`
//      running back to back during the window, against without, and against the same work
//      done back to back by the raw tools without galera-pilot (the node desynced, nice'd
//      mariabackup | zstd -1 -T2 into a fsync'd file of the same folder): this machine's floor;
//   3. restore: `galera-pilot restore` (the stored file read and hashed in Node, written to
//      zstd -d, whose output goes straight into mbstream -x) against raw zstd -d | mbstream -x,
//      mariabackup --prepare and --move-back of the same stored backup.
// Rounds alternate the sides' order; every run records where the machine's CPU went.
// The parts are in bench/backup/: common.ts, throughput.ts, foreground.ts, restore.ts, and
// report.ts, which renders the section of BENCHMARKS.md.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { defaultBackupCpu } from "../src/model/backup-cpu.js";
import { localBackupFolder } from "../src/local/local-cluster.js";
import type { BenchmarkOutput } from "./harness/benchmark.js";
import { electedWriter, localRunnerAgentEnv, withBenchCluster } from "./harness/bench-cluster.js";
import { startCpuSampler } from "./harness/cpu-sampler.js";
import type { Machine } from "./harness/machine.js";
import { progress } from "./harness/progress.js";
import { formatSpread, type Goal } from "./harness/report.js";
import { countFromEnv, reproduceCommand } from "./harness/rounds.js";
import { pairedByRound, spread, type Spread } from "./harness/statistics.js";
import { prepareUnflushed } from "./harness/sysbench.js";
import {
  backupSides,
  dataset,
  foregroundGoalPercent,
  load,
  mib,
  restoreGoalRatio,
  throughputGoalPercent,
  waitAllSynced,
  type BackupBenchResult,
  type BackupRun,
  type BackupSide,
  type Context,
  type ForegroundRun,
  type ForegroundSide,
  type RestoreRun,
  type RestoreSide,
} from "./backup/common.js";
import { measureForeground } from "./backup/foreground.js";
import { renderBackup } from "./backup/report.js";
import { measureRestores } from "./backup/restore.js";
import { measureBackups, measureS3, measureStages } from "./backup/throughput.js";

export { renderBackup } from "./backup/report.js";
export type { BackupBenchResult, BackupRun, ForegroundRun, RestoreRun, StageRate } from "./backup/common.js";

const firstAddress = "127.0.66.2";
const roundsEnv = "GALERA_PILOT_BENCH_BACKUP_ROUNDS";
const defaultRounds = 3;
const tableSizeEnv = "GALERA_PILOT_BENCH_BACKUP_TABLE_SIZE";
const loadSecondsEnv = "GALERA_PILOT_BENCH_BACKUP_LOAD_SECONDS";
const minimumDatasetBytes = 1_000_000_000;

/**
 * What the raw | zstd baseline copies and the report says of galera-pilot's side: the agent's
 * defaults (src/model/backup-cpu.ts), `zstd -1 -T2`, mariabackup and zstd at nice 19. The
 * benchmark leaves GALERA_PILOT_BACKUP_THREADS and _PRIORITY unset, and stops before anything
 * runs if those defaults are no longer these.
 */
function checkAgentDefaults(): void {
  if (defaultBackupCpu.threads !== 2 || !defaultBackupCpu.lowPriority) {
    throw new Error(
      `the agent's backup defaults are now ${defaultBackupCpu.threads} zstd threads, ${defaultBackupCpu.lowPriority ? "nice 19" : "normal priority"}: bench/backup's raw | zstd baseline and its text say -T2 and nice 19; change them together`,
    );
  }
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

export async function benchBackup(): Promise<BackupBenchResult> {
  const startedAt = performance.now();
  checkAgentDefaults();
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
    const prepareSeconds = await prepareUnflushed(
      b.stateDir,
      b.cluster.layout,
      writer,
      direct,
      "oltp_write_only",
      { ...dataset, ...load },
      2,
    );
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
    const fg = (side: ForegroundSide): ForegroundRun[] => foreground.filter((r) => r.backup === side);
    const tpsPercent = (sides: ForegroundRun[], others: ForegroundRun[]): Spread =>
      spread(pairedByRound(sides, others, (x, y) => (100 * x.tps) / y.tps));
    const fgPercent = tpsPercent(fg("galera-pilot"), fg("none"));
    const fgRawPercent = tpsPercent(fg("raw"), fg("none"));
    const fgOfRawPercent = tpsPercent(fg("galera-pilot"), fg("raw"));
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
        without: spread(fg("none").map((r) => r.tps)),
        with: spread(fg("galera-pilot").map((r) => r.tps)),
        raw: spread(fg("raw").map((r) => r.tps)),
        percent: fgPercent,
        rawPercent: fgRawPercent,
        ofRawPercent: fgOfRawPercent,
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
        detail: `${formatSpread(ofRawPercent, 1)} % (the agent's run alone, the manifest's start to end: ${formatSpread(agentOfRawPercent, 1)} %; of raw once its file is fsync'd: ${formatSpread(ofRawDurablePercent, 1)} %; of raw piped through \`zstd -1 -T2\`: ${formatSpread(ofRawZstdPercent, 1)} %)`,
      },
      {
        goal: `sysbench \`oltp_write_only\` through HAProxy with \`galera-pilot backup\` running ≥ ${foregroundGoalPercent} % of its transactions/s without (median of the rounds' ratios)`,
        met: fgPercent.median >= foregroundGoalPercent,
        detail: `${formatSpread(fgPercent, 1)} % (the same work by the raw tools without galera-pilot, this machine's floor: ${formatSpread(fgRawPercent, 1)} % of without; galera-pilot's tps: ${formatSpread(fgOfRawPercent, 1)} % of the raw tools', each round)`,
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
