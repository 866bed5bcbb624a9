// What the cluster benchmarks of issue P share: a 3-node local cluster on its own loopback
// range, HAProxy processes in front of it, SQL on the nodes' sockets, and sysbench runs.
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import mysql from "mysql2/promise";
import { LocalCluster } from "../src/local/local-cluster.js";
import { localAppUser } from "../src/local/local-secrets.js";
import { HaproxyProcess } from "../src/router/haproxy-process.js";

const agentEntry = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));

const startedAt = Date.now();
/** A process's resident memory (VmRSS) in KiB. */
export function vmRssKiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]);
}

export function progress(line: string): void {
  process.stderr.write(`bench: ${((Date.now() - startedAt) / 1000).toFixed(0)} s: ${line}\n`);
}

/** The last `lines` lines of a log file, for an error message; "(no log)" when it cannot be read. */
export function logTail(file: string, lines: number): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Processes whose command line names our state dir (agents, mariadbd, haproxy): ours alone. */
function ourProcesses(stateDir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(stateDir)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

/** SIGKILLs every process still running from our state dir and waits until they are gone. */
export async function killStrays(stateDir: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const pids = ourProcesses(stateDir);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    if (Date.now() > deadline) throw new Error(`processes ${pids.join(", ")} survive SIGKILL`);
    await sleep(50);
  }
}

export const allSynced = (s: { phase: string; clusterSize: number | null }[]): boolean =>
  s.length === 3 && s.every((n) => n.phase === "synced" && n.clusterSize === 3);

export interface BenchCluster {
  stateDir: string;
  cluster: LocalCluster;
  credentials: { user: string; password: string };
  /** Starts an HAProxy with this config (its socket and log in the state dir). */
  haproxy(name: string, config: (statsSocket: string) => string): Promise<HaproxyProcess>;
  /** Stops everything it started and removes the state dir. */
  close(): Promise<void>;
}

/**
 * A 3-node cluster of the local runner on firstAddress and the two next addresses, every
 * agent as `node` with the full peer list and the local cluster's settings (donors out of
 * the read pool), synced.
 */
export async function startBenchCluster(
  name: string,
  firstAddress: string,
  agentEnv: Record<string, string> = {},
): Promise<BenchCluster> {
  const stateDir = mkdtempSync(join(tmpdir(), `gp-bench-${name}-`));
  chmodSync(stateDir, 0o755); // mariadbd runs as mysql and must traverse it
  const events: string[] = [];
  const cluster = new LocalCluster({
    stateDir,
    nodeCount: 3,
    firstAddress,
    healthPort: 8080,
    agentEntry,
    agentEnv: { GALERA_PILOT_DONOR_AVAILABLE: "no", ...agentEnv },
    log: (line) => events.push(`${new Date().toISOString()} ${line}`),
    restartDelayMs: 500,
    maxRestartDelayMs: 4000,
  });
  const proxies: HaproxyProcess[] = [];
  const close = async (): Promise<void> => {
    for (const p of proxies) await p.stop().catch(() => undefined);
    await Promise.all(cluster.layout.map((n) => cluster.killNode(n.name, { restart: false }))).catch(
      () => undefined,
    );
    await killStrays(stateDir).catch(() => undefined);
    // GALERA_PILOT_BENCH_KEEP_STATE=1 keeps the logs and datadirs for a look afterwards.
    if (process.env["GALERA_PILOT_BENCH_KEEP_STATE"] === "1") progress(`kept ${stateDir}`);
    else rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    progress(`building a 3-node cluster on ${firstAddress}… in ${stateDir}`);
    await cluster.up();
    await cluster.waitFor(allSynced, 300_000, "3 of 3 synced");
  } catch (error) {
    process.stderr.write(`bench: the runner's events:\n${events.slice(-40).join("\n")}\n`);
    await close();
    throw error;
  }
  return {
    stateDir,
    cluster,
    credentials: {
      user: localAppUser,
      password: readFileSync(cluster.secrets.appPassword, "utf8").trim(),
    },
    haproxy: async (proxyName, config) => {
      const statsSocket = join(stateDir, `${proxyName}.sock`);
      const p = new HaproxyProcess({
        configPath: join(stateDir, `${proxyName}.cfg`),
        logPath: join(stateDir, `${proxyName}.log`),
        statsSocket,
        config: config(statsSocket),
        log: (line) => events.push(`${new Date().toISOString()} ${proxyName}: ${line}`),
      });
      await p.start();
      proxies.push(p);
      return p;
    },
    close,
  };
}

/** A backend's servers and their states (UP, DOWN, …) from HAProxy's runtime API. */
export async function serverStates(proxy: HaproxyProcess, backend: string): Promise<Map<string, string>> {
  const states = new Map<string, string>();
  try {
    for (const line of (await proxy.runtime("show stat")).split("\n")) {
      const f = line.split(",");
      if (f[0] === backend && f[1] !== "FRONTEND" && f[1] !== "BACKEND" && f[1])
        states.set(f[1], f[17] ?? "");
    }
  } catch {
    // The socket is not there yet: no states.
  }
  return states;
}

/** UP → DOWN transitions (HAProxy's chkdown) summed over a backend's servers. */
export async function downTransitions(proxy: HaproxyProcess, backend: string): Promise<number> {
  let sum = 0;
  for (const line of (await proxy.runtime("show stat")).split("\n")) {
    const f = line.split(",");
    if (f[0] === backend && f[1] !== "FRONTEND" && f[1] !== "BACKEND" && f[1]) sum += Number(f[22] ?? 0);
  }
  return sum;
}

export async function sqlOn(socket: string, ...statements: string[]): Promise<unknown[]> {
  const c = await mysql.createConnection({ socketPath: socket, user: "root", connectTimeout: 5000 });
  try {
    const results: unknown[] = [];
    for (const s of statements) results.push((await c.query(s))[0]);
    return results;
  } finally {
    await c.end();
  }
}

/** One global variable or status value of a node. */
export async function globalValue(
  socket: string,
  kind: "VARIABLES" | "STATUS",
  name: string,
): Promise<string> {
  const [rows] = (await sqlOn(socket, `SHOW GLOBAL ${kind} LIKE '${name}'`)) as [{ Value: string }[]];
  return rows[0]?.Value ?? "";
}

/** wsrep_provider_options as Galera reports it, as a map. */
export async function providerOptions(socket: string): Promise<Map<string, string>> {
  const text = await globalValue(socket, "VARIABLES", "wsrep_provider_options");
  return new Map(
    text
      .split(";")
      .map((p) => p.split("=").map((x) => x.trim()))
      .filter((p): p is [string, string] => p.length === 2 && p[0] !== ""),
  );
}

export interface SysbenchResult {
  tps: number;
  qps: number;
  latencyAvgMs: number;
  latencyP95Ms: number;
  errors: number;
  reconnects: number;
}

export function parseSysbench(out: string): SysbenchResult {
  const num = (re: RegExp): number => {
    const m = re.exec(out);
    if (!m) throw new Error(`sysbench output lacks ${re.source}:\n${out.slice(-1500)}`);
    return Number(m[1]);
  };
  return {
    tps: num(/transactions:\s+\d+\s+\(([\d.]+) per sec/),
    qps: num(/queries:\s+\d+\s+\(([\d.]+) per sec/),
    latencyAvgMs: num(/avg:\s+([\d.]+)/),
    latencyP95Ms: num(/95th percentile:\s+([\d.]+)/),
    errors: num(/ignored errors:\s+(\d+)/),
    reconnects: num(/reconnects:\s+(\d+)/),
  };
}

/**
 * Runs sysbench with the connection settings in a 0600 file (--config-file), so the
 * password never reaches a command line.
 */
export async function sysbench(
  stateDir: string,
  target: { host: string; port: number; user: string; password: string },
  args: string[],
): Promise<string> {
  const file = join(stateDir, "sysbench.cfg");
  writeFileSync(
    file,
    [
      "db-driver=mysql",
      `mysql-host=${target.host}`,
      `mysql-port=${target.port}`,
      `mysql-user=${target.user}`,
      `mysql-password=${target.password}`,
      "mysql-db=sbtest",
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
  return new Promise((resolve, reject) => {
    const child = spawn("sysbench", [`--config-file=${file}`, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`sysbench ${args.join(" ")} exited ${code}:\n${out.slice(-1500)}`)),
    );
  });
}

/** The elected writer's name, once exactly one node claims the role. */
export async function electedWriter(cluster: LocalCluster, timeoutMs = 60_000): Promise<string> {
  const status = await cluster.waitFor(
    (s) => allSynced(s) && s.filter((n) => n.writer).length === 1,
    timeoutMs,
    "3 of 3 synced and one writer",
  );
  return status.find((n) => n.writer)!.name;
}
