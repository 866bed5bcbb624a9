// Issue H's benchmark: the agent's GET /ready under wrk, side by side in one run with a bare
// node:http server (the ceiling) and a server that asks MySQL on every request
// (galera-healthcheck's way). Every process listens on its own loopback address.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import mysql from "mysql2/promise";

const agentEntry = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
const baselineEntry = fileURLToPath(new URL("./baseline-servers.js", import.meta.url));

const agentAddress = "127.0.30.2";
const bareAddress = "127.0.30.10";
const sqlAddress = "127.0.30.11";
const port = 8080;
const measureDuration = "10s";
const warmUpDuration = "2s";
/** The agent's sampler: two statements (SHOW GLOBAL STATUS, SELECT @@read_only) per interval. */
const samplerStatementsPerSecond = 2;

export const wrkCommand = `wrk -t1 -c16 -d${measureDuration} --latency URL`;

export interface LoadRun {
  target: string;
  url: string;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  durationS: number;
  /** Answers other than 2xx/3xx, and connect/read/write/timeout errors: both should be 0. */
  non2xx: number;
  socketErrors: number;
  /**
   * CPU time (user + system) per request of the server's process and of mariadbd during the
   * run: the work a request costs, which a process that takes a core away does not shrink
   * the way it shrinks requests/s (caches and CPU steal still move it).
   */
  cpuUsPerRequest?: { server: number; mariadbd: number };
}

/** mariadbd's `Questions` counter across one measured run. */
export interface SqlCount {
  statements: number;
  requests: number;
  perRequest: number;
}

export interface Goal {
  goal: string;
  met: boolean;
  detail: string;
}

export interface HealthBenchResult {
  date: string;
  wrkCommand: string;
  mariadbVersion: string;
  runs: { bare: LoadRun; agent1: LoadRun; sql: LoadRun; agent2: LoadRun };
  /** The mean of the two agent runs. */
  agentMean: { requestsPerSec: number; p50Ms: number; p99Ms: number };
  statements: { agent1: SqlCount; agent2: SqlCount; sql: SqlCount };
  /** VmRSS of the agent process (not mariadbd), in KiB. */
  agentRssKiB: { beforeLoad: number; afterLoad: number };
  goals: Goal[];
}

const startedAt = Date.now();
/** Progress on stderr: the run takes minutes, mostly the agent's first start. */
function progress(line: string): void {
  process.stderr.write(`bench: ${((Date.now() - startedAt) / 1000).toFixed(0)} s: ${line}\n`);
}

const unitsMs: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function durationMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(text);
  if (!m) throw new Error(`wrk: cannot read the duration "${text}"`);
  return Number(m[1]) * unitsMs[m[2]!]!;
}

/** Reads wrk's --latency report. Throws on anything unexpected rather than report a wrong number. */
export function parseWrk(stdout: string, target: string, url: string): LoadRun {
  const need = (re: RegExp, what: string): RegExpExecArray => {
    const m = re.exec(stdout);
    if (!m) throw new Error(`wrk output has no ${what}:\n${stdout}`);
    return m;
  };
  const totals = need(/(\d+) requests in ([\d.]+\w+),/, "request total");
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  return {
    target,
    url,
    requestsPerSec: Number(need(/Requests\/sec:\s+([\d.]+)/, "Requests/sec")[1]),
    p50Ms: durationMs(need(/^\s+50%\s+(\S+)$/m, "50% line")[1]!),
    p99Ms: durationMs(need(/^\s+99%\s+(\S+)$/m, "99% line")[1]!),
    requests: Number(totals[1]),
    durationS: durationMs(totals[2]!) / 1000,
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0),
    socketErrors: socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
  };
}

function runWrk(url: string, duration: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const wrk = spawn("/usr/bin/wrk", ["-t1", "-c16", `-d${duration}`, "--latency", url], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    wrk.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    wrk.on("error", reject);
    wrk.on("exit", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`wrk exited with ${code}:\n${out}`)),
    );
  });
}

interface Child {
  process: ChildProcess;
  exited: Promise<void>;
}

function track(child: ChildProcess): Child {
  return { process: child, exited: new Promise((resolve) => child.once("exit", () => resolve())) };
}

/** SIGTERM, then SIGKILL if it has not exited within timeoutMs. */
async function stop(child: Child, timeoutMs: number): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill("SIGTERM");
  // A plain sleep would keep the runner alive for the whole timeout after the child exits.
  const timeout = new AbortController();
  const done = await Promise.race([
    child.exited.then(() => true),
    sleep(timeoutMs, false, { signal: timeout.signal }).catch(() => false),
  ]);
  timeout.abort();
  if (!done) {
    child.process.kill("SIGKILL");
    await child.exited;
  }
}

/** One statement over the unix socket as OS root (unix_socket auth); first row's columns. */
async function queryOne(socket: string, statement: string): Promise<Record<string, unknown>> {
  const connection = await mysql.createConnection({ socketPath: socket, user: "root", connectTimeout: 5000 });
  try {
    const [rows] = await connection.query(statement);
    return (rows as Record<string, unknown>[])[0] ?? {};
  } finally {
    await connection.end();
  }
}

async function questions(socket: string): Promise<number> {
  return Number((await queryOne(socket, "SHOW GLOBAL STATUS LIKE 'Questions'"))["Value"]);
}

/** Linux's USER_HZ: /proc/PID/stat counts CPU time in 1/100 s on every mainstream architecture. */
const clockTicksPerSecond = 100;

/** CPU time (user + system) a process has used so far, in µs. */
function cpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces); utime and stime are fields 14, 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / clockTicksPerSecond;
}

function vmRssKiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]);
}

/** Kills our mariadbd if it outlived the agent; the command line must name our run dir (pids get reused). */
function killOrphanServer(runDir: string): void {
  try {
    const pid = Number(readFileSync(join(runDir, "mysqld.pid"), "utf8").trim());
    if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(runDir)) process.kill(pid, "SIGKILL");
  } catch {
    // No pid file or no such process: nothing left behind.
  }
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

function startAgent(dir: string, logFile: string): Child {
  const log = openSync(logFile, "a");
  const agent = spawn(process.execPath, [agentEntry, "seed"], {
    env: {
      PATH: process.env["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin",
      MYSQL_ROOT_PASSWORD: randomBytes(18).toString("base64url"),
      XTRABACKUP_PASSWORD: randomBytes(18).toString("base64url"),
      // Required once the peer state API lands (issue R); ignored by agents before it.
      GALERA_PILOT_CLUSTER_SECRET: randomBytes(18).toString("base64url"),
      GALERA_PILOT_NAME: "bench1",
      GALERA_PILOT_ADDRESS: agentAddress,
      GALERA_PILOT_HEALTH_ADDRESS: agentAddress,
      GALERA_PILOT_DATADIR: join(dir, "data"),
      GALERA_PILOT_RUN_DIR: join(dir, "run"),
      GALERA_PILOT_CLUSTER_NAME: "bench",
      // Nothing routes to this node: the 3 s drain before leaving would only slow the exit.
      GALERA_PILOT_DRAIN: "0",
    },
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  return track(agent);
}

async function waitReady(url: string, agent: Child, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (agent.process.exitCode !== null || agent.process.signalCode !== null) {
      throw new Error(`the agent exited before ${url} answered 200; its log:\n${tail(logFile)}`);
    }
    const status = await fetch(url, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${url} did not answer 200 within ${timeoutMs / 1000} s (last: ${status}); log:\n${tail(logFile)}`,
      );
    }
    await sleep(500);
  }
}

/** Starts bench/baseline-servers.js in MODE and waits for its "listening" line. */
async function startBaseline(mode: "bare" | "sql", address: string, socket?: string): Promise<Child> {
  const args = [baselineEntry, mode, address, String(port), ...(socket ? [socket] : [])];
  const child = track(spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] }));
  await new Promise<void>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`the ${mode} server did not start in 10 s`)), 10_000);
    child.process.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("listening\n")) {
        clearTimeout(timer);
        resolve();
      }
    });
    void child.exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the ${mode} server exited before listening`));
    });
  });
  return child;
}

/**
 * A warm-up, then the measured run, with the CPU time of the server's process and of
 * mariadbd; with a socket, mariadbd's statements across the measured run.
 */
async function measure(
  target: string,
  url: string,
  pids: { server: number; mariadbd: number },
  socket?: string,
): Promise<{ run: LoadRun; sql?: SqlCount }> {
  progress(`${target}: ${url}`);
  await runWrk(url, warmUpDuration);
  const before = socket ? await questions(socket) : 0;
  const cpuBefore = { server: cpuUs(pids.server), mariadbd: cpuUs(pids.mariadbd) };
  const run = parseWrk(await runWrk(url, measureDuration), target, url);
  run.cpuUsPerRequest = {
    server: (cpuUs(pids.server) - cpuBefore.server) / run.requests,
    mariadbd: (cpuUs(pids.mariadbd) - cpuBefore.mariadbd) / run.requests,
  };
  if (!socket) return { run };
  // The reading's own statement counts too: one per reading, noise beside the sampler's.
  const statements = (await questions(socket)) - before;
  return { run, sql: { statements, requests: run.requests, perRequest: statements / run.requests } };
}

function mean(a: number, b: number): number {
  return (a + b) / 2;
}

function goals(result: Omit<HealthBenchResult, "goals">): Goal[] {
  const { bare } = result.runs;
  const agent = result.agentMean;
  const ratio = agent.requestsPerSec / bare.requestsPerSec;
  // Zero SQL per request: the statements during a run are the sampler's, whatever the load.
  const sqlRuns = [result.runs.agent1, result.runs.agent2].map((run, i) => {
    const count = i === 0 ? result.statements.agent1 : result.statements.agent2;
    const budget = samplerStatementsPerSecond * (Math.ceil(run.durationS) + 2) + 2;
    return { count, budget };
  });
  return [
    {
      goal: "agent ≥ 80 % of the bare server's requests/s",
      met: ratio >= 0.8,
      detail: `${(ratio * 100).toFixed(1)} % (${agent.requestsPerSec.toFixed(0)} vs ${bare.requestsPerSec.toFixed(0)} requests/s)`,
    },
    {
      goal: "agent p99 < 2 ms",
      met: agent.p99Ms < 2,
      // The ceiling's own p99 says whether the goal is reachable at all under this load.
      detail: `mean p99 ${agent.p99Ms.toFixed(3)} ms (runs: ${result.runs.agent1.p99Ms.toFixed(3)} ms, ${result.runs.agent2.p99Ms.toFixed(3)} ms); the bare server's p99 under the same load: ${bare.p99Ms.toFixed(3)} ms`,
    },
    {
      goal: "zero SQL per request",
      met: sqlRuns.every((r) => r.count.statements <= r.budget),
      detail: sqlRuns
        .map(
          (r, i) =>
            `run ${i + 1}: ${r.count.statements} statements for ${r.count.requests} requests (sampler budget ${r.budget})`,
        )
        .join("; "),
    },
  ];
}

/**
 * Starts one real agent (`galera-pilot seed`, a one-node cluster), waits for /ready, then
 * measures bare → agent → sql → agent with wrk, interleaved so a drift of the machine's speed
 * touches every target. Everything it started is stopped, and its temp dir removed, even on error.
 */
export async function benchHealthEndpoint(): Promise<HealthBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), "gp-bench-"));
  chmodSync(dir, 0o755); // mariadbd runs as mysql and must traverse it
  const logFile = join(dir, "agent.log");
  const socket = join(dir, "run", "mysqld.sock");
  const agentUrl = `http://${agentAddress}:${port}/ready`;
  let agent: Child | null = null;
  let baseline: Child | null = null;
  try {
    agent = startAgent(dir, logFile);
    progress(`agent started (pid ${agent.process.pid}), log ${logFile}`);
    await waitReady(agentUrl, agent, logFile, 120_000);
    progress("agent ready");
    const mariadbVersion = String((await queryOne(socket, "SELECT VERSION() AS v"))["v"]);
    const mariadbd = Number(readFileSync(join(dir, "run", "mysqld.pid"), "utf8").trim());
    const agentPids = { server: agent.process.pid!, mariadbd };

    baseline = await startBaseline("bare", bareAddress);
    const bareUrl = `http://${bareAddress}:${port}/ready`;
    const bare = await measure("bare node:http", bareUrl, { server: baseline.process.pid!, mariadbd });
    await stop(baseline, 5000);
    baseline = null;

    const rssBefore = vmRssKiB(agent.process.pid!);
    const agent1 = await measure("agent run 1", agentUrl, agentPids, socket);

    baseline = await startBaseline("sql", sqlAddress, socket);
    const sqlPids = { server: baseline.process.pid!, mariadbd };
    const sql = await measure("SQL per request", `http://${sqlAddress}:${port}/ready`, sqlPids, socket);
    await stop(baseline, 5000);
    baseline = null;

    const agent2 = await measure("agent run 2", agentUrl, agentPids, socket);
    const rssAfter = vmRssKiB(agent.process.pid!);

    const partial: Omit<HealthBenchResult, "goals"> = {
      date: new Date().toISOString(),
      wrkCommand,
      mariadbVersion,
      runs: { bare: bare.run, agent1: agent1.run, sql: sql.run, agent2: agent2.run },
      agentMean: {
        requestsPerSec: mean(agent1.run.requestsPerSec, agent2.run.requestsPerSec),
        p50Ms: mean(agent1.run.p50Ms, agent2.run.p50Ms),
        p99Ms: mean(agent1.run.p99Ms, agent2.run.p99Ms),
      },
      statements: { agent1: agent1.sql!, agent2: agent2.sql!, sql: sql.sql! },
      agentRssKiB: { beforeLoad: rssBefore, afterLoad: rssAfter },
    };
    return { ...partial, goals: goals(partial) };
  } finally {
    progress("stopping");
    if (baseline) await stop(baseline, 5000);
    // The agent stops mariadbd cleanly on SIGTERM; its own stop timeout is 120 s. Only if
    // the agent itself hung would its mariadbd outlive it.
    if (agent) await stop(agent, 150_000);
    killOrphanServer(join(dir, "run"));
    rmSync(dir, { recursive: true, force: true });
    progress("stopped");
  }
}
