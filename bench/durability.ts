// Issue P's durability benchmark: the price of each durability profile, as sysbench
// oltp_write_only throughput on a 3-node cluster. The profiles' settings come from the same
// table the server config is rendered from (durabilitySettings) and are set on all three
// nodes at runtime (both variables are dynamic) and read back before each run; profiles
// rotate their order from round to round.
import { durabilitySettings, type DurabilityProfile } from "../src/mysqld/server-config.js";
import type { BenchmarkOutput } from "./harness/benchmark.js";
import { electedWriter, localRunnerAgentEnv, withBenchCluster } from "./harness/bench-cluster.js";
import type { Machine } from "./harness/machine.js";
import { progress } from "./harness/progress.js";
import { formatSpread, markdownTable, measuredOn, reproduceWith } from "./harness/report.js";
import { countFromEnv, reproduceCommand, rotated } from "./harness/rounds.js";
import { globalValue, sqlOn, viewCounter } from "./harness/sql.js";
import { pairedByRound, spread, type Spread } from "./harness/statistics.js";
import { measureSysbench, prepareSysbench, type SysbenchResult } from "./harness/sysbench.js";

const firstAddress = "127.0.62.2";
const defaultRounds = 4;
const roundsEnv = "GALERA_PILOT_BENCH_DURABILITY_ROUNDS";
const profiles: DurabilityProfile[] = ["strict", "process", "seed"];
const load = { tables: 4, tableSize: 10_000, threads: 4, seconds: 15 };

export interface DurabilityRun extends SysbenchResult {
  profile: DurabilityProfile;
  round: number;
  position: number;
  viewChanges: number;
}

export interface DurabilityResult {
  date: string;
  rounds: number;
  command: string;
  load: typeof load;
  node: string;
  logBin: string;
  runs: DurabilityRun[];
  byProfile: Record<DurabilityProfile, { tps: Spread; p95: Spread; percentOfSeed: Spread }>;
}

export async function benchDurability(): Promise<DurabilityResult> {
  const rounds = countFromEnv(roundsEnv, defaultRounds);
  return withBenchCluster("durability", firstAddress, localRunnerAgentEnv, async (b) => {
    const writer = await electedWriter(b.cluster);
    const node = b.cluster.layout.find((n) => n.name === writer)!;
    const target = { host: node.address, port: 3306, ...b.credentials };
    await prepareSysbench(b.stateDir, node, target, load, { test: "oltp_write_only", target });
    const logBin = await globalValue(node.socket, "VARIABLES", "log_bin");
    const runs: DurabilityRun[] = [];
    let position = 0;
    for (let round = 1; round <= rounds; round++) {
      for (const profile of rotated(profiles, round - 1)) {
        const s = durabilitySettings[profile];
        for (const n of b.cluster.layout) {
          await sqlOn(
            n.socket,
            `SET GLOBAL innodb_flush_log_at_trx_commit=${s.innodbFlushLogAtTrxCommit}`,
            `SET GLOBAL sync_binlog=${s.syncBinlog}`,
          );
          const flush = await globalValue(n.socket, "VARIABLES", "innodb_flush_log_at_trx_commit");
          const sync = await globalValue(n.socket, "VARIABLES", "sync_binlog");
          if (flush !== String(s.innodbFlushLogAtTrxCommit) || sync !== String(s.syncBinlog)) {
            throw new Error(`${n.name}: ${profile} not in effect (flush ${flush}, sync_binlog ${sync})`);
          }
        }
        const confBefore = await viewCounter(node.socket);
        const r = await measureSysbench(b.stateDir, target, "oltp_write_only", load);
        const confAfter = await viewCounter(node.socket);
        runs.push({ ...r, profile, round, position: ++position, viewChanges: confAfter - confBefore });
        progress(`round ${round}/${rounds} ${profile}: ${r.tps.toFixed(1)} tps, p95 ${r.latencyP95Ms} ms`);
      }
    }
    const byProfile = Object.fromEntries(
      profiles.map((profile) => {
        const of = runs.filter((r) => r.profile === profile);
        const seed = runs.filter((x) => x.profile === "seed");
        const percent = pairedByRound(of, seed, (r, s) => (100 * r.tps) / s.tps);
        return [
          profile,
          {
            tps: spread(of.map((r) => r.tps)),
            p95: spread(of.map((r) => r.latencyP95Ms)),
            percentOfSeed: spread(percent),
          },
        ];
      }),
    ) as DurabilityResult["byProfile"];
    return {
      date: new Date().toISOString(),
      rounds,
      command: reproduceCommand("durability", [{ env: roundsEnv, value: rounds }]),
      load,
      node: writer,
      logBin,
      runs,
      byProfile,
    };
  });
}

const survives: Record<DurabilityProfile, string> = {
  strict: "power loss of every node",
  process: "a crash of every mariadbd, not of every host",
  seed: "the loss of some nodes only: a crash of all loses acknowledged writes",
};

export async function durabilityBenchmark(m: Machine): Promise<BenchmarkOutput> {
  return renderDurability(await benchDurability(), m);
}

export function renderDurability(r: DurabilityResult, m: Machine): BenchmarkOutput {
  const table = markdownTable(
    [
      "profile",
      "innodb_flush_log_at_trx_commit / sync_binlog",
      "survives",
      "tps",
      "% of seed's, each round",
      "p95 ms",
    ],
    profiles.map((p) => [
      `\`${p}\``,
      `${durabilitySettings[p].innodbFlushLogAtTrxCommit} / ${durabilitySettings[p].syncBinlog}`,
      survives[p],
      formatSpread(r.byProfile[p].tps, 1),
      `${formatSpread(r.byProfile[p].percentOfSeed, 1)} %`,
      formatSpread(r.byProfile[p].p95, 2),
    ]),
  );
  const runsTable = markdownTable(
    ["round", "profile", "order", "tps", "p95 ms", "errors", "view changes"],
    r.runs.map((x) => [
      String(x.round),
      x.profile,
      String(x.position),
      x.tps.toFixed(1),
      x.latencyP95Ms.toFixed(2),
      String(x.errors),
      String(x.viewChanges),
    ]),
  );
  // The price as a share of seed's throughput, from the rounds' ratios: median, then the rounds' range.
  const cost = (x: Spread): string =>
    `${(100 - x.median).toFixed(0)} % (rounds: ${(100 - x.max).toFixed(0)} to ${(100 - x.min).toFixed(0)} %)`;
  const section = `## The price of durability (issue P)

${measuredOn(r.date, m)}.
${reproduceWith(r.command)}

A 3-node cluster of the local runner (127.0.62.2–4, datadirs on the machine's ext4 disk)
under sysbench \`oltp_write_only --tables=${r.load.tables} --table-size=${r.load.tableSize}
--threads=${r.load.threads} --time=${r.load.seconds} --rand-type=uniform\`, as the application user over TCP to
one node (${r.node}); the others apply its writes. Before each run, the profile's settings
(\`GALERA_PILOT_DURABILITY\`, the table the server config is rendered from) are set on all
three nodes with \`SET GLOBAL\` (both are dynamic) and read back. The binary log is
${r.logBin === "ON" ? "on" : "off"} in the rendered config (\`log_bin\` ${r.logBin}), so \`sync_binlog\` ${r.logBin === "ON" ? "applies" : "has nothing to sync and costs nothing here"}.
${r.rounds} rounds, the profiles' order rotated each round. Medians with (min–max).

${table}

In plain words: on this machine, \`strict\` — an acknowledged write survives every node losing
power at once — costs ${cost(r.byProfile.strict.percentOfSeed)} of the throughput of the 2015 post's choice (\`seed\`,
which loses acknowledged writes when every node crashes); \`process\` costs ${cost(r.byProfile.process.percentOfSeed)}.
The machine is shared, so single runs swing widely; the rotated order spreads that over the profiles.
A Galera cluster that loses fewer than all of its nodes loses nothing under any profile: the
survivors hold every acknowledged write.

Every run, in the order measured:

${runsTable}
`;
  const summary = [table, "", runsTable].join("\n");
  return { summary, section, json: { machine: m, ...r } };
}
