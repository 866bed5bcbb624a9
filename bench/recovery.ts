// Issue R's benchmark, with the baselines of issue Q: how long a 3-node cluster takes to become
// writable again after a total outage, brought back by the agents (the local runner) or by a
// safe procedure run by hand, side by side in one run on the same data:
//
//   (1) kill -9 of all three → writable. Ours: the three agents start; they recover their
//       positions, exchange states and let Galera's pc.recovery restore the primary. Baseline:
//       the safe manual procedure, clocked from its first step: `mariadbd --wsrep-recover` on
//       each node in parallel, the newest of the cluster bootstrapped, the others started.
//       Floor, reported: raw Galera's pc.recovery, its --wsrep-recover before its clock.
//   (2) clean full shutdown → writable. Ours: the three agents start and pick the last node
//       out by themselves. Baseline: a safe script, clocked from its first step, that reads
//       every grastate.dat and bootstraps the one marked safe_to_bootstrap, then the others.
//
// Both sides start from the same bytes: the crashed (or cleanly stopped) datadirs are copied
// once (cp -a, owner mysql kept) and restored before every run, at the same paths, so the
// rendered config (`<node>/run/my.cnf`) is valid for every side. A run ends at the first
// INSERT that succeeds on a node whose wsrep_cluster_status is Primary, polled every `pollMs`
// on every node's unix socket. Each side takes each place in a round's order in turn.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import mysql from "mysql2/promise";
import type { LocalNode } from "../src/local/cluster-layout.js";
import { parseGrastate } from "../src/mysqld/grastate.js";
import { markSafeToBootstrap } from "../src/mysqld/crash-leftovers.js";
import type { Position } from "../src/model/galera-state.js";
import { parseGvwstate } from "../src/mysqld/gvwstate.js";
import { recoverPosition } from "../src/mysqld/wsrep-recover.js";
import type { BenchmarkOutput } from "./harness/benchmark.js";
import { agentHealthPort, allSynced, withBenchCluster, type BenchCluster } from "./harness/bench-cluster.js";
import type { Machine } from "./harness/machine.js";
import {
  mariadbdCommand,
  mariadbdPath,
  serverUser,
  spawnMariadbd,
  type RawServer,
} from "./harness/mariadbd.js";
import { hasExited, killStrays, logTail, track, vmRssKiB, type TrackedChild } from "./harness/processes.js";
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
import { sqlOn } from "./harness/sql.js";
import { median, pairedByRound, spread, type Spread } from "./harness/statistics.js";
import type { MinimalAgentPlan } from "./minimal-recovery-agent.js";

const minimalAgent = fileURLToPath(new URL("./minimal-recovery-agent.js", import.meta.url));
const firstAddress = "127.0.50.2";
/** Interleaved rounds; each holds one run of each side of each scenario. */
const defaultRounds = 7;
const roundsEnv = "GALERA_PILOT_BENCH_RECOVERY_ROUNDS";
/** How often every node is asked whether it takes writes. */
const pollMs = 20;
const runTimeoutMs = 180_000;

export type Scenario = "crash" | "clean";
export type Side = "ours" | "baseline" | "floor";

/** Where the agents' time went, on the node on the critical path, from their log lines. */
export interface OursBreakdown {
  /** The bootstrapper (clean), or the node whose mariadbd started last (pc.recovery needs all). */
  node: string;
  /** Last agent spawned → the node's first log line ("peers from …"): Node start, option checks. */
  agentStartMs: number;
  /** → "recovering the position" (or, with no --wsrep-recover, "recovered position"): ports check, config, a first peer ask, refusal check (the HTTP server and the SQL driver start while --wsrep-recover runs). */
  prepareMs: number;
  /** → "recovered position": `mariadbd --wsrep-recover` after a crash; nothing after a clean stop. */
  recoverMs: number;
  /** → the first decision to start or to announce a bootstrap: peer exchange and any waiting rounds. */
  decideMs: number;
  /** announce-bootstrap → bootstrap: the intent standing unchallenged (clean only). */
  settleMs: number;
  /** The starting decision → "mariadbd started". */
  launchMs: number;
  /** "mariadbd started" → writable: InnoDB, Galera, pc.recovery or bootstrap, first INSERT. */
  serverMs: number;
  /** The node's decision actions during the run, in order. */
  decisions: string[];
}

export interface RecoveryRun {
  scenario: Scenario;
  side: Side;
  round: number;
  /** This side's place among its round's runs of the scenario: 1 first, 2 second, 3 third. */
  position: 1 | 2 | 3;
  startedAt: string;
  /** From the last node start to the first successful INSERT on a Primary node. */
  writableMs: number;
  writableNode: string;
  /** By hand, crash: the three `mariadbd --wsrep-recover` in parallel (inside the baseline's clock, before the floor's). */
  baselineRecoverMs?: number;
  /** Ours: each agent's resident memory (KiB) once the cluster was writable. */
  agentRssKiB?: number[];
  /** Ours: where the time went. */
  ours?: OursBreakdown;
  /** mariadbd's part, on both sides. */
  server: ServerTimeline;
}

/**
 * mariadbd's part of a run, from the spawn of the critical node's mariadbd (ours: the node of
 * OursBreakdown; baseline: the last one spawned after a crash, the bootstrapper after a clean stop).
 */
export interface ServerTimeline {
  node: string;
  /** → the poller's first connection to that node: InnoDB (crash recovery), Galera's provider. */
  connectedMs: number | null;
  /** → the poller first saw any node in a Primary component. */
  primaryMs: number | null;
  /** → the first INSERT succeeded. */
  insertMs: number;
}

export interface RunFailure {
  round: number;
  scenario: Scenario;
  side: Side;
  error: string;
}

export interface ScenarioSummary {
  scenario: Scenario;
  ours: Spread;
  /** The safe procedure a person or script follows (its --wsrep-recover or grastate.dat reads inside its clock). */
  baseline: Spread;
  /**
   * Crash: raw Galera's pc.recovery, its --wsrep-recover before its clock (reported). Clean:
   * three minimal agents on node: modules alone exchanging grastate.dat positions (the goal's floor).
   */
  floor?: Spread;
  /** median(ours) / median(baseline) */
  ratio: number;
  /** ours / baseline of each round. */
  pairedRatios: Spread;
  /** ours / floor of each round. */
  floorRatios?: Spread;
  /**
   * The best ratio to the safe procedure any agent could reach, each round: crash, the
   * pc.recovery procedure rule S4 prefers (the floor's parallel --wsrep-recover plus the
   * floor) ÷ the safe manual procedure; clean, the minimal agents (the floor) ÷ the safe script.
   * A goal below it cannot be met by an agent that follows S4 (crash) or S2 over the network (clean).
   */
  goalFloorRatios?: Spread;
  /** Crash: ours ÷ the pc.recovery procedure (the floor with its --wsrep-recover), each round. */
  pcProcedureRatios?: Spread;
  /** Crash: the pc.recovery procedure (floor + its --wsrep-recover), s. */
  goalFloorPart?: Spread;
  breakdown: Record<Exclude<keyof OursBreakdown, "node" | "decisions">, Spread>;
  /** Ours: last agent spawned → the critical node's mariadbd spawned (every stage before serverMs). */
  beforeSpawn: Spread;
  /** mariadbd's part on each side, from the critical node's spawn (runs where it was seen). */
  server: Partial<Record<Side, Record<Exclude<keyof ServerTimeline, "node">, Spread>>>;
  /** Crash: the three --wsrep-recover in parallel, in the baseline's runs. */
  baselineRecover?: Spread;
  /** Ours: the largest agent's resident memory once writable, MiB. */
  agentRssMiB: Spread;
  criticalNodes: string[];
}

export interface RecoveryBenchResult {
  date: string;
  rounds: number;
  pollMs: number;
  command: string;
  runs: RecoveryRun[];
  /** Runs that failed and were repeated once: a finding, never dropped silently. */
  failures: RunFailure[];
  summaries: ScenarioSummary[];
  goals: Goal[];
  /** The machine's 1-minute load average when the runs began and when they ended (it is shared). */
  loadAverage?: { start: number; end: number };
}

/** cp -a: owner, modes and sparse files kept. */
function copyTree(from: string, to: string): void {
  rmSync(to, { recursive: true, force: true });
  mkdirSync(dirname(to), { recursive: true });
  const cp = spawnSync("cp", ["-a", from, to], { encoding: "utf8" });
  if (cp.status !== 0) throw new Error(`cp -a ${from} ${to} failed: ${cp.stderr}`);
}

function snapshotDir(stateDir: string, scenario: Scenario, node: LocalNode): string {
  return join(stateDir, "snapshots", scenario, node.name);
}

function takeSnapshot(stateDir: string, scenario: Scenario, nodes: readonly LocalNode[]): void {
  for (const n of nodes) copyTree(n.datadir, snapshotDir(stateDir, scenario, n));
}

/** Puts every datadir back as it was at the snapshot, then flushes it so no writeback lands in a run. */
function restoreSnapshot(stateDir: string, scenario: Scenario, nodes: readonly LocalNode[]): void {
  for (const n of nodes) copyTree(snapshotDir(stateDir, scenario, n), n.datadir);
  spawnSync("sync");
}

interface Writable {
  at: number;
  node: string;
  /** When the poller first connected to each node, and first saw any node Primary. */
  connectedAt: Record<string, number>;
  primaryAt: number | null;
}

/**
 * Polls every node every pollMs over its unix socket: the first INSERT that succeeds on a
 * node reporting wsrep_cluster_status Primary ends the wait. `failed` reports a reason to
 * give up early (a baseline server exited).
 */
async function waitWritable(
  nodes: readonly LocalNode[],
  timeoutMs: number,
  failed: () => string | null,
): Promise<Writable> {
  const deadline = Date.now() + timeoutMs;
  const state: {
    winner: Writable | null;
    failure: string | null;
    connectedAt: Record<string, number>;
    primaryAt: number | null;
  } = { winner: null, failure: null, connectedAt: {}, primaryAt: null };
  const pollNode = async (n: LocalNode): Promise<void> => {
    let c: mysql.Connection | null = null;
    try {
      while (state.winner === null && state.failure === null) {
        const tick = Date.now();
        if (tick > deadline) {
          state.failure = `not writable within ${timeoutMs / 1000} s`;
          return;
        }
        const why = failed();
        if (why) {
          state.failure = why;
          return;
        }
        try {
          c ??= await mysql.createConnection({ socketPath: n.socket, user: "root", connectTimeout: 1000 });
          state.connectedAt[n.name] ??= Date.now();
          const [rows] = await c.query({
            sql: "SHOW GLOBAL STATUS LIKE 'wsrep_cluster_status'",
            timeout: 1000,
          });
          if ((rows as { Value?: string }[])[0]?.Value === "Primary") {
            state.primaryAt ??= Date.now();
            await c.query({
              sql: "INSERT INTO gp_bench.recovery (node) VALUES (?)",
              values: [n.name],
              timeout: 2000,
            });
            state.winner ??= {
              at: Date.now(),
              node: n.name,
              connectedAt: state.connectedAt,
              primaryAt: null,
            };
          }
        } catch (error) {
          // A refused statement ("WSREP has not yet prepared node") keeps the connection.
          if ((error as { fatal?: boolean }).fatal !== false) {
            c?.destroy();
            c = null;
          }
        }
        const wait = pollMs - (Date.now() - tick);
        if (state.winner === null && wait > 0) await sleep(wait);
      }
    } finally {
      c?.destroy();
    }
  };
  await Promise.all(nodes.map(pollNode));
  if (state.winner === null) throw new Error(state.failure ?? "not writable");
  return { ...state.winner, primaryAt: state.primaryAt };
}

// ---------------------------------------------------------------------------------------------
// The agents' log lines: where our time goes.
// ---------------------------------------------------------------------------------------------

interface AgentEvents {
  peersAt: number | null;
  recoveringAt: number | null;
  recoveredAt: number | null;
  decisions: { at: number; action: string }[];
  startedAt: number | null;
}

const agentLine = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) galera-pilot\[[^\]]+\] \w+: (.*)$/;

export function parseAgentEvents(text: string): AgentEvents {
  const events: AgentEvents = {
    peersAt: null,
    recoveringAt: null,
    recoveredAt: null,
    decisions: [],
    startedAt: null,
  };
  for (const line of text.split("\n")) {
    const m = agentLine.exec(line);
    if (!m) continue;
    const at = Date.parse(m[1]!);
    const message = m[2]!;
    if (message.startsWith("peers from ")) events.peersAt ??= at;
    else if (message.startsWith("recovering the position")) events.recoveringAt ??= at;
    else if (message.startsWith("recovered position ")) events.recoveredAt ??= at;
    else if (message.startsWith("mariadbd started")) events.startedAt ??= at;
    else {
      const d = /^decision: ([\w-]+): /.exec(message);
      if (d) events.decisions.push({ at, action: d[1]! });
    }
  }
  return events;
}

const goActions = new Set([
  "join",
  "await-pc-recovery",
  "announce-bootstrap",
  "bootstrap",
  "bootstrap-new-cluster",
]);

/**
 * A run timed from t0 until it was writable, with its side's own figures; its round and place
 * in the round are set by the caller.
 */
function recordRun(
  scenario: Scenario,
  side: Side,
  t0: number,
  writable: Writable,
  figures: Pick<RecoveryRun, "ours" | "agentRssKiB" | "baselineRecoverMs" | "server">,
): RecoveryRun {
  return {
    scenario,
    side,
    round: 0,
    position: 1,
    startedAt: new Date(t0).toISOString(),
    writableMs: writable.at - t0,
    writableNode: writable.node,
    ...figures,
  };
}

function timeline(node: string, spawnedAt: number, w: Writable): ServerTimeline {
  const connected = w.connectedAt[node];
  return {
    node,
    connectedMs: connected === undefined ? null : connected - spawnedAt,
    primaryMs: w.primaryAt === null ? null : w.primaryAt - spawnedAt,
    insertMs: w.at - spawnedAt,
  };
}

export function breakdown(
  scenario: Scenario,
  byNode: Map<string, AgentEvents>,
  lastSpawnAt: number,
  writable: Writable,
): OursBreakdown {
  const started = [...byNode].filter(([, e]) => e.startedAt !== null);
  const bootstrapper = started.find(([, e]) => e.decisions.some((d) => d.action === "bootstrap"));
  const latest = started.sort((a, b) => b[1].startedAt! - a[1].startedAt!)[0];
  const critical = scenario === "clean" ? (bootstrapper ?? latest) : latest;
  if (!critical) throw new Error('no agent logged "mariadbd started" during the run');
  const [node, e] = critical;
  if (e.peersAt === null || e.recoveredAt === null) {
    throw new Error(`${node}'s log lacks "peers from" or "recovered position" lines for this run`);
  }
  const afterRecover = e.decisions.filter((d) => d.at >= e.recoveredAt!);
  const firstGo = afterRecover.find((d) => goActions.has(d.action));
  const announce = afterRecover.find((d) => d.action === "announce-bootstrap");
  const last = afterRecover.filter((d) => goActions.has(d.action) && d.at <= e.startedAt!).at(-1);
  if (!firstGo || !last) throw new Error(`${node} started mariadbd without a logged decision to start`);
  const settleMs = announce && last.action === "bootstrap" ? last.at - announce.at : 0;
  return {
    node,
    agentStartMs: e.peersAt - lastSpawnAt,
    prepareMs: (e.recoveringAt ?? e.recoveredAt) - e.peersAt,
    recoverMs: e.recoveredAt - (e.recoveringAt ?? e.recoveredAt),
    decideMs: firstGo.at - e.recoveredAt,
    settleMs,
    launchMs: e.startedAt! - last.at,
    serverMs: writable.at - e.startedAt!,
    decisions: e.decisions.map((d) => d.action),
  };
}

// ---------------------------------------------------------------------------------------------
// The two sides.
// ---------------------------------------------------------------------------------------------

function fileSize(file: string): number {
  return existsSync(file) ? statSync(file).size : 0;
}

function readFrom(file: string, offset: number): string {
  const text = readFileSync(file);
  return text.subarray(offset).toString("utf8");
}

/** Starts the three agents back to back; timed from the last spawn. */
async function runOurs(b: BenchCluster, scenario: Scenario): Promise<RecoveryRun> {
  const { cluster } = b;
  const offsets = cluster.layout.map((n) => fileSize(n.agentLog));
  cluster.resume();
  for (const n of cluster.layout) cluster.startNode(n.name);
  const t0 = Date.now();
  let writable: Writable;
  let agentRssKiB: number[] = [];
  try {
    writable = await waitWritable(cluster.layout, runTimeoutMs, () => null);
    agentRssKiB = (await cluster.status()).flatMap((n) => {
      try {
        return n.agentPid === null ? [] : [vmRssKiB(n.agentPid)];
      } catch {
        return []; // gone meanwhile: its memory is not measured
      }
    });
  } catch (error) {
    const logs = cluster.layout.map((n) => `--- ${n.name}:\n${logTail(n.agentLog, 25)}`).join("\n");
    throw new Error(`ours (${scenario}): ${(error as Error).message}; the agents' logs:\n${logs}`);
  } finally {
    await b.killAll();
  }
  const events = new Map(
    cluster.layout.map((n, i) => [n.name, parseAgentEvents(readFrom(n.agentLog, offsets[i]!))]),
  );
  const ours = breakdown(scenario, events, t0, writable);
  const spawned = events.get(ours.node)!.startedAt!;
  return recordRun(scenario, "ours", t0, writable, {
    ours,
    agentRssKiB,
    server: timeline(ours.node, spawned, writable),
  });
}

/** How a by-hand side starts the three mariadbd: in this order, each with these extra arguments. */
interface ByHandPlan {
  /** Indexes into nodes, in start order. */
  order: number[];
  /** Extra mariadbd arguments of each node (by index). */
  args: string[][];
  /** The node whose mariadbd is on the critical path (by index). */
  critical: number;
  /** The three --wsrep-recover in parallel, when the side ran them. */
  recoverMs?: number;
}

/**
 * A side run by hand on raw mariadbd, with the agent's rendered config (`<node>/run/my.cnf`):
 * `plan` does what a person or a script does first (read files, run --wsrep-recover) and
 * says how to start the servers; the clock starts before `plan` when `clockIncludesPlan`,
 * after the last spawn otherwise.
 */
async function runByHand(
  nodes: readonly LocalNode[],
  stateDir: string,
  scenario: Scenario,
  side: Exclude<Side, "ours">,
  clockIncludesPlan: boolean,
  plan: () => Promise<ByHandPlan>,
): Promise<RecoveryRun> {
  const servers: RawServer[] = [];
  try {
    const started = Date.now();
    const p = await plan();
    for (const i of p.order) {
      const n = nodes[i]!;
      servers.push(spawnMariadbd(n, p.args[i]!, join(n.dir, `${side}-mariadbd.log`)));
    }
    const t0 = clockIncludesPlan ? started : Date.now();
    const dead = (): string | null => {
      const s = servers.find((x) => hasExited(x.process));
      return s ? `${side} mariadbd of ${s.node.name} exited early; its log:\n${logTail(s.log, 25)}` : null;
    };
    const writable = await waitWritable(nodes, runTimeoutMs, dead).catch((error: Error) => {
      throw new Error(`${side} (${scenario}): ${error.message}`);
    });
    const critical = servers.find((x) => x.node === nodes[p.critical])!;
    return recordRun(scenario, side, t0, writable, {
      ...(p.recoverMs === undefined ? {} : { baselineRecoverMs: p.recoverMs }),
      server: timeline(critical.node.name, critical.spawnedAt, writable),
    });
  } finally {
    for (const s of servers) {
      try {
        process.kill(-s.process.pid!, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    await Promise.all(servers.map((s) => s.exited));
    await killStrays(stateDir);
  }
}

/** The three `mariadbd --wsrep-recover` in parallel (three people on three hosts); their positions. */
async function recoverAll(nodes: readonly LocalNode[]): Promise<{ positions: Position[]; ms: number }> {
  const t = Date.now();
  const recovered = await Promise.all(
    nodes.map((n) => recoverPosition(mariadbdPath, join(n.runDir, "my.cnf"), serverUser)),
  );
  return { positions: recovered.map((r) => ({ uuid: r.uuid, seqno: r.seqno })), ms: Date.now() - t };
}

/** The newest node of the cluster most nodes hold: highest seqno, then the lowest name. */
function newestOf(nodes: readonly LocalNode[], positions: readonly Position[]): number {
  let best = 0;
  positions.forEach((p, i) => {
    const b = positions[best]!;
    if (p.uuid === b.uuid && p.seqno > b.seqno) best = i;
  });
  if (positions.some((p) => p.uuid !== positions[best]!.uuid)) {
    throw new Error(
      `the nodes hold different clusters: ${positions.map((p, i) => `${nodes[i]!.name} ${p.uuid}`).join(", ")}`,
    );
  }
  return best;
}

/**
 * kill -9, the safe manual procedure (the clock includes all of it): --wsrep-recover on the
 * three nodes in parallel, pick the newest of the same cluster, mark it safe_to_bootstrap and
 * start it with --wsrep-new-cluster, then the two others, each with its recovered position.
 */
function runSafeManual(nodes: readonly LocalNode[], stateDir: string): Promise<RecoveryRun> {
  return runByHand(nodes, stateDir, "crash", "baseline", true, async () => {
    const { positions, ms } = await recoverAll(nodes);
    const chosen = newestOf(nodes, positions);
    markSafeToBootstrap(nodes[chosen]!.datadir);
    const start = (i: number) => `--wsrep-start-position=${positions[i]!.uuid}:${positions[i]!.seqno}`;
    return {
      order: [chosen, ...nodes.map((_, i) => i).filter((i) => i !== chosen)],
      args: nodes.map((_, i) => (i === chosen ? ["--wsrep-new-cluster", start(i)] : [start(i)])),
      critical: chosen,
      recoverMs: ms,
    };
  });
}

/**
 * kill -9, raw Galera's pc.recovery (the floor, reported): --wsrep-recover on the three nodes
 * in parallel before the clock, then the three mariadbd back to back; the clock starts at the
 * last spawn.
 */
function runPcRecoveryFloor(nodes: readonly LocalNode[], stateDir: string): Promise<RecoveryRun> {
  return runByHand(nodes, stateDir, "crash", "floor", false, async () => {
    const { positions, ms } = await recoverAll(nodes);
    return {
      order: nodes.map((_, i) => i),
      args: positions.map((p) => [`--wsrep-start-position=${p.uuid}:${p.seqno}`]),
      critical: nodes.length - 1,
      recoverMs: ms,
    };
  });
}

/**
 * Clean full stop, a safe script that does not know the last node out (the clock includes it):
 * it reads every node's grastate.dat, starts the one marked safe_to_bootstrap (else the highest
 * seqno) with --wsrep-new-cluster, then the two others.
 */
function runGrastateScript(nodes: readonly LocalNode[], stateDir: string): Promise<RecoveryRun> {
  return runByHand(nodes, stateDir, "clean", "baseline", true, () => {
    const states = nodes.map((n) => parseGrastate(readFileSync(join(n.datadir, "grastate.dat"), "utf8")));
    let chosen = states.findIndex((g) => g.safeToBootstrap);
    if (chosen < 0) chosen = newestOf(nodes, states);
    return Promise.resolve({
      order: [chosen, ...nodes.map((_, i) => i).filter((i) => i !== chosen)],
      args: nodes.map((_, i) => (i === chosen ? ["--wsrep-new-cluster"] : [])),
      critical: chosen,
    });
  });
}

/**
 * Clean full stop, the floor: three minimal agents (minimal-recovery-agent.ts, node: modules
 * only) started back to back as ours are, each on its node's address and port. They exchange
 * their grastate.dat positions over HTTP and start mariadbd, the chosen one with
 * --wsrep-new-cluster; the clock starts at the last spawn, as ours does. What it takes beyond
 * the safe script is what hearing from every expected node over the network (S2) costs any
 * agent on Node, none of galera-pilot's own work.
 */
async function runMinimalAgents(nodes: readonly LocalNode[], stateDir: string): Promise<RecoveryRun> {
  const agents: (TrackedChild & { node: LocalNode; out: string })[] = [];
  try {
    for (const n of nodes) {
      const plan: MinimalAgentPlan = {
        name: n.name,
        address: n.address,
        port: agentHealthPort,
        datadir: n.datadir,
        peers: nodes.filter((o) => o !== n).map((o) => ({ name: o.name, address: o.address })),
        server: mariadbdCommand(n),
        serverLog: join(n.dir, "floor-mariadbd.log"),
      };
      const child = spawn(process.execPath, [minimalAgent, JSON.stringify(plan)], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      const agent = { ...track(child), node: n, out: "" };
      child.stdout!.setEncoding("utf8");
      child.stdout!.on("data", (chunk: string) => (agent.out += chunk));
      agents.push(agent);
    }
    const t0 = Date.now();
    const dead = (): string | null => {
      const a = agents.find((x) => hasExited(x.process));
      if (a) return `the minimal agent of ${a.node.name} exited early`;
      const s = nodes.find((n) => /\[ERROR\] Aborting/.test(logTail(join(n.dir, "floor-mariadbd.log"), 5)));
      return s
        ? `floor mariadbd of ${s.name} aborted; its log:\n${logTail(join(s.dir, "floor-mariadbd.log"), 25)}`
        : null;
    };
    const writable = await waitWritable(nodes, runTimeoutMs, dead).catch((error: Error) => {
      throw new Error(`floor (clean): ${error.message}`);
    });
    const bootstrapper = agents.find((a) => / bootstrap$/m.test(a.out));
    const spawnedAt = Number(/^spawned (\d+)/m.exec(bootstrapper?.out ?? "")?.[1]);
    if (!bootstrapper || !Number.isFinite(spawnedAt))
      throw new Error("floor (clean): no minimal agent bootstrapped");
    return recordRun("clean", "floor", t0, writable, {
      server: timeline(bootstrapper.node.name, spawnedAt, writable),
    });
  } finally {
    for (const a of agents) a.process.kill("SIGKILL");
    await Promise.all(agents.map((a) => a.exited));
    await killStrays(stateDir);
  }
}

// ---------------------------------------------------------------------------------------------
// Setting the scene: a real cluster, a crash under writes, a clean stop.
// ---------------------------------------------------------------------------------------------

/** Inserts on one node until stopped; the crash lands in the middle of it. */
function writeLoad(socket: string): { stop: () => Promise<number> } {
  let running = true;
  let rows = 0;
  const loop = (async () => {
    const c = await mysql.createConnection({ socketPath: socket, user: "root" });
    try {
      while (running) {
        await c.query("INSERT INTO gp_bench.load (v) VALUES (REPEAT('x', 200))");
        rows++;
      }
    } finally {
      c.destroy();
    }
  })().catch(() => undefined);
  return {
    stop: async () => {
      running = false;
      await loop;
      return rows;
    },
  };
}

function checkCrashSnapshot(nodes: readonly LocalNode[]): void {
  for (const n of nodes) {
    const file = join(n.datadir, "gvwstate.dat");
    const gvw = existsSync(file) ? parseGvwstate(readFileSync(file, "utf8")) : "empty";
    if (gvw === "empty" || gvw.members.length !== 3) {
      throw new Error(`after kill -9, ${n.name} has no 3-member gvwstate.dat: pc.recovery would not apply`);
    }
  }
}

function checkCleanSnapshot(nodes: readonly LocalNode[]): void {
  const grastate = parseGrastate(readFileSync(join(nodes[0]!.datadir, "grastate.dat"), "utf8"));
  if (!grastate.safeToBootstrap) {
    throw new Error(`after the clean stop, ${nodes[0]!.name} (the last out) is not safe_to_bootstrap`);
  }
}

/**
 * Builds a 3-node cluster with the local runner, crashes it under writes (snapshot "crash"),
 * brings it back (a warm-up), stops it cleanly n3, n2, n1 (snapshot "clean"), then measures
 * each scenario `rounds` times on each side, interleaved. Every process it started is
 * killed and its temp dir removed, even on error.
 */
export async function benchRecovery(): Promise<RecoveryBenchResult> {
  const rounds = countFromEnv(roundsEnv, defaultRounds);
  // The agents' defaults alone, but for the drain: nothing routes to these nodes, and a drain
  // before each clean stop would only slow the setup.
  return withBenchCluster("recovery", firstAddress, { GALERA_PILOT_DRAIN: "0" }, async (b) => {
    const { cluster, stateDir } = b;
    const nodes = cluster.layout;
    const runs: RecoveryRun[] = [];
    const failures: RunFailure[] = [];
    await sqlOn(
      nodes[0]!.socket,
      "CREATE DATABASE IF NOT EXISTS gp_bench",
      "CREATE TABLE IF NOT EXISTS gp_bench.recovery (id BIGINT AUTO_INCREMENT PRIMARY KEY, node VARCHAR(8), at TIMESTAMP(3) DEFAULT CURRENT_TIMESTAMP(3))",
      "CREATE TABLE IF NOT EXISTS gp_bench.load (id BIGINT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(255))",
    );
    progress("synced; kill -9 of all three under writes");
    const load = writeLoad(nodes[1]!.socket);
    await sleep(1500);
    await b.killAll();
    const rows = await load.stop();
    checkCrashSnapshot(nodes);
    takeSnapshot(stateDir, "crash", nodes);
    progress(`crashed after ${rows} inserts; snapshot taken; warm-up: the agents recover it`);

    restoreSnapshot(stateDir, "crash", nodes);
    cluster.resume();
    for (const n of nodes) cluster.startNode(n.name);
    await cluster.waitFor(allSynced, 300_000, "3 of 3 synced after the warm-up recovery");
    await sqlOn(nodes[0]!.socket, "INSERT INTO gp_bench.load (v) VALUES ('after the warm-up')");
    progress("warm-up recovered; clean stop n3, n2, n1");
    await cluster.down();
    checkCleanSnapshot(nodes);
    takeSnapshot(stateDir, "clean", nodes);

    const loadAtStart = loadavg()[0]!;
    for (let round = 1; round <= rounds; round++) {
      for (const scenario of ["crash", "clean"] as const) {
        // Each side takes each place in turn: ours first in round 1, second in round 2, …
        const order = rotated(["ours", "baseline", "floor"] as const, -(round - 1));
        for (const [i, side] of order.entries()) {
          const run = await repeatOnceOnFailure(
            `round ${round} ${scenario} ${side}`,
            () => {
              restoreSnapshot(stateDir, scenario, nodes);
              if (side === "ours") return runOurs(b, scenario);
              if (side === "floor") {
                return scenario === "crash"
                  ? runPcRecoveryFloor(nodes, stateDir)
                  : runMinimalAgents(nodes, stateDir);
              }
              return scenario === "crash"
                ? runSafeManual(nodes, stateDir)
                : runGrastateScript(nodes, stateDir);
            },
            (error) => failures.push({ round, scenario, side, error }),
          );
          run.round = round;
          run.position = (i + 1) as RecoveryRun["position"];
          runs.push(run);
          progress(
            `round ${round}/${rounds} ${scenario} ${side}: writable after ${(run.writableMs / 1000).toFixed(2)} s on ${run.writableNode}` +
              (run.ours ? ` (critical ${run.ours.node}: ${run.ours.decisions.join(" → ")})` : "") +
              (run.baselineRecoverMs
                ? ` (--wsrep-recover before: ${(run.baselineRecoverMs / 1000).toFixed(2)} s)`
                : ""),
          );
        }
      }
    }
    const summaries = (["crash", "clean"] as const).map((s) => summarise(s, runs));
    const partial = {
      date: new Date().toISOString(),
      rounds,
      pollMs,
      command: reproduceCommand("recovery", [{ env: roundsEnv, value: rounds }]),
      runs,
      failures,
      summaries,
      loadAverage: { start: loadAtStart, end: loadavg()[0]! },
    };
    return { ...partial, goals: goals(summaries) };
  });
}

function serverSpread(runs: readonly RecoveryRun[]): Record<Exclude<keyof ServerTimeline, "node">, Spread> {
  const of = (key: Exclude<keyof ServerTimeline, "node">): Spread =>
    spread(runs.flatMap((r) => (r.server[key] === null ? [] : [r.server[key]])));
  return { connectedMs: of("connectedMs"), primaryMs: of("primaryMs"), insertMs: of("insertMs") };
}

function summarise(scenario: Scenario, runs: readonly RecoveryRun[]): ScenarioSummary {
  const of = (side: Side): RecoveryRun[] => runs.filter((r) => r.scenario === scenario && r.side === side);
  const ours = of("ours");
  const baseline = of("baseline");
  const floor = of("floor");
  /** a.writableMs / b.writableMs of each round both sides ran. */
  const writableRatios = (
    sides: readonly { round: number; writableMs: number }[],
    others: readonly { round: number; writableMs: number }[],
  ): number[] => pairedByRound(sides, others, (a, b) => a.writableMs / b.writableMs);
  const pairedWith = (others: readonly { round: number; writableMs: number }[]): Spread =>
    spread(writableRatios(ours, others));
  const part = (key: Exclude<keyof OursBreakdown, "node" | "decisions">): Spread =>
    spread(ours.map((r) => r.ours![key]));
  const withRecover = baseline.filter((r) => r.baselineRecoverMs !== undefined);
  // The procedure S4 prefers, by hand: the floor's parallel --wsrep-recover, then the floor.
  const pcProcedure = floor.flatMap((f) =>
    f.baselineRecoverMs === undefined
      ? []
      : [{ round: f.round, writableMs: f.baselineRecoverMs + f.writableMs }],
  );
  // The goal's floor: what S4 (crash) or S2 over the network (clean) costs at least.
  const goalFloor = writableRatios(scenario === "crash" ? pcProcedure : floor, baseline);
  return {
    scenario,
    ours: spread(ours.map((r) => r.writableMs)),
    baseline: spread(baseline.map((r) => r.writableMs)),
    ...(floor.length > 0
      ? { floor: spread(floor.map((r) => r.writableMs)), floorRatios: pairedWith(floor) }
      : {}),
    ...(goalFloor.length > 0 ? { goalFloorRatios: spread(goalFloor) } : {}),
    ...(pcProcedure.length > 0
      ? {
          goalFloorPart: spread(pcProcedure.map((p) => p.writableMs)),
          pcProcedureRatios: pairedWith(pcProcedure),
        }
      : {}),
    ratio: median(ours.map((r) => r.writableMs)) / median(baseline.map((r) => r.writableMs)),
    pairedRatios: pairedWith(baseline),
    beforeSpawn: spread(ours.map((r) => r.writableMs - r.ours!.serverMs)),
    breakdown: {
      agentStartMs: part("agentStartMs"),
      prepareMs: part("prepareMs"),
      recoverMs: part("recoverMs"),
      decideMs: part("decideMs"),
      settleMs: part("settleMs"),
      launchMs: part("launchMs"),
      serverMs: part("serverMs"),
    },
    server: {
      ours: serverSpread(ours),
      baseline: serverSpread(baseline),
      ...(floor.length > 0 ? { floor: serverSpread(floor) } : {}),
    },
    ...(withRecover.length > 0
      ? { baselineRecover: spread(withRecover.map((r) => r.baselineRecoverMs!)) }
      : {}),
    agentRssMiB: spread(
      ours.flatMap((r) => (r.agentRssKiB?.length ? [Math.max(...r.agentRssKiB) / 1024] : [])),
    ),
    criticalNodes: ours.map((r) => r.ours!.node),
  };
}

/** The goals: ours within this many times the safe procedure, per scenario. */
const goalRatio: Record<Scenario, number> = { crash: 1.1, clean: 1.5 };

function goals(summaries: readonly ScenarioSummary[]): RecoveryBenchResult["goals"] {
  const s = (d: number): string => (d / 1000).toFixed(2);
  return summaries.map((x) => {
    const ratio = goalRatio[x.scenario];
    return {
      goal:
        x.scenario === "crash"
          ? `total outage (kill -9 of all) → writable within ${ratio}× the safe manual procedure (median of the rounds' ratios)`
          : `clean full shutdown → writable within ${ratio}× a safe script that reads every grastate.dat (median of the rounds' ratios)`,
      // Both sides of a round run back to back on the same data: their ratio moves less with
      // the machine's other load than the ratio of the medians does.
      met: x.pairedRatios.median <= ratio,
      detail:
        `${formatSpread(x.pairedRatios, 2)}×; ratio of the medians ${x.ratio.toFixed(2)}× (${s(x.ours.median)} s vs ${s(x.baseline.median)} s)` +
        (x.scenario === "crash" && x.floor && x.floorRatios
          ? `; raw pc.recovery (floor, its --wsrep-recover before its clock): ${s(x.floor.median)} s, ours ${formatSpread(x.floorRatios, 2)}× it`
          : "") +
        floorText(x, ratio),
    };
  });
}

/** What the goal's floor (goalFloorRatios) says about the goal. */
function floorText(x: ScenarioSummary, goal: number): string {
  const f = x.goalFloorRatios;
  if (f === undefined || f.n === 0) return "";
  const what =
    x.scenario === "crash"
      ? `the pc.recovery procedure rule S4 prefers (its --wsrep-recover in parallel, then raw pc.recovery) takes ${formatSpread(f, 2)}× the safe manual procedure`
      : `three minimal agents on Node that exchange their grastate.dat positions over HTTP and start mariadbd (${x.floor ? (x.floor.median / 1000).toFixed(2) : "?"} s) take ${formatSpread(f, 2)}× the safe script`;
  const verdict =
    f.median > goal
      ? x.scenario === "crash"
        ? `: no agent that follows S4 can meet ${goal}× here`
        : `: no agent on Node that hears from every expected node over the network first (S2) can meet ${goal}× here`
      : `: the goal is within reach of an agent on Node`;
  const ours =
    x.pcProcedureRatios !== undefined
      ? `; ours ${formatSpread(x.pcProcedureRatios, 2)}× that procedure`
      : x.floorRatios !== undefined
        ? `; ours ${formatSpread(x.floorRatios, 2)}× them`
        : "";
  return `; floor: ${what}${verdict}${ours}`;
}

// ---------------------------------------------------------------------------------------------
// BENCHMARKS.md's section.
// ---------------------------------------------------------------------------------------------

export async function recoveryBenchmark(m: Machine): Promise<BenchmarkOutput> {
  return renderRecovery(await benchRecovery(), m);
}

/** The section, summary and JSON of a run's measurements; summaries and goals are recomputed from its runs. */
export function renderRecovery(measured: RecoveryBenchResult, m: Machine): BenchmarkOutput {
  const summaries = (["crash", "clean"] as const).map((s) => summarise(s, measured.runs));
  const r: RecoveryBenchResult = { ...measured, summaries, goals: goals(summaries) };
  const sec = (ms: number): string => (ms / 1000).toFixed(2);
  const sp = (x: Spread | undefined): string => (x === undefined ? "—" : formatSeconds(x, 2));
  const ratiosText = (ratios: Spread | undefined): string => (ratios ? formatSpread(ratios, 2) : "—");
  const crash = r.summaries.find((x) => x.scenario === "crash")!;
  const clean = r.summaries.find((x) => x.scenario === "clean")!;

  /** A row comparing ours with the safe procedure: the goal, judged on the rounds' ratios. */
  const judgedComparison = (label: string, x: ScenarioSummary): string[] => [
    label,
    sp(x.ours),
    sp(x.baseline),
    `**${formatSpread(x.pairedRatios, 2)}**`,
    `${x.ratio.toFixed(2)}×`,
    `≤ ${goalRatio[x.scenario]}×`,
  ];
  /** A row comparing ours with a side that has no goal: reported only. */
  const reportedComparison = (
    label: string,
    x: ScenarioSummary,
    other: Spread | undefined,
    ratios: Spread | undefined,
  ): string[] => [
    label,
    sp(x.ours),
    sp(other),
    ratiosText(ratios),
    other ? `${(x.ours.median / other.median).toFixed(2)}×` : "—",
    "—",
  ];
  /** A row of the goal's floor: the lowest ratio to the safe procedure any agent could reach. */
  const goalFloorRow = (label: string, x: ScenarioSummary, floor: Spread | undefined): string[] => [
    label,
    "—",
    sp(floor),
    ratiosText(x.goalFloorRatios),
    "—",
    "—",
  ];
  const summaryTable = markdownTable(
    [
      "comparison",
      "ours: s, median (min–max)",
      "other side: s, median (min–max)",
      "ours ÷ other side, each round: median (min–max)",
      "ratio of the medians",
      "goal",
    ],
    [
      judgedComparison("kill -9 of all → writable vs the safe manual procedure", crash),
      reportedComparison(
        "kill -9 of all → writable vs raw Galera's pc.recovery (floor, reported)",
        crash,
        crash.floor,
        crash.floorRatios,
      ),
      reportedComparison(
        "kill -9 of all → writable vs the pc.recovery procedure (the floor with its --wsrep-recover in parallel: S4's way by hand)",
        crash,
        crash.goalFloorPart,
        crash.pcProcedureRatios,
      ),
      // The pc.recovery procedure's seconds stand in the row above.
      goalFloorRow(
        "the goal's floor, kill -9: the pc.recovery procedure ÷ the safe manual procedure",
        crash,
        undefined,
      ),
      judgedComparison("clean full shutdown → writable vs a safe script reading every grastate.dat", clean),
      reportedComparison(
        "clean full shutdown → writable vs three minimal agents exchanging grastate.dat positions (the floor)",
        clean,
        clean.floor,
        clean.floorRatios,
      ),
      goalFloorRow("the goal's floor, clean: the minimal agents ÷ the safe script", clean, clean.floor),
    ],
  );

  const stages: [Exclude<keyof OursBreakdown, "node" | "decisions">, string][] = [
    ["agentStartMs", "agent start: last agent spawned → its first log line"],
    ["prepareMs", "→ datadir checked: ports, config, a first peer ask, refusal check"],
    ["recoverMs", "→ position known: `mariadbd --wsrep-recover` (kill -9); grastate.dat, no child (clean)"],
    ["decideMs", "→ decision to start (or to announce): peer exchange, waiting rounds"],
    ["settleMs", "→ bootstrap intent settled"],
    ["launchMs", "→ mariadbd spawned"],
    ["serverMs", "→ writable"],
  ];
  const breakdownTable = markdownTable(
    ["stage, on the critical node (ours)", "kill -9", "clean"],
    [
      ...stages.map(([key, label]) => [label, sp(crash.breakdown[key]), sp(clean.breakdown[key])]),
      ["**total: last agent started → writable**", `**${sp(crash.ours)}**`, `**${sp(clean.ours)}**`],
      [
        "the safe procedure's `--wsrep-recover` on three nodes in parallel (inside its clock)",
        sp(crash.baselineRecover),
        "—",
      ],
      [
        "the largest agent's resident memory once writable, MiB",
        formatSpread(crash.agentRssMiB, 1),
        formatSpread(clean.agentRssMiB, 1),
      ],
    ],
  );
  const serverRows: [Exclude<keyof ServerTimeline, "node">, string][] = [
    ["connectedMs", "its socket accepts a connection"],
    ["primaryMs", "a node is in a Primary component"],
    ["insertMs", "an INSERT succeeded"],
  ];
  const serverTable = markdownTable(
    [
      "after the critical mariadbd's spawn",
      "kill -9: ours",
      "kill -9: safe manual",
      "kill -9: floor",
      "clean: ours",
      "clean: safe script",
      "clean: floor",
    ],
    serverRows.map(([key, label]) => [
      label,
      sp(crash.server.ours?.[key]),
      sp(crash.server.baseline?.[key]),
      sp(crash.server.floor?.[key]),
      sp(clean.server.ours?.[key]),
      sp(clean.server.baseline?.[key]),
      sp(clean.server.floor?.[key]),
    ]),
  );

  const runOf = (scenario: Scenario, side: Side, round: number): RecoveryRun | undefined =>
    r.runs.find((x) => x.scenario === scenario && x.side === side && x.round === round);
  const runsTable = markdownTable(
    [
      "round",
      "scenario",
      "order",
      "ours s",
      "safe procedure s",
      "floor s",
      "ours ÷ safe procedure",
      "ours: critical node, decisions",
    ],
    (["crash", "clean"] as const).flatMap((scenario) =>
      Array.from({ length: r.rounds }, (_, i) => {
        const round = i + 1;
        const o = runOf(scenario, "ours", round)!;
        const b = runOf(scenario, "baseline", round)!;
        const f = runOf(scenario, "floor", round);
        const order = [o, b, ...(f ? [f] : [])]
          .sort((x, y) => x.position - y.position)
          .map((x) => (x.side === "baseline" ? "safe" : x.side))
          .join(", ");
        return [
          String(round),
          scenario === "crash" ? "kill -9" : "clean",
          order,
          sec(o.writableMs),
          sec(b.writableMs),
          f ? sec(f.writableMs) : "—",
          `${(o.writableMs / b.writableMs).toFixed(2)}×`,
          `${o.ours!.node}: ${o.ours!.decisions.join(" → ")}`,
        ];
      }),
    ),
  );

  const goalLines = goalsMarkdown(r.goals);
  const section = `## Recovery after a total outage (issue R, baselines of issue Q)

${measuredOn(r.date, m)}${
    r.loadAverage
      ? `; the machine's load average (other users' work included) was ${r.loadAverage.start.toFixed(1)} when the runs began and ${r.loadAverage.end.toFixed(1)} when they ended`
      : ""
  }.
${reproduceWith(r.command)}

A 3-node cluster of the local runner (127.0.50.2–4, every agent as \`node\` with the full
peer list, the default sampling interval) is crashed once by kill -9 of every agent and
mariadbd in the middle of a write load, and the crashed datadirs are copied (cp -a); it is
then recovered once (a warm-up), stopped cleanly n3, n2, n1 (n1 leaves last) and copied
again. Every run restores one of the two copies at the same paths and is timed until an
INSERT succeeds on a node whose \`wsrep_cluster_status\` is Primary, polled every ${r.pollMs} ms
on every node's unix socket. ${r.rounds} ${r.rounds === 1 ? "round" : "rounds"}; each runs every side of both scenarios back to back on the
same data, each side taking each place in the order in turn. Medians with (min–max).

The baselines are what a careful person or script must do to be safe, so that the agents are
held to the same steps:

- **ours, kill -9 of all** (clock from the last agent's start): each agent recovers its
  position with \`mariadbd --wsrep-recover\`, asks its peers, decides \`await-pc-recovery\` and
  starts mariadbd; Galera's pc.recovery restores the primary once all three are up.
- **the safe manual procedure** (clock from its first step): \`mariadbd --wsrep-recover\` on
  the three nodes in parallel, the newest node of the cluster chosen, marked
  \`safe_to_bootstrap: 1\` and started with \`--wsrep-new-cluster\`, then the two others, each
  with its \`--wsrep-start-position\`. Writable as soon as the bootstrapped node is.
- **raw Galera's pc.recovery (the floor, reported, no goal)**: \`--wsrep-recover\` on the three
  nodes before the clock, then the three mariadbd back to back; the clock starts at the last.
- **ours, clean full shutdown** (clock from the last agent's start): each agent reads its
  position from grastate.dat, they exchange positions (asked every 50 ms), n1 announces,
  bootstraps after its intent stood one decision round (50 ms), the others join.
- **a safe script** (clock from its first step): it does not know the last node out; it reads
  every node's grastate.dat, starts the one marked \`safe_to_bootstrap\` with
  \`--wsrep-new-cluster\`, then the two others.

Two floors say how close any agent could come to each goal, measured in the same rounds:

- **kill -9: the pc.recovery procedure** — the floor's own parallel \`--wsrep-recover\`
  plus the floor: what rule S4 (prefer Galera's pc.recovery when every member of the last
  primary component is back) costs when done by hand. An agent that follows S4 cannot beat
  it, so it ÷ the safe manual procedure is the lowest ratio such an agent can reach.
- **clean: three minimal agents** (\`bench/minimal-recovery-agent.ts\`, Node's own modules
  only, clock from the last one's start as ours): each reads its grastate.dat, serves its
  position over HTTP on its node's address, asks the two others every 2 ms until it holds
  all three, ranks them as the script does and starts its mariadbd, the chosen one with
  \`--wsrep-new-cluster\`. The bootstrapper may act only once every expected node has
  answered (S2), and an agent hears from the others only over the network, so this is the
  least any agent on Node does; it leaves out what a safe agent may not (its intent standing
  one round, S3; health answers; refusal checks). It ÷ the script is the lowest ratio such
  an agent can reach.

${summaryTable}

Where our time goes, from the agents' log lines (ms timestamps) on the node on the critical
path: the bootstrapper after a clean stop; after kill -9 the node whose mariadbd started
last, since pc.recovery needs all three. Medians of each stage, so they need not add up to
the median total.

${breakdownTable}

mariadbd's part, in seconds after the spawn of the critical node's mariadbd (the
bootstrapped one on the safe sides and the clean floor; the last one spawned for the kill -9 floor), from the poller's
view. mariadbd accepts client connections only once its node is in a Primary component.

${serverTable}

Every run:

${runsTable}

${failedRunsText(r.failures, (f) => `round ${f.round} ${f.scenario} ${f.side}`)}

Goals:

${goalLines}
`;
  const summary = terminalSummary([summaryTable, breakdownTable, serverTable, runsTable], r.goals);
  return { summary, section, json: { machine: m, ...r } };
}
