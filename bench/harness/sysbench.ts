// sysbench against a benchmark's cluster: its tables prepared once, then measured runs of
// one test at a fixed load, parsed into the figures BENCHMARKS.md reports.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { progress } from "./progress.js";
import { globalValue, sqlOn } from "./sql.js";

/** Where sysbench connects, and as whom. */
export interface SysbenchTarget {
  host: string;
  port: number;
  user: string;
  password: string;
}

/** The tables sysbench works on and the load of a measured run. */
export interface SysbenchLoad {
  tables: number;
  tableSize: number;
  threads: number;
  seconds: number;
}

export interface SysbenchResult {
  tps: number;
  qps: number;
  latencyAvgMs: number;
  latencyP95Ms: number;
  errors: number;
  reconnects: number;
}

function parseSysbench(out: string): SysbenchResult {
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
async function sysbench(stateDir: string, target: SysbenchTarget, args: string[]): Promise<string> {
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

function tableArgs(load: SysbenchLoad): string[] {
  return [`--tables=${load.tables}`, `--table-size=${load.tableSize}`];
}

/**
 * Creates the sbtest database on the writer and sysbench's tables through `direct`, then warms
 * up (the buffer pools, and a router's first connections when `warmUp` goes through one) with
 * `warmUp.test` for 10 s at the load's threads.
 */
export async function prepareSysbench(
  stateDir: string,
  writer: { name: string; socket: string },
  direct: SysbenchTarget,
  load: SysbenchLoad,
  warmUp: { test: string; target: SysbenchTarget },
): Promise<void> {
  await sqlOn(writer.socket, "CREATE DATABASE IF NOT EXISTS sbtest");
  progress(`preparing sysbench tables on ${writer.name}`);
  await sysbench(stateDir, direct, ["oltp_common", ...tableArgs(load), "prepare"]);
  await sysbench(stateDir, warmUp.target, [
    warmUp.test,
    ...tableArgs(load),
    `--threads=${load.threads}`,
    "--time=10",
    "run",
  ]);
}

/**
 * `sysbench TEST prepare` alone, through `target` (the sbtest database must exist): the
 * tables of the load, filled by `threads` threads (sysbench spreads the tables over them).
 */
export async function sysbenchPrepare(
  stateDir: string,
  target: SysbenchTarget,
  test: string,
  load: SysbenchLoad,
  threads: number,
): Promise<void> {
  await sysbench(stateDir, target, [test, ...tableArgs(load), `--threads=${threads}`, "prepare"]);
}

/**
 * A large dataset fast: `sysbench TEST prepare` on the writer with commits not flushed on any
 * node meanwhile (`innodb_flush_log_at_trx_commit=0`), the setting put back and read back on
 * every node before anything is measured. Returns the prepare's seconds.
 */
export async function prepareUnflushed(
  stateDir: string,
  nodes: readonly { name: string; socket: string }[],
  writer: { name: string; socket: string },
  direct: SysbenchTarget,
  test: string,
  load: SysbenchLoad,
  threads: number,
): Promise<number> {
  await sqlOn(writer.socket, "CREATE DATABASE IF NOT EXISTS sbtest");
  const flushBefore = await globalValue(writer.socket, "VARIABLES", "innodb_flush_log_at_trx_commit");
  for (const n of nodes) await sqlOn(n.socket, "SET GLOBAL innodb_flush_log_at_trx_commit=0");
  progress(`sysbench ${test} prepare: ${load.tables} tables of ${load.tableSize} rows on ${writer.name}`);
  const started = performance.now();
  await sysbenchPrepare(stateDir, direct, test, load, threads);
  const seconds = (performance.now() - started) / 1000;
  for (const n of nodes) {
    await sqlOn(n.socket, `SET GLOBAL innodb_flush_log_at_trx_commit=${flushBefore}`);
    const now = await globalValue(n.socket, "VARIABLES", "innodb_flush_log_at_trx_commit");
    if (now !== flushBefore)
      throw new Error(`${n.name}: innodb_flush_log_at_trx_commit is ${now}, not ${flushBefore}`);
  }
  return seconds;
}

/** One measured run of `test` at the load: its threads, its seconds, uniformly random rows. */
export async function measureSysbench(
  stateDir: string,
  target: SysbenchTarget,
  test: string,
  load: SysbenchLoad,
): Promise<SysbenchResult> {
  const out = await sysbench(stateDir, target, [
    test,
    ...tableArgs(load),
    `--threads=${load.threads}`,
    `--time=${load.seconds}`,
    "--rand-type=uniform",
    "run",
  ]);
  return parseSysbench(out);
}
