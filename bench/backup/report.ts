// The backup benchmark's section of BENCHMARKS.md, rendered from a run's figures: its tables,
// its method, and for each goal not met what the run measured around it.
import type { BenchmarkOutput } from "../harness/benchmark.js";
import { formatCpuUse, type CpuUse } from "../harness/cpu-sampler.js";
import type { Machine } from "../harness/machine.js";
import {
  failedRunsText,
  formatSpread,
  goalsMarkdown,
  markdownTable,
  measuredOn,
  reproduceWith,
  terminalSummary,
} from "../harness/report.js";
import { median, pairedByRound, spread, type Spread } from "../harness/statistics.js";
import {
  foregroundGoalPercent,
  foregroundSides,
  mib,
  throughputGoalPercent,
  warmUpSeconds,
  type BackupBenchResult,
  type BackupRun,
  type BackupSide,
  type ForegroundRun,
  type ForegroundSide,
  type RestoreRun,
  type RestoreSide,
  type StageRate,
} from "./common.js";

/** The median of each label's cores over runs, as "label 0.95, …". */
function medianCpu(runs: readonly { cpu: CpuUse }[], machineCores: number): string {
  const labels = new Set(runs.flatMap((r) => Object.keys(r.cpu.byLabel)));
  const byLabel: Record<string, number> = {};
  for (const l of labels) byLabel[l] = median(runs.map((r) => r.cpu.byLabel[l] ?? 0));
  const busy = median(runs.map((r) => r.cpu.machineBusy));
  const read = median(runs.map((r) => r.cpu.diskReadMiB));
  const written = median(runs.map((r) => r.cpu.diskWrittenMiB));
  return `${formatCpuUse({ seconds: 0, byLabel, machineBusy: busy, diskReadMiB: read, diskWrittenMiB: written }, 0.03)}; the machine ${busy.toFixed(2)} of ${machineCores} cores busy; disks: ${read.toFixed(0)} MiB read, ${written.toFixed(0)} MiB written`;
}

/** The median over runs of the cores the given labels used together. */
function cores(runs: readonly { cpu: CpuUse }[], labels: readonly string[]): number {
  return median(runs.map((r) => labels.reduce((sum, l) => sum + (r.cpu.byLabel[l] ?? 0), 0)));
}

/** The median over runs of the machine's busy cores. */
function busy(runs: readonly { cpu: CpuUse }[]): number {
  return median(runs.map((r) => r.cpu.machineBusy));
}

const backupProcesses = ["zstd", "mariabackup", "agent of the backup node", "galera-pilot command"];
const foregroundProcesses = ["mariadbd of the backup node", "mariadbd, other nodes", "haproxy", "sysbench"];

/**
 * For each goal not met, what this run measured around it: the stages alone and where the CPU
 * went, each sentence true whatever the figures; no cause is said that they do not show. What
 * was tried beyond the benchmark is written by hand below its section.
 */
function whyNotMet(r: BackupBenchResult, machineCores: number): string {
  const s = r.summary;
  const parts: string[] = [];
  const of = (side: BackupSide): BackupRun[] => r.backups.filter((x) => x.side === side);
  const stage = (prefix: string): StageRate | undefined => r.stages.find((x) => x.stage.startsWith(prefix));
  const c = (runs: readonly { cpu: CpuUse }[], labels: readonly string[]): string =>
    cores(runs, labels).toFixed(2);
  const zstd1 = stage("`zstd -1` ");
  const zstd2 = stage("`zstd -1 -T2` ");
  const sha = stage("sha256");
  const gp = of("galera-pilot");
  const rawZstd = of("raw+zstd");
  const raw = of("raw");
  const gpBusy = busy(gp);
  const rawZstdOfRaw = spread(pairedByRound(rawZstd, raw, (z, w) => (100 * z.mibPerSecond) / w.mibPerSecond));
  const allowed = 100 - throughputGoalPercent;
  if (!r.goals[1]!.met && zstd1 && zstd2 && sha) {
    parts.push(`**Throughput.** This machine's reference for a compressed backup is raw mariabackup piped
through \`zstd -1 -T2\`, the compression galera-pilot runs by default: it reached
${formatSpread(rawZstdOfRaw, 1)} % of raw's throughput, ${
      rawZstdOfRaw.median >= throughputGoalPercent
        ? `so on this machine the compression alone costs no more than the ${allowed} % the goal allows`
        : `so on this machine the compression alone already costs more than the ${allowed} % the goal allows`
    }; galera-pilot reached ${formatSpread(s.ofRawZstdPercent, 1)} % of that pipeline's throughput (${formatSpread(s.ofRawPercent, 1)} % of raw's).
Alone on the last round's mbstream, \`zstd -1 -T2\` compresses ${zstd2.mibPerSecond.toFixed(0)} MiB/s on ${zstd2.cpuCores.toFixed(2)} cores
(\`zstd -1\`, one thread: ${zstd1.mibPerSecond.toFixed(0)} MiB/s on ${zstd1.cpuCores.toFixed(2)}), against raw mariabackup's ${s.throughput.raw.median.toFixed(0)} MiB/s (median of its
runs); the sha256 of the compressed stream, the agent's own work on the data, runs at
${sha.mibPerSecond.toFixed(0)} MiB/s of mbstream on ${sha.cpuCores.toFixed(2)} cores, ${sha.mibPerSecond > zstd2.mibPerSecond ? "faster than" : "no faster than"} \`zstd -1 -T2\` alone.
Where the cores went (medians of the runs): in galera-pilot's runs mariabackup ${c(gp, ["mariabackup"])} and
zstd ${c(gp, ["zstd"])} (both at nice 19), the backup node's agent ${c(gp, ["agent of the backup node"])} (it hashes the
compressed file zstd writes, as it grows) and the command ${c(gp, ["galera-pilot command"])}; in the raw | zstd -1 -T2 runs mariabackup ${c(rawZstd, ["mariabackup"])} and zstd
${c(rawZstd, ["zstd"])}; in the raw runs mariabackup ${c(raw, ["mariabackup"])} (the raw sides at normal priority). The machine
was ${gpBusy.toFixed(2)} of ${machineCores} cores busy during galera-pilot's runs (other work ${c(gp, ["outside this bench"])}), ${busy(rawZstd).toFixed(2)} during the raw | zstd runs
(other work ${c(rawZstd, ["outside this bench"])}) and ${busy(raw).toFixed(2)} during the raw runs (other work ${c(raw, ["outside this bench"])}). ${
      gpBusy >= machineCores - 0.2
        ? `galera-pilot's runs left the machine almost no idle core; while the cores are contended, the
scheduler gives processes at nice 19, as its mariabackup and zstd were, a small share against those at
normal priority, as the raw sides were.`
        : `galera-pilot's runs left ${(machineCores - gpBusy).toFixed(2)} cores idle on average; these figures do not say what its
pipeline waited on meanwhile.`
    }
The machine's disks read ${median(r.backups.map((x) => x.cpu.diskReadMiB)).toFixed(0)} MiB during the median backup run, of a ${(r.dataset.datadirBytes / mib).toFixed(0)} MiB datadir.`);
  }
  const fg = (side: ForegroundSide): ForegroundRun[] => r.foreground.filter((x) => x.backup === side);
  if (!r.goals[2]!.met && r.foreground.length > 0) {
    const none = fg("none");
    const gpRuns = fg("galera-pilot");
    const rawRuns = fg("raw");
    const goal = foregroundGoalPercent;
    const f = s.foreground;
    const ofRaw = f.ofRawPercent;
    const rounds = ofRaw.n === 1 ? "the one round" : `all ${ofRaw.n} rounds`;
    const gpFewer = ofRaw.max < 100;
    const gpMore = ofRaw.min > 100;
    const rawMeets = f.rawPercent.median >= goal;
    const compared = gpFewer
      ? `fewer than the raw tools in ${rounds}`
      : gpMore
        ? `more than the raw tools in ${rounds}`
        : "not fewer than the raw tools in every round, nor more: the rounds do not tell the two apart";
    const rawKept = f.rawPercent.median;
    const gpKept = f.percent.median;
    const pts = (x: number): string => `${x.toFixed(1)} percentage points`;
    const verdict = !rawMeets
      ? gpFewer
        ? `So the gap to the goal is both: ${(goal - rawKept).toFixed(1)} of the ${pts(goal - gpKept)} below the
goal's ${goal} % are this machine's floor (the raw tools keep ${rawKept.toFixed(1)} %), the other ${pts(rawKept - gpKept)} galera-pilot's
own cost.`
        : rawKept <= gpKept
          ? `So the gap to the goal is this machine's floor, not galera-pilot's own cost: the raw tools, doing the
same work, lose at least as much (they keep ${rawKept.toFixed(1)} %, below the goal's ${goal} %).`
          : `So at least ${(goal - rawKept).toFixed(1)} of the ${pts(goal - gpKept)} below the goal's ${goal} % are this
machine's floor (the raw tools keep ${rawKept.toFixed(1)} %); the other ${pts(rawKept - gpKept)} are within the rounds' spread
(galera-pilot was not below the raw tools in every round), so this run does not put them on galera-pilot.`
      : gpFewer
        ? `So the gap to the goal is galera-pilot's own cost: the raw tools, doing the same work, keep
${rawKept.toFixed(1)} % here (the goal's ${goal} % is within this machine's reach), and galera-pilot kept fewer than
they did in every round.`
        : `The raw tools' median meets the goal's ${goal} % (${rawKept.toFixed(1)} %) while galera-pilot's does not, but
galera-pilot was not below the raw tools in every round: this run does not tell galera-pilot's own
cost from the rounds' spread.`;
    const coresOf = (runs: ForegroundRun[]): number => cores(runs, foregroundProcesses);
    const fgNone = coresOf(none);
    const pauses = (runs: ForegroundRun[]): number => runs.reduce((n, x) => n + x.flowControlPauses, 0);
    const readerDowns = (runs: ForegroundRun[]): number =>
      runs.reduce((n, x) => n + x.readerDowns.backupNode, 0);
    const moreRead = (runs: ForegroundRun[]): string => {
      const more = median(runs.map((x) => x.cpu.diskReadMiB)) - median(none.map((x) => x.cpu.diskReadMiB));
      return `${Math.abs(more).toFixed(0)} MiB ${more >= 0 ? "more" : "less"}`;
    };
    const [nonePauses, gpPauses, rawPauses] = [pauses(none), pauses(gpRuns), pauses(rawRuns)];
    parts.push(`**The foreground.** The same work done by the raw tools without galera-pilot (the backup node
desynced, \`nice -n 19 mariabackup … | nice -n 19 zstd -q -1 -T2\` into a file of the same folder,
fsync'd, the desync lifted; back to back, as galera-pilot's backups) kept ${formatSpread(f.rawPercent, 1)} % of the
tps without a backup; galera-pilot's backups kept ${formatSpread(f.percent, 1)} % (medians of the rounds'
ratios), its tps ${formatSpread(ofRaw, 1)} % of the raw tools' in the same rounds: ${compared}.
${verdict}

The cluster's and the load's processes (three mariadbd, HAProxy, sysbench) ran on ${fgNone.toFixed(2)} cores
without a backup, on ${coresOf(gpRuns).toFixed(2)} with galera-pilot's backups (${((100 * coresOf(gpRuns)) / fgNone).toFixed(0)} %) and on ${coresOf(rawRuns).toFixed(2)} with the raw
tools' (${((100 * coresOf(rawRuns)) / fgNone).toFixed(0)} %). In galera-pilot's windows the backups' processes took ${c(gpRuns, backupProcesses)}: zstd ${c(gpRuns, ["zstd"])} and
mariabackup ${c(gpRuns, ["mariabackup"])}, both at nice 19, the backup node's agent ${c(gpRuns, ["agent of the backup node"])} and the commands ${c(gpRuns, ["galera-pilot command"])}, at
normal priority; in the raw tools' windows zstd took ${c(rawRuns, ["zstd"])} and mariabackup ${c(rawRuns, ["mariabackup"])}, both at nice 19 (the
backup node's agent, which only watched its node there, ${c(rawRuns, ["agent of the backup node"])}). Other work took ${c(r.foreground, ["outside this bench"])}; the machine was
${busy(none).toFixed(2)}, ${busy(gpRuns).toFixed(2)} and ${busy(rawRuns).toFixed(2)} of ${machineCores} cores busy without a backup, with galera-pilot's and with the raw tools'
(medians of the windows). ${
      nonePauses > 0
        ? `Flow control paused the writer ${nonePauses} times in the windows without a backup (the nodes
applying its writes fall behind on this machine), ${gpPauses} times in those with galera-pilot's backups and
${rawPauses} in those with the raw tools' (a desynced node sends no pause)${Math.max(gpPauses, rawPauses) <= nonePauses ? ": the backups added no pause" : ""}`
        : `The writer received ${gpPauses} flow-control pauses in the windows with galera-pilot's backups and ${rawPauses} in
those with the raw tools', none without`
    }. HAProxy marked the writer DOWN ${r.foreground.reduce((n, x) => n + x.writerDowns, 0)} times in all the windows; in the readers' pool it marked the backup node DOWN ${readerDowns(gpRuns)} times in the windows with galera-pilot's backups and ${readerDowns(rawRuns)} in those with the raw tools' (as it should: a desynced node answers 503 on /ready) and the other nodes ${r.foreground.reduce((n, x) => n + x.readerDowns.others, 0)} times. The disks read ${moreRead(gpRuns)} per window with galera-pilot's backups than without, and ${moreRead(rawRuns)} with the raw tools' (medians; part 1 gives each backup run's reads), a disk the nodes' commits fsync on; this benchmark does not tell that share from the CPU's. Here the three
nodes, HAProxy and sysbench share one ${machineCores}-core machine; with a node per host the backup node's
CPU is not the writer's, and what a backup costs the foreground would be the destination's
disk and network instead, which this benchmark does not measure.`);
  }
  const rs = (side: RestoreSide): RestoreRun[] => r.restores.filter((x) => x.side === side);
  if (!r.goals[3]!.met && r.restores.length > 0) {
    const phases = (f: (p: NonNullable<RestoreRun["phases"]>) => number): string =>
      median(rs("raw").map((x) => (x.phases ? f(x.phases) : Number.NaN))).toFixed(2);
    const more = s.restore.galeraPilot.median - s.restore.raw.median;
    parts.push(`**Restore.** In \`galera-pilot restore\` zstd reads the stored file itself and its output goes
straight into mbstream's stdin through a pipe, as in the raw way; the command's Node process reads
the same file a second time to hash it (sha256), which the raw way does not. Both then run the same
\`mariabackup --prepare\` and \`--move-back\`; galera-pilot also writes grastate.dat and chowns the
files, and its time runs from the command's spawn (Node's start and the manifest's read included)
to its exit. The command's Node process ran on ${c(rs("galera-pilot"), ["galera-pilot command"])} cores for its ${s.restore.galeraPilot.median.toFixed(2)} s, zstd and
mbstream together on ${c(rs("galera-pilot"), ["zstd", "mbstream"])} cores against ${c(rs("raw"), ["zstd", "mbstream"])} in the raw runs; other work took ${c(rs("galera-pilot"), ["outside this bench"])} in
galera-pilot's runs and ${c(rs("raw"), ["outside this bench"])} in the raw ones (the machine ${busy(rs("galera-pilot")).toFixed(2)} and ${busy(rs("raw")).toFixed(2)} of ${machineCores} cores busy). The raw
way took ${phases((p) => p.unpack)} s to unpack and ${phases((p) => p.prepare + p.moveBack)} s for \`--prepare\` and \`--move-back\` together;
galera-pilot's whole run took ${Math.abs(more).toFixed(2)} s ${more >= 0 ? "more" : "less"} than the raw way's (medians).`);
  }
  return parts.length === 0
    ? ""
    : `\n### The goals not met: what this run measured\n\n${parts.join("\n\n")}\n`;
}

export function renderBackup(r: BackupBenchResult, m: Machine): BenchmarkOutput {
  const s = r.summary;
  const of = (side: BackupRun["side"]): BackupRun[] => r.backups.filter((x) => x.side === side);
  const sideName: Record<BackupSide, string> = {
    raw: "raw `mariabackup --stream=mbstream > file` (baseline)",
    "raw+zstd": "raw `mariabackup … \\| zstd -1 -T2 > file`",
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
    ["side", `cores used during the run, and the disks' traffic (medians; ${m.cores} cores on this machine)`],
    [
      ...(["raw", "raw+zstd", "galera-pilot"] as const).map((side) => [
        sideName[side],
        medianCpu(of(side), m.cores),
      ]),
      ...(Array.isArray(r.s3)
        ? [["`galera-pilot backup` to the S3 stand-in", medianCpu(r.s3, m.cores)]]
        : []),
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
  const fg = (side: ForegroundSide): ForegroundRun[] => r.foreground.filter((x) => x.backup === side);
  const fgName: Record<ForegroundSide, string> = {
    none: "without a backup (baseline)",
    "galera-pilot": "**with `galera-pilot backup` running**",
    raw: "with raw backups running (no galera-pilot: this machine's floor)",
  };
  const fgTps: Record<ForegroundSide, Spread> = {
    none: s.foreground.without,
    "galera-pilot": s.foreground.with,
    raw: s.foreground.raw,
  };
  const fgOfWithout: Record<ForegroundSide, string> = {
    none: "100 %",
    "galera-pilot": `**${formatSpread(s.foreground.percent, 1)} %**`,
    raw: `${formatSpread(s.foreground.rawPercent, 1)} %`,
  };
  const fgOfRaw: Record<ForegroundSide, string> = {
    none: "—",
    "galera-pilot": `${formatSpread(s.foreground.ofRawPercent, 1)} %`,
    raw: "100 %",
  };
  const foregroundTable = markdownTable(
    [
      "oltp_write_only through HAProxy",
      "tps",
      "p95 ms",
      "% of without, each round",
      "% of with raw backups, each round",
      "backups in the window",
      "window covered by a backup",
    ],
    foregroundSides.map((side) => [
      fgName[side],
      formatSpread(fgTps[side], 1),
      formatSpread(spread(fg(side).map((x) => x.latencyP95Ms)), 2),
      fgOfWithout[side],
      fgOfRaw[side],
      side === "none" ? "—" : formatSpread(spread(fg(side).map((x) => x.backups)), 0),
      side === "none" ? "—" : `${formatSpread(spread(fg(side).map((x) => x.coveredPercent)), 0)} %`,
    ]),
  );
  const foregroundCpuTable = markdownTable(
    ["oltp_write_only through HAProxy", "cores used during the window, and the disks' traffic (medians)"],
    [
      ["without a backup", medianCpu(fg("none"), m.cores)],
      ["with `galera-pilot backup` running", medianCpu(fg("galera-pilot"), m.cores)],
      ["with raw backups running", medianCpu(fg("raw"), m.cores)],
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
      x.backup,
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
        medianCpu(rs("raw"), m.cores),
      ],
      [
        "**`galera-pilot restore --from ID --datadir DIR`** (spawn to exit)",
        formatSpread(s.restore.galeraPilot, 2),
        `**${formatSpread(s.restore.ratio, 2)}×**`,
        medianCpu(rs("galera-pilot"), m.cores),
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

How loaded the machine was: before the cluster started, ${r.idleMachine.busyCores.toFixed(2)} of its ${m.cores} cores were busy with
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
- **raw | zstd -1 -T2**: the same piped through \`zstd -q -1 -T2 -c\` (the compression the
  agent uses by default: level 1, two threads) to a file (spawn to exit): what compressing
  alone costs on this machine.
- **\`galera-pilot backup --nodes … --node ${r.backupNode}\`** (the built CLI): the command reads
  the agents' /status, asks ${r.backupNode}'s agent (POST /backup, signed), which checks the destination,
  desyncs the node, runs mariabackup with its stdout piped straight into \`zstd -1 -T2\` (the
  stream does not pass through the agent); zstd writes the file in the folder itself and the agent
  hashes it (sha256) as it grows, reading it back; then the agent fsyncs it, writes the complete manifest, lifts the desync; the command polls
  GET /backup every 250 ms and prints \`is complete\`. Timed from the command's spawn to that
  line. The row below it times the agent's run alone, from the manifest's \`startedAt\` to
  \`endedAt\`.

The agents run with their backup defaults (\`GALERA_PILOT_BACKUP_THREADS\` and
\`GALERA_PILOT_BACKUP_PRIORITY\` unset): in galera-pilot's runs mariabackup and zstd run at nice 19,
while the raw baselines run at normal priority, as a shell starts them. These rounds run on an
otherwise idle cluster (no load; other work on the machine is the CPU table's "outside this
bench"), where the priority should matter little; it is said because the sides differ in it.

${throughputTable}

Where the CPU went during each run:

${cpuTable}

Each stage of the agent's pipeline alone, on the files of the last round (the raw mbstream and
the stored stream, both just written), at normal priority: zstd compressing the mbstream, and
the agent's own work in Node, which reads only the compressed stream (its rates scaled to MiB of
mbstream by the compression ratio):

${stageTable}

${s3Text}

Every run, in the order measured (\`seconds\`: galera-pilot, the command's start to \`is
complete\`; raw, spawn to its exit; \`agent's / durable seconds\`: galera-pilot, the manifest's
start to end; raw, spawn to the file fsync'd; \`to started\`: the command's start to its
\`started on\` line; \`disk MiB read\`: what the machine's disks read meanwhile, for every process):

${backupRunsTable}

### 2. The foreground's cost

sysbench \`oltp_write_only --tables=${r.dataset.tables} --table-size=${r.dataset.tableSize} --threads=${r.load.threads} --time=${r.load.seconds} --rand-type=uniform\` through
HAProxy's writer port (${r.writer}), after a ${warmUpSeconds} s warm-up, in three sides, their order rotated each round:

- **none**: without a backup (the baseline);
- **galera-pilot**: \`galera-pilot backup --node ${r.backupNode}\` running during the window: started with the
  window and again each time one ends (once ${r.backupNode} is synced again), until sysbench stops;
- **raw**: the same work done by the raw tools, without galera-pilot, back to back in the same
  way: \`SET GLOBAL wsrep_desync=ON\` on ${r.backupNode} (over its socket, as its agent does),
  \`nice -n 19 mariabackup … | nice -n 19 zstd -q -1 -T2 -c > FILE\` (bash, \`set -o pipefail\`;
  mariabackup with the agent's arguments, as in part 1; FILE a new file of the destination
  folder), FILE and its folder fsync'd, \`SET GLOBAL wsrep_desync=OFF\`, FILE removed, and again
  once ${r.backupNode} is synced again (its agent says \`synced\` and Galera \`Synced\`), until sysbench
  stops. What the raw tools leave of the transactions is this machine's floor for the goal:
  galera-pilot's side adds to the same work its agent's (hashing the file zstd writes, the
  manifests) and its commands' (status, POST /backup, polling).

On both sides with backups, one still running when sysbench stops is waited for, outside the
window; a backup covers the window from the command's start to its \`is complete\` line
(galera-pilot), from the desync to its lift (raw). The backup node is desynced for each backup (its
flow control off, so that it does not hold the writer back: the runs' \`flow-control pauses\` column counts the
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
\`galera-pilot restore --from ID --datadir DIR --destination STATE/backups\` (zstd reads the stored
file itself and its output goes straight into mbstream; the command reads the file again in Node
and checks its sha256 against the manifest; it chowns the files to mysql and writes grastate.dat) against the same
stored stream by hand: \`zstd -q -d -c FILE | mbstream -x -C SCRATCH\`, \`mariabackup --prepare\`,
\`mariabackup --move-back\` into the target. The backup was taken on an idle cluster, so
\`--prepare\` has little redo to apply.

${restoreTable}

Every run, in the order measured:

${restoreRunsTable}

${failedRunsText(r.failures, (f) => f.what)}

Goals:

${goalsMarkdown(r.goals)}
${whyNotMet(r, m.cores)}`;
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
