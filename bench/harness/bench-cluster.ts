// A benchmark's own 3-node cluster of the local runner, on its own loopback range, with the
// HAProxy processes a benchmark puts in front of it; stopped and removed, state dir and all,
// when the benchmark is done.
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { LocalCluster } from "../../src/local/local-cluster.js";
import { localAppUser } from "../../src/local/local-secrets.js";
import { HaproxyProcess } from "../../src/router/haproxy-process.js";
import { agentEntry, newStateDir } from "./paths.js";
import { killStrays } from "./processes.js";
import { progress } from "./progress.js";

/** Every agent's health port, each on its node's address. */
export const agentHealthPort = 8080;

/** What `galera-pilot local up` gives every agent beyond its defaults: donors out of the read pool. */
export const localRunnerAgentEnv: Readonly<Record<string, string>> = { GALERA_PILOT_DONOR_AVAILABLE: "no" };

/** The agents' environment that makes Galera run with these provider options (they win over ours). */
export function providerOptionsEnv(options: Readonly<Record<string, string>>): Record<string, string> {
  return {
    GALERA_PILOT_PROVIDER_OPTIONS: Object.entries(options)
      .map(([k, v]) => `${k}=${v}`)
      .join(";"),
  };
}

export const allSynced = (s: { phase: string; clusterSize: number | null }[]): boolean =>
  s.length === 3 && s.every((n) => n.phase === "synced" && n.clusterSize === 3);

export interface BenchCluster {
  stateDir: string;
  cluster: LocalCluster;
  credentials: { user: string; password: string };
  /** Starts an HAProxy with this config (its socket and log in the state dir). */
  haproxy(name: string, config: (statsSocket: string) => string): Promise<HaproxyProcess>;
  /** kill -9 of every agent and mariadbd, none restarted; returns once none of its processes is left. */
  killAll(): Promise<void>;
  /** Writes the runner's last events to stderr: what happened before an error. */
  printEvents(): void;
  /** Stops everything it started and removes the state dir. */
  close(): Promise<void>;
}

/**
 * A 3-node cluster of the local runner on firstAddress and the two next addresses, every
 * agent as `node` with the full peer list and `agentEnv` (localRunnerAgentEnv, as `local up`
 * gives it, unless the benchmark needs otherwise), synced.
 */
export async function startBenchCluster(
  name: string,
  firstAddress: string,
  agentEnv: Readonly<Record<string, string>>,
): Promise<BenchCluster> {
  const stateDir = newStateDir(name);
  const events: string[] = [];
  const cluster = new LocalCluster({
    stateDir,
    nodeCount: 3,
    firstAddress,
    healthPort: agentHealthPort,
    agentEntry,
    agentEnv: { ...agentEnv },
    log: (line) => events.push(`${new Date().toISOString()} ${line}`),
    restartDelayMs: 500,
    maxRestartDelayMs: 4000,
  });
  const printEvents = (): void => {
    process.stderr.write(`bench: the runner's events:\n${events.slice(-40).join("\n")}\n`);
  };
  const proxies: HaproxyProcess[] = [];
  const killAll = async (): Promise<void> => {
    await Promise.all(cluster.layout.map((n) => cluster.killNode(n.name, { restart: false })));
    await killStrays(stateDir);
  };
  const close = async (): Promise<void> => {
    for (const p of proxies) await p.stop().catch(() => undefined);
    await killAll().catch(() => undefined);
    // Again if the kills above failed part-way.
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
    printEvents();
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
    killAll,
    printEvents,
    close,
  };
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

/**
 * Runs `measure` on a new bench cluster (the arguments are startBenchCluster's), then stops
 * and removes the cluster, even on error; an error also prints the runner's last events.
 */
export async function withBenchCluster<T>(
  name: string,
  firstAddress: string,
  agentEnv: Readonly<Record<string, string>>,
  measure: (b: BenchCluster) => Promise<T>,
): Promise<T> {
  const b = await startBenchCluster(name, firstAddress, agentEnv);
  try {
    return await measure(b);
  } catch (error) {
    b.printEvents();
    throw error;
  } finally {
    progress("stopping");
    await b.close();
    progress("stopped");
  }
}
