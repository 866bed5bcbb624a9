// Issue P's failover benchmark: how long writes through the router's writer port stop after
// kill -9 of the node taking them, with our defaults and with a classic setup, each on its
// own 3-node cluster, rounds interleaved; and (issue F) how long they stop when the writer's
// agent alone is paused.
//
//   ours:    the rendered HAProxy config (writer backend checked on /writer, our check
//            timings) and our evs timings (failoverProviderOptions).
//   classic: the 2015 seed's way of adding HAProxy: every node checked on `/` with HAProxy's
//            own default timings (inter 2 s, fall 3, rise 2), one server taking writes and the
//            two others `backup` (so writes go to one node at a time), Galera's default evs
//            timings.
//
// Both clusters run side by side, the classic one with Galera's default evs timings given as
// the user's provider options (GALERA_PILOT_PROVIDER_OPTIONS, which win over ours); every
// node's effective options are read back. (They cannot be switched at runtime on one cluster:
// galera-4 refuses to change evs.inactive_check_period on a running node.) A client writes through the side's writer port, one
// INSERT at a time on a kept connection (reconnecting after an error, as a pool does); the
// node taking writes is killed (-9, agent and mariadbd) and kept down until writes resumed,
// then started again and given time to rejoin before the next run.
import { setTimeout as sleep } from "node:timers/promises";
import mysql from "mysql2/promise";
import { DEFAULT_SAMPLE_INTERVAL_MS } from "../src/options/agent-options.js";
import { defaultCheckTimings, writerHandoverMs } from "../src/router/haproxy-config.js";
import { abandonAfterMs } from "../src/health/member-knowledge.js";
import type { HaproxyProcess } from "../src/router/haproxy-process.js";
import {
  durationSeconds,
  failoverProviderOptions,
  galeraDefaultEvsOptions,
} from "../src/mysqld/server-config.js";
import type { BenchmarkOutput } from "./harness/benchmark.js";
import {
  allSynced,
  electedWriter,
  localRunnerAgentEnv,
  providerOptionsEnv,
  startBenchCluster,
  type BenchCluster,
} from "./harness/bench-cluster.js";
import { renderedRouterConfig, serverStates } from "./harness/haproxy.js";
import type { Machine } from "./harness/machine.js";
import { progress } from "./harness/progress.js";
import {
  failedRunsText,
  formatSeconds,
  formatSpread,
  goalsMarkdown,
  markdownTable,
  measuredOn,
  reproduceWith,
  terminalSummary,
  type Goal,
} from "./harness/report.js";
import { countFromEnv, repeatOnceOnFailure, reproduceCommand, rotated } from "./harness/rounds.js";
import { globalValue, providerOptions, sqlOn } from "./harness/sql.js";
import { median, pairedByRound, spread, type Spread } from "./harness/statistics.js";

const firstAddress = { ours: "127.0.60.2", classic: "127.0.60.12" } as const;
const routerAddress = { ours: "127.0.60.1", classic: "127.0.60.11" } as const;
const routerPort = 3306;
const defaultRounds = 5;
const roundsEnv = "GALERA_PILOT_BENCH_FAILOVER_ROUNDS";
const goalSeconds = 2;
const goalRatio = 0.3;
const pausedGoalRatio = 2;

type Side = "ours" | "classic";

export interface FailoverRun {
  side: Side;
  round: number;
  position: 1 | 2;
  killed: string;
  resumedOn: string;
  /** The longest gap between two acknowledged writes of the run: the write unavailability. */
  gapMs: number;
  /** kill → first acknowledged write after it. */
  resumedAfterMs: number;
  /** kill → a survivor reports a 2-member primary view (Galera dropped the dead node). */
  viewAfterMs: number | null;
  /** kill → the side's HAProxy has the killed server DOWN in its writer backend. */
  downAfterMs: number | null;
  /** kill → the side's HAProxy routes new connections to another server (killed one DOWN, another UP). */
  upAfterMs: number | null;
  /** Statements sent and answered with an error (a write in flight on the killed node). */
  failedStatements: number;
}

function classicConfig(b: BenchCluster, statsSocket: string): string {
  const servers = b.cluster.layout.map(
    (n, i) =>
      `    server ${n.name} ${n.address}:3306 check addr ${n.address} port 8080${i === 0 ? "" : " backup"}`,
  );
  return [
    "global",
    `    stats socket ${statsSocket} mode 600 level admin`,
    "    maxconn 2000",
    "",
    "defaults",
    "    mode tcp",
    "    timeout connect 3s",
    "    timeout client 1h",
    "    timeout server 1h",
    "",
    "frontend classic_writer",
    `    bind ${routerAddress.classic}:${routerPort}`,
    "    default_backend classic_writer",
    "",
    "backend classic_writer",
    "    option httpchk GET /",
    "    http-check expect status 200",
    "    default-server inter 2000 fall 3 rise 2",
    ...servers,
    "",
  ].join("\n");
}

function oursConfig(b: BenchCluster, statsSocket: string): string {
  return renderedRouterConfig(
    b.cluster.layout,
    { address: routerAddress.ours, port: routerPort },
    statsSocket,
  );
}

/** Checks that every node of the side runs with the side's evs timings. */
async function checkEvs(b: BenchCluster, options: Readonly<Record<string, string>>): Promise<void> {
  const seconds = (x: string | undefined): number => durationSeconds(x ?? "") ?? Number.NaN;
  for (const n of b.cluster.layout) {
    const now = await providerOptions(n.socket);
    for (const [k, v] of Object.entries(options)) {
      if (seconds(now.get(k)) !== seconds(v)) {
        throw new Error(`${n.name}: ${k} is ${now.get(k) ?? "unset"}, expected ${v}`);
      }
    }
  }
}

/** Writes through the writer port until stopped; one statement at a time on a kept connection. */
function writeLoop(credentials: { user: string; password: string }, host: string) {
  const acks: { at: number; node: string }[] = [];
  let failed = 0;
  let running = true;
  const loop = (async () => {
    let c: mysql.Connection | null = null;
    while (running) {
      try {
        c ??= await mysql.createConnection({
          host,
          port: routerPort,
          ...credentials,
          database: "gp_bench",
          connectTimeout: 2000,
        });
      } catch {
        await sleep(20);
        continue;
      }
      try {
        await c.query({ sql: "INSERT INTO failover (node) VALUES (@@wsrep_node_name)", timeout: 15_000 });
        const [rows] = await c.query("SELECT @@wsrep_node_name AS node");
        acks.push({ at: Date.now(), node: (rows as { node: string }[])[0]!.node });
      } catch {
        failed++;
        c.destroy();
        c = null;
      }
      await sleep(10);
    }
    c?.destroy();
  })();
  return {
    acks,
    failed: () => failed,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/** Writes through the side's writer port, once they have landed on `node` for 2 s. */
async function writesLandingOn(b: BenchCluster, side: Side, node: string, before: string) {
  const loop = writeLoop(b.credentials, routerAddress[side]);
  await sleep(2000);
  if (!loop.acks.some((a) => a.node === node)) {
    await loop.stop();
    throw new Error(`${side}: writes did not land on ${node} before ${before}`);
  }
  return loop;
}

type Ack = { at: number; node: string };

/** The first write acknowledged after `since` by another node than `node`: writes resumed. */
function firstAckElsewhere(acks: readonly Ack[], since: number, node: string): Ack | undefined {
  return acks.find((a) => a.at > since && a.node !== node);
}

/** The longest gap between two acknowledged writes, of the gaps that end after `since`. */
function longestGap(acks: readonly Ack[], since = -Infinity): number {
  let gapMs = 0;
  for (let i = 1; i < acks.length; i++) {
    if (acks[i]!.at > since) gapMs = Math.max(gapMs, acks[i]!.at - acks[i - 1]!.at);
  }
  return gapMs;
}

async function runOnce(
  b: BenchCluster,
  side: Side,
  proxy: HaproxyProcess,
  backend: string,
): Promise<Omit<FailoverRun, "round" | "position">> {
  const { cluster } = b;
  // The node taking writes: the elected writer (ours), the non-backup server (classic), once it is UP.
  const deadline = Date.now() + 120_000;
  let target: string | null = null;
  while (target === null) {
    if (Date.now() > deadline) throw new Error(`${side}: no server UP in ${backend} for 120 s`);
    const status = await cluster.status();
    const states = await serverStates(proxy, backend);
    const up = [...states].filter(([, s]) => s === "UP").map(([n]) => n);
    const wanted = side === "ours" ? status.filter((n) => n.writer).map((n) => n.name) : ["n1"];
    if (allSynced(status) && up.length >= 1 && wanted.length === 1 && up.includes(wanted[0]!)) {
      if (side === "classic" || up.length === 1) target = wanted[0]!;
    }
    if (target === null) await sleep(250);
  }
  await checkEvs(b, side === "ours" ? failoverProviderOptions : galeraDefaultEvsOptions);

  const survivors = cluster.layout.filter((n) => n.name !== target);
  const loop = await writesLandingOn(b, side, target, "the kill");
  const killedAt = Date.now();
  await cluster.killNode(target, { restart: false });

  // Watch Galera's view on the survivors and HAProxy's writer backend while writes resume.
  let viewAt: number | null = null;
  let downAt: number | null = null;
  let upAt: number | null = null;
  const resumed = (): boolean => firstAckElsewhere(loop.acks, killedAt, target) !== undefined;
  const until = Date.now() + 60_000;
  while (!(resumed() && viewAt !== null && upAt !== null) && Date.now() < until) {
    const t = Date.now();
    if (viewAt === null) {
      const sizes = await Promise.all(
        survivors.map((n) => globalValue(n.socket, "STATUS", "wsrep_cluster_size").catch(() => "")),
      );
      if (sizes.includes("2")) viewAt = Date.now();
    }
    // "UP 1/2" is a server still UP while failing checks; "DOWN…" is down.
    const states = await serverStates(proxy, backend);
    if (downAt === null && states.get(target)?.startsWith("DOWN")) downAt = Date.now();
    // HAProxy sends new connections elsewhere: ours, once the next writer is UP; classic, once
    // the killed server is DOWN (its backups are UP all along).
    if (upAt === null && downAt !== null && [...states].some(([n, s]) => n !== target && s === "UP")) {
      upAt = Date.now();
    }
    await sleep(Math.max(0, 25 - (Date.now() - t)));
  }
  await sleep(1000);
  await loop.stop();
  const after = firstAckElsewhere(loop.acks, killedAt, target);
  if (!after) throw new Error(`${side}: writes did not resume within 60 s after kill -9 of ${target}`);
  const gapMs = longestGap(loop.acks);

  progress(`${side}: ${target} back: starting it and waiting for 3 of 3 synced`);
  cluster.startNode(target);
  await cluster.waitFor(allSynced, 300_000, `${target} rejoined, 3 of 3 synced`);
  return {
    side,
    killed: target,
    resumedOn: after.node,
    gapMs,
    resumedAfterMs: after.at - killedAt,
    viewAfterMs: viewAt === null ? null : viewAt - killedAt,
    downAfterMs: downAt === null ? null : downAt - killedAt,
    upAfterMs: upAt === null ? null : upAt - killedAt,
    failedStatements: loop.failed(),
  };
}

/** A writer whose agent is paused: its mariadbd serves on, its agent answers nobody. */
export interface PausedAgentRun {
  round: number;
  paused: string;
  resumedOn: string;
  /** The longest gap between two acknowledged writes while the agent was paused. */
  gapMs: number;
  /** pause → first acknowledged write on another node. */
  resumedAfterMs: number;
  failedStatements: number;
}

const pauseMs = 8000;

/**
 * Ours only (the classic setup has no agent election): SIGSTOP of the writer's agent for
 * 8 s, mariadbd untouched. HAProxy's checks of it time out, its peers stop waiting for it
 * (abandonAfterMs), the next writer waits its handover and claims.
 */
async function runPaused(b: BenchCluster, round: number): Promise<PausedAgentRun> {
  const { cluster } = b;
  await electedWriter(cluster, 300_000);
  const writer = (await cluster.status()).find((n) => n.writer)!;
  if (!writer.agentPid) throw new Error(`ours: the writer ${writer.name}'s agent pid is unknown`);
  const loop = await writesLandingOn(b, "ours", writer.name, "the pause");
  const pausedAt = Date.now();
  process.kill(writer.agentPid, "SIGSTOP");
  try {
    await sleep(pauseMs);
  } finally {
    process.kill(writer.agentPid, "SIGCONT");
  }
  await sleep(1000);
  await loop.stop();
  const after = firstAckElsewhere(loop.acks, pausedAt, writer.name);
  if (!after) throw new Error(`ours: writes did not move off ${writer.name} while its agent was paused 8 s`);
  return {
    round,
    paused: writer.name,
    resumedOn: after.node,
    gapMs: longestGap(loop.acks, pausedAt),
    resumedAfterMs: after.at - pausedAt,
    failedStatements: loop.failed(),
  };
}

export interface FailoverBenchResult {
  date: string;
  rounds: number;
  command: string;
  evs: { ours: Record<string, string>; classic: Record<string, string> };
  haproxy: { ours: string; classic: string };
  runs: FailoverRun[];
  pausedRuns: PausedAgentRun[];
  failures: { round: number; side: Side | "ours, paused agent"; error: string }[];
  summary: Record<
    Side,
    Record<"gapMs" | "resumedAfterMs" | "viewAfterMs" | "downAfterMs" | "upAfterMs", Spread>
  >;
  pairedRatios: Spread;
  paused: Record<"gapMs" | "resumedAfterMs", Spread>;
  goals: Goal[];
}

export async function benchFailover(): Promise<FailoverBenchResult> {
  const rounds = countFromEnv(roundsEnv, defaultRounds);
  const clusters: Partial<Record<Side, BenchCluster>> = {};
  try {
    clusters.ours = await startBenchCluster("failover-ours", firstAddress.ours, localRunnerAgentEnv);
    clusters.classic = await startBenchCluster("failover-classic", firstAddress.classic, {
      ...localRunnerAgentEnv,
      ...providerOptionsEnv(galeraDefaultEvsOptions),
      // The 2015 setup has no agent that evicts a dead member: Galera's timeouts alone.
      GALERA_PILOT_EVICT_DEAD: "no",
    });
    const b = { ours: clusters.ours, classic: clusters.classic };
    const proxies = {
      ours: await b.ours.haproxy("ours", (socket) => oursConfig(b.ours, socket)),
      classic: await b.classic.haproxy("classic", (socket) => classicConfig(b.classic, socket)),
    };
    const backends = { ours: "galera_writer", classic: "classic_writer" };
    for (const side of ["ours", "classic"] as const) {
      const writer = await electedWriter(b[side].cluster);
      await sqlOn(
        b[side].cluster.layout.find((n) => n.name === writer)!.socket,
        "CREATE DATABASE IF NOT EXISTS gp_bench",
        "CREATE TABLE IF NOT EXISTS gp_bench.failover (id BIGINT AUTO_INCREMENT PRIMARY KEY, node VARCHAR(16), at TIMESTAMP(3) DEFAULT CURRENT_TIMESTAMP(3))",
      );
    }
    const runs: FailoverRun[] = [];
    const pausedRuns: PausedAgentRun[] = [];
    const failures: FailoverBenchResult["failures"] = [];
    for (let round = 1; round <= rounds; round++) {
      for (const [i, side] of rotated(["ours", "classic"] as const, round - 1).entries()) {
        const run = await repeatOnceOnFailure(
          `round ${round} ${side}`,
          () => runOnce(b[side], side, proxies[side], backends[side]),
          (error) => failures.push({ round, side, error }),
          async () => {
            await b[side].cluster
              .waitFor(allSynced, 300_000, "3 of 3 synced before the repeat")
              .catch(() => undefined);
          },
        );
        runs.push({ ...run, round, position: i === 0 ? 1 : 2 });
        progress(
          `round ${round}/${rounds} ${side}: killed ${run.killed}; longest write gap ${(run.gapMs / 1000).toFixed(2)} s; ` +
            `view ${fmt(run.viewAfterMs)}, down ${fmt(run.downAfterMs)}, up ${fmt(run.upAfterMs)}, resumed ${fmt(run.resumedAfterMs)} on ${run.resumedOn}`,
        );
      }
      try {
        const paused = await runPaused(b.ours, round);
        pausedRuns.push(paused);
        progress(
          `round ${round}/${rounds} ours, paused agent: paused ${paused.paused}'s agent; longest write gap ${(paused.gapMs / 1000).toFixed(2)} s; resumed ${fmt(paused.resumedAfterMs)} on ${paused.resumedOn}`,
        );
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        failures.push({ round, side: "ours, paused agent", error: message });
        progress(`round ${round} ours, paused agent FAILED: ${message}`);
      }
    }
    const of = (side: Side) => runs.filter((r) => r.side === side);
    const sp = (side: Side, key: "gapMs" | "resumedAfterMs" | "viewAfterMs" | "downAfterMs" | "upAfterMs") =>
      spread(of(side).flatMap((r) => (r[key] === null ? [] : [r[key]])));
    const summary = Object.fromEntries(
      (["ours", "classic"] as const).map((side) => [
        side,
        {
          gapMs: sp(side, "gapMs"),
          resumedAfterMs: sp(side, "resumedAfterMs"),
          viewAfterMs: sp(side, "viewAfterMs"),
          downAfterMs: sp(side, "downAfterMs"),
          upAfterMs: sp(side, "upAfterMs"),
        },
      ]),
    ) as FailoverBenchResult["summary"];
    const pairedRatios = spread(pairedByRound(of("ours"), of("classic"), (o, c) => o.gapMs / c.gapMs));
    const ours = summary.ours.gapMs;
    const classic = summary.classic.gapMs;
    const paused = {
      gapMs: spread(pausedRuns.map((r) => r.gapMs)),
      resumedAfterMs: spread(pausedRuns.map((r) => r.resumedAfterMs)),
    };
    const goals = [
      {
        goal: `write unavailability after kill -9 of the writer ≤ ${goalSeconds} s (median of the rounds)`,
        met: ours.median <= goalSeconds * 1000,
        detail: `${formatSeconds(ours, 2)} s; worst round ${(ours.max / 1000).toFixed(2)} s`,
      },
      {
        goal: `≤ ${goalRatio}× the classic setup's (median of the rounds' ratios)`,
        met: pairedRatios.median <= goalRatio,
        detail: `${formatSpread(pairedRatios, 2)}×; ratio of the medians ${(median(of("ours").map((r) => r.gapMs)) / median(of("classic").map((r) => r.gapMs))).toFixed(2)}× (${(ours.median / 1000).toFixed(2)} s vs ${(classic.median / 1000).toFixed(2)} s)`,
      },
      {
        goal: `a paused writer agent's write outage ≤ ${pausedGoalRatio}× the crash failover (medians)`,
        met: paused.gapMs.n > 0 && paused.gapMs.median <= pausedGoalRatio * ours.median,
        detail:
          paused.gapMs.n === 0
            ? "no paused-agent run succeeded"
            : `${formatSeconds(paused.gapMs, 2)} s = ${(paused.gapMs.median / ours.median).toFixed(2)}× the crash failover's ${(ours.median / 1000).toFixed(2)} s`,
      },
    ];
    return {
      date: new Date().toISOString(),
      rounds,
      command: reproduceCommand("failover", [{ env: roundsEnv, value: rounds }]),
      evs: { ours: { ...failoverProviderOptions }, classic: { ...galeraDefaultEvsOptions } },
      haproxy: { ours: oursConfig(b.ours, "SOCKET"), classic: classicConfig(b.classic, "SOCKET") },
      runs,
      pausedRuns,
      failures,
      summary,
      pairedRatios,
      paused,
      goals,
    };
  } finally {
    progress("stopping");
    for (const c of Object.values(clusters)) await c.close();
    progress("stopped");
  }
}

function fmt(ms: number | null): string {
  return ms === null ? "—" : `${(ms / 1000).toFixed(2)} s`;
}

export async function failoverBenchmark(m: Machine): Promise<BenchmarkOutput> {
  return renderFailover(await benchFailover(), m);
}

export function renderFailover(r: FailoverBenchResult, m: Machine): BenchmarkOutput {
  const rows: [keyof FailoverBenchResult["summary"]["ours"], string][] = [
    ["gapMs", "**longest gap between acknowledged writes**"],
    ["resumedAfterMs", "kill → first acknowledged write on another node"],
    ["viewAfterMs", "kill → Galera drops the dead node (a survivor's view has 2 members)"],
    ["downAfterMs", "kill → HAProxy has the killed server DOWN"],
    ["upAfterMs", "kill → HAProxy routes new connections to another node"],
  ];
  const summaryTable = markdownTable(
    ["seconds, median (min–max)", "ours", "classic"],
    rows.map(([key, label]) => [
      label,
      formatSeconds(r.summary.ours[key], 2),
      formatSeconds(r.summary.classic[key], 2),
    ]),
  );
  const runsTable = markdownTable(
    [
      "round",
      "side",
      "first",
      "killed",
      "resumed on",
      "gap s",
      "view s",
      "down s",
      "up s",
      "failed statements",
    ],
    r.runs.map((x) => [
      String(x.round),
      x.side,
      x.position === 1 ? "yes" : "no",
      x.killed,
      x.resumedOn,
      (x.gapMs / 1000).toFixed(2),
      fmt(x.viewAfterMs).replace(" s", ""),
      fmt(x.downAfterMs).replace(" s", ""),
      fmt(x.upAfterMs).replace(" s", ""),
      String(x.failedStatements),
    ]),
  );
  const pausedTable = markdownTable(
    [
      "round",
      "paused agent of",
      "resumed on",
      "gap s",
      "pause → write on another node s",
      "failed statements",
    ],
    r.pausedRuns.map((x) => [
      String(x.round),
      x.paused,
      x.resumedOn,
      (x.gapMs / 1000).toFixed(2),
      (x.resumedAfterMs / 1000).toFixed(2),
      String(x.failedStatements),
    ]),
  );
  const writerChecks = defaultCheckTimings.writer;
  const evsTable = markdownTable(
    ["evs option", "ours", "classic (Galera's default)"],
    Object.keys(r.evs.ours).map((k) => [`\`${k}\``, r.evs.ours[k]!, r.evs.classic[k]!]),
  );
  const goalLines = goalsMarkdown(r.goals);
  const section = `## Failover: writes after kill -9 of the writer, and with its agent paused (issues P, F)

${measuredOn(r.date, m)}.
${reproduceWith(r.command)}

Two 3-node clusters of the local runner side by side, each with its HAProxy, agents with
their default sampling interval (${DEFAULT_SAMPLE_INTERVAL_MS} ms):

- **ours** (127.0.60.2–4): the rendered server config (our evs timings) and the rendered
  HAProxy config (\`galera-pilot haproxy render\`): the writer backend checked on \`/writer\`
  (the single elected writer) with \`inter ${writerChecks.interMs} fastinter ${writerChecks.fastinterMs} downinter ${writerChecks.downinterMs} rise ${writerChecks.rise} fall ${writerChecks.fall}\`,
  and the agents' writer handover (${writerHandoverMs()} ms: a new writer answers 200 only once
  HAProxy has the old one DOWN); the agents evict a member whose agent and Galera port both
  refuse connections (\`evs.evict\`).
- **classic** (127.0.60.12–14): the 2015 seed's way of adding HAProxy: every node checked on
  \`/\` with HAProxy's default timings (\`inter 2000 fall 3 rise 2\`), n1 taking writes and n2,
  n3 \`backup\` (one writer at a time); Galera's default evs timings, given to the agents as
  the user's provider options (\`GALERA_PILOT_PROVIDER_OPTIONS\`, which win over ours), and no
  eviction by the agents (\`GALERA_PILOT_EVICT_DEAD=no\`). Every node's effective options are
  read back before each run.

${evsTable}

Each run starts a client that writes through its side's writer port (one INSERT at a time on
a kept connection, reconnecting after an error, as a pool does), kills the node taking the
writes (-9: agent and mariadbd) after 2 s, keeps it down
until writes resumed, then starts it again and waits until it rejoined (IST) and every node
is synced. The figure is **the longest gap between two acknowledged writes** of the run.
${r.rounds} rounds, each running both sides, the first side alternating. Medians with (min–max).

${summaryTable}

Every run (\`failed statements\`: statements sent and answered with an error — the one in
flight on the killed node, or a timed-out one):

${runsTable}

${failedRunsText(r.failures, (f) => `round ${f.round} ${f.side}`)}

Where the time goes: the survivors cannot commit anything until Galera drops the dead
member from the view. Their agents find the dead agent's port refusing connections (each
polls its peers every ${DEFAULT_SAMPLE_INTERVAL_MS} ms), then its Galera port refusing too, and have Galera evict
it at once, without waiting for its suspect timeout. From that first refusal the dead node
cannot be ahead of the next writer either: it waits its handover (${writerHandoverMs()} ms) and claims,
and HAProxy's next check of it (every ${writerChecks.downinterMs} ms while it is DOWN) brings it UP. The
handover is now the longer path. In the classic
setup the backup takes writes only once HAProxy marked n1 DOWN (three failed checks 2 s
apart) and its writes commit only once Galera dropped n1 (5 s suspect timeout): the later
of the two.

**A paused writer agent** (ours only: the classic setup has no agents' election). In each
round, once the cluster is whole again, the client writes through the writer port and the
writer's agent gets SIGSTOP for ${pauseMs / 1000} s, its mariadbd untouched: HAProxy's checks of it time
out and take it DOWN (shutting its sessions), its peers stop waiting for its answers after
${abandonAfterMs(DEFAULT_SAMPLE_INTERVAL_MS) / 1000} s of silence, and the next writer waits its handover. The figure is the longest gap
between acknowledged writes from the pause on: ${r.pausedRuns.length === 0 ? "—" : `${formatSeconds(r.paused.gapMs, 2)} s`}.

${pausedTable}

Goals:

${goalLines}
`;
  const summary = terminalSummary([summaryTable, runsTable, pausedTable], r.goals);
  return { summary, section, json: { machine: m, ...r } };
}
