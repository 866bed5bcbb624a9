// The pitr benchmark's section of BENCHMARKS.md, rendered from a run's figures: its tables,
// its method, its caveats and its goals.
import type { BenchmarkOutput } from "../harness/benchmark.js";
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
import { median, spread } from "../harness/statistics.js";
import { SEGMENT_DELAY_MS } from "../../src/archive/binlog-archiver.js";
import {
  foregroundGoalPercent,
  lagGoalP99Ms,
  perconaTimeBetweenUploadsSeconds,
  restoreGoalRatio,
  sampleEveryMs,
  warmUpSeconds,
  type PitrBenchResult,
  type RestoreRun,
} from "./common.js";

const ms = (x: number): string => `${x.toFixed(0)} ms`;

function phasesText(r: RestoreRun): string {
  return Object.entries(r.phases)
    .map(([name, s]) => `${name} ${s.toFixed(2)}`)
    .join(", ");
}

export function renderPitr(r: PitrBenchResult, m: Machine): BenchmarkOutput {
  const lag = r.lag;
  const lagTable = markdownTable(
    ["archive lag under load", "p50", "p99", "max"],
    [
      [
        `**segment stored − commit seen** (${lag.transactions} transactions)`,
        ms(lag.lagMs.p50),
        `**${ms(lag.lagMs.p99)}**`,
        ms(lag.lagMs.max),
      ],
      [
        "segment stored − the sample before (upper bound)",
        ms(lag.lagUpperMs.p50),
        ms(lag.lagUpperMs.p99),
        ms(lag.lagUpperMs.max),
      ],
      [
        `Percona's binlog collector, \`timeBetweenUploads\` (THEIR figure, not measured here)`,
        "—",
        "—",
        `${perconaTimeBetweenUploadsSeconds} s between uploads`,
      ],
    ],
  );

  const on = r.foreground.filter((f) => f.archive === "on");
  const off = r.foreground.filter((f) => f.archive === "off");
  const fgTable = markdownTable(
    ["oltp_write_only through HAProxy", "tps", "p95 ms", "% of off, each round"],
    [
      [
        "every agent with `GALERA_PILOT_ARCHIVE=no` (baseline)",
        formatSpread(r.summary.foreground.off, 1),
        formatSpread(spread(off.map((f) => f.latencyP95Ms)), 2),
        "100 %",
      ],
      [
        "**the archiver running** (one agent archiving)",
        formatSpread(r.summary.foreground.on, 1),
        formatSpread(spread(on.map((f) => f.latencyP95Ms)), 2),
        `**${formatSpread(r.summary.foreground.percent, 1)} %**`,
      ],
    ],
  );
  const fgRunsTable = markdownTable(
    [
      "round",
      "archive",
      "order",
      "tps",
      "p95 ms",
      "errors",
      "archiving node",
      "view changes",
      "flow-control pauses",
    ],
    r.foreground.map((f) => [
      String(f.round),
      f.archive,
      String(f.position),
      f.tps.toFixed(1),
      f.latencyP95Ms.toFixed(2),
      String(f.errors),
      f.archiver ?? "—",
      String(f.viewChanges),
      String(f.flowControlPauses),
    ]),
  );

  const gp = r.restores.filter((x) => x.side === "galera-pilot");
  const raw = r.restores.filter((x) => x.side === "raw");
  const restoreTable = markdownTable(
    ["restore to the latest point", "seconds", "transactions replayed", "÷ raw, each round"],
    [
      [
        "raw tools by hand (baseline)",
        formatSpread(r.summary.restore.raw, 2),
        formatSpread(spread(raw.map((x) => x.transactions)), 0),
        "1",
      ],
      [
        "**`galera-pilot restore --to-latest`**",
        formatSpread(r.summary.restore.galeraPilot, 2),
        formatSpread(spread(gp.map((x) => x.transactions)), 0),
        `**${formatSpread(r.summary.restore.ratio, 2)}×**`,
      ],
    ],
  );
  const restoreRunsTable = markdownTable(
    ["round", "side", "order", "seconds", "after seqno", "through seqno", "transactions", "steps, seconds"],
    r.restores.map((x) => [
      String(x.round),
      x.side,
      String(x.position),
      x.seconds.toFixed(2),
      String(x.backupSeqno),
      String(x.lastSeqno),
      String(x.transactions),
      phasesText(x),
    ]),
  );
  const switchSeconds = median(r.switches.map((s) => s.seconds));

  const section = `## Point-in-time recovery: the archive's lag, the foreground's cost, restore to a point

${measuredOn(r.date, m)}.
${reproduceWith(r.command)}
The whole run took ${(r.totalSeconds / 60).toFixed(1)} minutes.

A 3-node cluster of the local runner (127.0.67.2–4, default \`strict\` durability), HAProxy in
front (127.0.67.1:3306, the rendered config, one thread). Every agent has the runner's
\`STATE/backups\` as its backup destination, so one of them (the rules' choice: not the writer)
archives the binlog to \`STATE/backups/archive\` (docs/point-in-time.md); the cluster's GTID
domain is ${r.domain}. The dataset: \`sysbench oltp_write_only --tables=${r.dataset.tables}
--table-size=${r.dataset.tableSize} --threads=2 prepare\` on the writer (${r.writer}), ${r.dataset.prepareSeconds.toFixed(0)} s with
\`innodb_flush_log_at_trx_commit=0\` for the prepare only (put back and read back before anything
was measured). Then one \`galera-pilot backup\` (the rules chose ${r.backup.node}: backup ${r.backup.id},
${(r.backup.storedBytes / 1e6).toFixed(0)} MB stored), before any load window, so that the archive holds
every window's transactions after it; then ${warmUpSeconds} s of the load through HAProxy, not measured,
and the same after every switch of the archive (a rolling restart of the agents, which restarts
each mariadbd: the side after it would otherwise run on cold buffer pools).
Every load: \`sysbench oltp_write_only --threads=${r.load.threads} --time=${r.load.seconds} --rand-type=uniform\` through HAProxy.
${r.rounds} rounds, the sides' order alternated each round. Medians with (min–max).

Caveats: the machine's ${m.cores} cores are shared by the three nodes (each a mariadbd and its agent),
HAProxy, sysbench and this benchmark, so the figures are this machine's, not a cluster's of
three hosts; HAProxy adds its hop to every transaction of every side alike; sysbench's
\`oltp_write_only\` is one write pattern (four statements a transaction, uniformly random rows).
Load average at the end: ${r.loadAverageAtEnd}.

### 1. The archive's lag under load

While the load ran (${lag.tps.toFixed(1)} tps, ${r.load.seconds} s, ${lag.archiver} archiving), the writer's
\`@@gtid_binlog_pos\` was read every ${sampleEveryMs} ms over one connection to its socket (${lag.samples} samples,
the longest gap between two answers ${ms(lag.longestSampleGapMs)}). A transaction of the cluster's domain
counts as committed at the answer of the first sample whose sequence number reached it. After the
window each transaction (${lag.firstSeqno + 1} to ${lag.lastSeqno}) was found in the archive's segments
(their names say which sequence numbers each holds; ${lag.segments} segments), and stored at its
segment's mtime: the file's last write, fsync'd just after, then linked into the archive. The lag
is stored − committed. Both clocks are this machine's \`Date.now()\`. The first row slightly
understates each lag (the commit happened before the answer that showed it, up to one sample
earlier; the fsync and the link come after the mtime); the second row, from the sending of the
sample before, overstates it. By design a segment is closed once its oldest transaction has
waited ${SEGMENT_DELAY_MS} ms.
${lag.missing > 0 ? `\n**${lag.missing} transactions of the window were not in the archive 30 s after it.**\n` : ""}
${lagTable}

### 2. The foreground's cost

The same load with the archiver running (one agent archiving, confirmed on every agent's
\`GET /status\`: \`archive.archiving\` true on exactly one, and its \`archivedSeqno\` at the cluster's
last transaction before the window) against every agent restarted with \`GALERA_PILOT_ARCHIVE=no\`
(\`archive.archiving\` false and \`archive.able\` false on all three). The archive is switched by a
rolling restart of the agents (\`restartRolling\` of the local runner: each drains, leaves, starts
again and joins by IST, its datadir kept, 3 of 3 synced before the next), then a writer UP in
HAProxy; switching back on, the archiver first stores what was committed while it was off, before
the next window (median ${switchSeconds.toFixed(0)} s a switch, ${r.switches.length} switches).

${fgTable}

Every run, in the order measured (\`view changes\`: \`wsrep_cluster_conf_id\` on the writer after
minus before; \`flow-control pauses\`: its \`wsrep_flow_control_recv\` after minus before):

${fgRunsTable}

### 3. Restore to a point

After the load windows the archive held ${r.archiveAtRestore.segments} segments, sequence numbers
${r.archiveAtRestore.firstSeqno} to ${r.archiveAtRestore.lastSeqno}, ${(r.archiveAtRestore.bytes / 1e6).toFixed(0)} MB; nothing was written meanwhile.

- **galera-pilot**: \`galera-pilot restore --to-latest --datadir DIR --destination STATE/backups\`
  (the built CLI; it chooses backup ${r.backup.id}, restores it beside DIR, reads its last
  transaction with \`mariadbd --wsrep-recover\`, replays the archived transactions after it in a
  standalone mariadbd fed by \`mariadb-binlog - | mariadb\`, stops it, and moves the result into
  DIR), timed from its spawn to its exit; its steps from its output lines.
- **raw** (the baseline), the same work by hand: \`zstd -q -d -c STORED | mbstream -x -C SCRATCH\`,
  \`mariabackup --prepare\`, \`mariabackup --move-back\` into DIR, \`chown -R mysql:mysql DIR\`,
  \`mariadbd --wsrep-recover\` on it (the backup's own GTID), a standalone \`mariadbd\` on it
  (\`skip_networking\`, \`log_bin\`, \`wsrep_on=OFF\`, as galera-pilot's), then
  \`mariadb-binlog --start-position=GTID SEGMENT… | mariadb --binary-mode\` (bash, \`set -o pipefail\`) of every
  segment from the one holding the backup's last transaction on (mariadb-binlog starts after the
  GTID, exclusive), then \`mariadb-admin shutdown\` and the
  server's exit. Timed from the first command to that exit, less the one query that reads the
  result's \`@@gtid_binlog_pos\` (for the count).

Both sides must end at the archive's last transaction (${r.archiveAtRestore.lastSeqno}), or the run fails.
Each result datadir is deleted after its run; \`sync\` before each.

${restoreTable}

Every run, in the order measured:

${restoreRunsTable}

${failedRunsText(r.failures, (f) => f.what)}

Goals:

${goalsMarkdown(r.goals)}

The goals: p99 lag ≤ ${lagGoalP99Ms / 1000} s; the foreground ≥ ${foregroundGoalPercent} % of without; restore ≤ ${restoreGoalRatio}× the raw tools.
Percona's operator uploads binlogs every \`timeBetweenUploads\` (${perconaTimeBetweenUploadsSeconds} s in its example):
their figure, from their documentation, not measured here.`;
  const summaryText = terminalSummary(
    [lagTable, fgTable, fgRunsTable, restoreTable, restoreRunsTable],
    r.goals,
  );
  return { summary: summaryText, section, json: { machine: m, ...r } };
}
