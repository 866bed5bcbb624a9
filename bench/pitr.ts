// The point-in-time recovery benchmark (docs/point-in-time.md), each part side by side with
// its baseline in one run, on a 3-node cluster of the local runner (127.0.67.2–4, HAProxy on
// 127.0.67.1), every agent with the runner's STATE/backups as its destination, so that one of
// them archives the binlog to STATE/backups/archive:
//   1. the archive's lag under load: sysbench oltp_write_only through HAProxy for a window,
//      the writer's position read every 50 ms; each transaction's segment's mtime − the first
//      sample that showed it committed (goal: p99 ≤ 1 s);
//   2. the foreground: the same load with the archiver running against every agent restarted
//      with GALERA_PILOT_ARCHIVE=no (rolling, datadirs kept), rounds alternating the order;
//   3. restore to a point: `galera-pilot restore --to-latest` from a backup taken before the
//      load windows against the raw tools doing the same work by hand.
// The parts are in bench/pitr/: common.ts, lag.ts, foreground.ts, restore.ts, and report.ts,
// which renders the section of BENCHMARKS.md.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { localBackupFolder } from "../src/local/local-cluster.js";
import { clusterGtidDomain } from "../src/mysqld/binlog-identity.js";
import type { BenchmarkOutput } from "./harness/benchmark.js";
import { electedWriter, localRunnerAgentEnv, withBenchCluster } from "./harness/bench-cluster.js";
import { renderedRouterConfig, writerMarkedUp } from "./harness/haproxy.js";
import type { Machine } from "./harness/machine.js";
import { progress } from "./harness/progress.js";
import { formatSpread, type Goal } from "./harness/report.js";
import { countFromEnv, repeatOnceOnFailure, reproduceCommand } from "./harness/rounds.js";
import { globalValue } from "./harness/sql.js";
import { pairedByRound, spread } from "./harness/statistics.js";
import { measureSysbench, prepareUnflushed } from "./harness/sysbench.js";
import { runCli } from "./backup/common.js";
import {
  archiveDir,
  confirmArchive,
  dataset,
  foregroundGoalPercent,
  lagGoalP99Ms,
  listSegments,
  load,
  nodeNamed,
  restoreGoalRatio,
  switchArchive,
  waitAllSynced,
  warmUpSeconds,
  type ArchiveSide,
  type Context,
  type PitrBenchResult,
} from "./pitr/common.js";
import { measureForeground } from "./pitr/foreground.js";
import { measureLag } from "./pitr/lag.js";
import { renderPitr } from "./pitr/report.js";
import { measureRestores } from "./pitr/restore.js";

export { renderPitr } from "./pitr/report.js";
export type { PitrBenchResult } from "./pitr/common.js";

const firstAddress = "127.0.67.2";
const routerAddress = "127.0.67.1";
const routerPort = 3306;
/** The cluster name the local runner gives its agents (src/local/local-cluster.ts). */
const localClusterName = "local";
const roundsEnv = "GALERA_PILOT_BENCH_PITR_ROUNDS";
const defaultRounds = 3;
const loadSecondsEnv = "GALERA_PILOT_BENCH_PITR_LOAD_SECONDS";
const tableSizeEnv = "GALERA_PILOT_BENCH_PITR_TABLE_SIZE";

function loadAverage(): string {
  return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
}

export async function benchPitr(): Promise<PitrBenchResult> {
  const startedAt = performance.now();
  const rounds = countFromEnv(roundsEnv, defaultRounds);
  load.seconds = countFromEnv(loadSecondsEnv, load.seconds);
  dataset.tableSize = countFromEnv(tableSizeEnv, dataset.tableSize);
  return withBenchCluster("pitr", firstAddress, localRunnerAgentEnv, async (b) => {
    const writerName = await electedWriter(b.cluster);
    const writer = b.cluster.layout.find((n) => n.name === writerName)!;
    // The domain the servers use (their rendered config); the one derived from the runner's
    // cluster name must be it, or the archive would not be the cluster's.
    const domain = Number(await globalValue(writer.socket, "VARIABLES", "wsrep_gtid_domain_id"));
    if (domain !== clusterGtidDomain(localClusterName))
      throw new Error(
        `the servers' wsrep_gtid_domain_id is ${domain}, not clusterGtidDomain("${localClusterName}") = ${clusterGtidDomain(localClusterName)}`,
      );
    const router = await b.haproxy("router", (statsSocket) =>
      renderedRouterConfig(b.cluster.layout, { address: routerAddress, port: routerPort }, statsSocket, {
        // As the local cluster's router: one machine for HAProxy, the nodes and sysbench.
        threads: 1,
      }),
    );
    const writerUp = (): Promise<void> => writerMarkedUp(router);
    const failures: { what: string; error: string }[] = [];
    const destination = localBackupFolder(b.stateDir);
    const ctx: Context = {
      b,
      domain,
      destination,
      agents: b.cluster.layout.map((n) => `${n.name}=${n.healthUrl}`).join(","),
      cliEnv: { GALERA_PILOT_CLUSTER_SECRET_FILE: b.cluster.secrets.clusterSecret },
      router: { host: routerAddress, port: routerPort, ...b.credentials },
      writerUp,
      noteFailure: (what, error) => void failures.push({ what, error }),
    };

    // The dataset: sysbench's own prepare, with commits not flushed meanwhile (the setup only;
    // the settings are put back and read back before anything is measured).
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
    await writerUp();
    await confirmArchive(ctx, "on");

    // The backup the restores start from, before any load window: the archive holds every
    // window's transactions after it.
    progress("galera-pilot backup (the rules choose the node), before the load windows");
    const cli = await runCli(["backup", "--nodes", ctx.agents], ctx.cliEnv, [/^backup \S+ is complete /m]);
    const started = /^backup (\S+) started on (\S+)/m.exec(cli.stdout);
    if (cli.exitCode !== 0 || started === null || cli.seen[0] === null)
      throw new Error(
        `galera-pilot backup exited ${cli.exitCode}: ${(cli.stderr + cli.stdout).trim().slice(-600)}`,
      );
    const backupId = started[1]!;
    const storedFile = join(destination, backupId, "backup.mbstream.zst");
    const backup = {
      id: backupId,
      node: started[2]!,
      seconds: (cli.seen[0]! - cli.startedAt) / 1000,
      storedBytes: statSync(storedFile).size,
    };
    progress(
      `backup ${backup.id} of ${backup.node}: ${(backup.storedBytes / 1e6).toFixed(0)} MB stored in ${backup.seconds.toFixed(1)} s`,
    );
    await waitAllSynced(ctx);
    await writerUp();

    progress(`warm-up: oltp_write_only through HAProxy for ${warmUpSeconds} s`);
    await measureSysbench(b.stateDir, ctx.router, "oltp_write_only", {
      ...dataset,
      ...load,
      seconds: warmUpSeconds,
    });
    await confirmArchive(ctx, "on");
    // Sysbench through HAProxy loses its connections now and then on this machine (a few
    // windows in forty, cause unknown): the window is repeated once, as the foreground's are.
    const lag = await repeatOnceOnFailure(
      "the lag window",
      async () => measureLag(ctx, nodeNamed(ctx, await electedWriter(b.cluster))),
      (error) => ctx.noteFailure("the lag window", error),
      writerUp,
    );

    const state: { archive: ArchiveSide } = { archive: "on" };
    const switches: { to: ArchiveSide; seconds: number }[] = [];
    const foreground = await measureForeground(ctx, rounds, state, switches);
    if (state.archive !== "on") {
      const switched = await switchArchive(ctx, "on");
      switches.push({ to: "on", seconds: switched.seconds });
      state.archive = "on";
    }
    await confirmArchive(ctx, "on");

    const segments = listSegments(ctx);
    const archiveAtRestore = {
      segments: segments.length,
      firstSeqno: segments[0]?.span.first ?? 0,
      lastSeqno: Math.max(0, ...segments.map((s) => s.span.last)),
      bytes: segments.reduce((sum, s) => sum + statSync(join(archiveDir(ctx), s.name)).size, 0),
    };
    progress(
      `the archive: ${archiveAtRestore.segments} segments, ${archiveAtRestore.firstSeqno} to ${archiveAtRestore.lastSeqno}, ${(archiveAtRestore.bytes / 1e6).toFixed(0)} MB`,
    );
    const restores = await measureRestores(ctx, rounds, storedFile, archiveAtRestore.lastSeqno);

    const fg = (side: ArchiveSide) => foreground.filter((r) => r.archive === side);
    const percent = spread(pairedByRound(fg("on"), fg("off"), (on, off) => (100 * on.tps) / off.tps));
    const rs = (side: "galera-pilot" | "raw") => restores.filter((r) => r.side === side);
    const ratio = spread(pairedByRound(rs("galera-pilot"), rs("raw"), (g, r) => g.seconds / r.seconds));
    const transactions = rs("galera-pilot")[0]?.transactions ?? 0;
    const summary = {
      foreground: {
        on: spread(fg("on").map((r) => r.tps)),
        off: spread(fg("off").map((r) => r.tps)),
        percent,
      },
      restore: {
        galeraPilot: spread(rs("galera-pilot").map((r) => r.seconds)),
        raw: spread(rs("raw").map((r) => r.seconds)),
        ratio,
        transactions,
      },
    };
    const sameCount = restores.every((r) => r.transactions === transactions);
    const goals: Goal[] = [
      {
        goal: `the archive's lag under load (a transaction's segment stored − its commit seen on the writer), p99 ≤ ${lagGoalP99Ms / 1000} s`,
        met: lag.missing === 0 && lag.lagMs.p99 <= lagGoalP99Ms,
        detail: `p99 ${lag.lagMs.p99.toFixed(0)} ms (p50 ${lag.lagMs.p50.toFixed(0)} ms, max ${lag.lagMs.max.toFixed(0)} ms) over ${lag.transactions} transactions${lag.missing > 0 ? `, ${lag.missing} of them not in the archive` : ""}`,
      },
      {
        goal: `sysbench \`oltp_write_only\` through HAProxy with the archiver running ≥ ${foregroundGoalPercent} % of its transactions/s with every agent at \`GALERA_PILOT_ARCHIVE=no\` (median of the rounds' ratios)`,
        met: percent.median >= foregroundGoalPercent,
        detail: `${formatSpread(percent, 1)} %`,
      },
      {
        goal: `\`galera-pilot restore --to-latest\` ≤ ${restoreGoalRatio}× the time of the raw tools doing the same work (median of the rounds' ratios)`,
        met: ratio.median <= restoreGoalRatio && sameCount,
        detail: `${formatSpread(ratio, 2)}×, ${transactions} transactions replayed${sameCount ? " by every run" : "; NOT the same count on every run"}`,
      },
    ];
    return {
      date: new Date().toISOString(),
      rounds,
      command: reproduceCommand("pitr", [
        { env: roundsEnv, value: rounds },
        { env: loadSecondsEnv, value: load.seconds },
        { env: tableSizeEnv, value: dataset.tableSize },
      ]),
      dataset: { ...dataset, prepareSeconds },
      load: { ...load },
      domain,
      writer: writerName,
      backup,
      loadAverageAtEnd: loadAverage(),
      totalSeconds: (performance.now() - startedAt) / 1000,
      lag,
      foreground,
      switches,
      restores,
      archiveAtRestore,
      failures,
      summary,
      goals,
    };
  });
}

export async function pitrBenchmark(m: Machine): Promise<BenchmarkOutput> {
  return renderPitr(await benchPitr(), m);
}
