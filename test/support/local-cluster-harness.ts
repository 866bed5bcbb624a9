import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import mysql from "mysql2/promise";
import { LocalCluster, type LocalClusterOptions } from "../../src/local/local-cluster.js";

export const agentEntry = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));

const stateDirs: string[] = [];
// A cluster's state folder holds close to 1 GB (datadirs, gcache): kept when a test file
// fails, for its logs, and removed when every test of the file passed, so that a full run
// does not fill the disk. GALERA_PILOT_KEEP_TEST_STATE=1 keeps them all.
process.once("exit", (code) => {
  if (code !== 0 || process.env["GALERA_PILOT_KEEP_TEST_STATE"]) return;
  for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true });
});

/** A state folder under /tmp that mariadbd (user mysql) can traverse; removed after a passing test file. */
export function makeStateDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `gp-${prefix}-`));
  chmodSync(dir, 0o755);
  stateDirs.push(dir);
  return dir;
}

/**
 * A real local cluster for a test: its own loopback addresses (so tests never collide with
 * `npm start` on 127.0.0.2-4), a state folder under /tmp, the agents' lines kept in memory
 * for assertions and printed when the test fails. Nothing routes to these nodes, so an agent
 * asked to stop leaves at once (GALERA_PILOT_DRAIN=0) instead of draining for 3 s, which
 * would only add up over the suites' many clean stops; the suites that test draining run
 * their cluster with the default (npm-start, routing, the containers).
 */
export function testCluster(
  name: string,
  firstAddress: string,
  overrides: Partial<LocalClusterOptions> = {},
): { cluster: LocalCluster; events: string[] } {
  const events: string[] = [];
  const cluster = new LocalCluster({
    stateDir: makeStateDir(name),
    nodeCount: 3,
    firstAddress,
    healthPort: 8080,
    agentEntry,
    log: (line) => events.push(`${new Date().toISOString()} ${line}`),
    restartDelayMs: 500,
    maxRestartDelayMs: 4000,
    ...overrides,
    agentEnv: { GALERA_PILOT_DRAIN: "0", ...overrides.agentEnv },
  });
  return { cluster, events };
}

/** Runs statements on a node over its unix socket as root (unix_socket auth), returns rows of the last. */
export async function sql(socket: string, ...statements: string[]): Promise<Record<string, unknown>[]> {
  const connection = await mysql.createConnection({ socketPath: socket, user: "root", connectTimeout: 5000 });
  try {
    let rows: unknown = [];
    for (const statement of statements) [rows] = await connection.query(statement);
    return rows as Record<string, unknown>[];
  } finally {
    await connection.end();
  }
}

/** All synced with the given cluster size. */
export const allSynced =
  (size: number) =>
  (nodes: { phase: string; clusterSize: number | null }[]): boolean =>
    nodes.length === size && nodes.every((n) => n.phase === "synced" && n.clusterSize === size);

export function agentLog(cluster: LocalCluster, name: string): string {
  const node = cluster.layout.find((n) => n.name === name);
  if (!node) throw new Error(`no node ${name}`);
  return readFileSync(node.agentLog, "utf8");
}
