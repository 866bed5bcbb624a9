import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { Secret } from "../config/secret.js";
import type { LocalClusterStatus } from "../local/control-server.js";
import { faultSchedule, type Fault, type FaultKind } from "./fault-schedule.js";
import { LocalFaultInjector, removeLeftoverRules } from "./local-fault-injector.js";
import { checkAppends, checkConvergence, type NodeSnapshot } from "./verify-checks.js";
import {
  AppendWorkload,
  appendTable,
  bankAccounts,
  bankOpening,
  bankTable,
  BankWorkload,
  connectTo,
  prepareTables,
  type Endpoint,
} from "./workloads.js";

export interface VerifySettings {
  profile: string;
  cycles: number;
  kinds: readonly FaultKind[];
  seed: number;
  /** Workload time before each fault and after the last one. */
  settleMs: number;
  /** The cluster must be N of N synced with a writer within this after each fault. */
  recoveryTimeoutMs: number;
}

export interface VerifyTarget {
  controlSocket: string;
  clientConfig: string;
  /** HAProxy's writer and reader endpoints, "host:port". */
  writer: string;
  reader: string;
}

export interface FaultRecord extends Fault {
  at: string;
  /** The node that was the single writer when the fault began. */
  writerBefore: string | null;
  /** From the fault's start until N of N synced with one writer; null if it never came back. */
  recoveredAfterMs: number | null;
}

export interface VerifyReport {
  verdict: "pass" | "fail";
  profile: string;
  seed: number;
  startedAt: string;
  durationMs: number;
  nodes: string[];
  faults: FaultRecord[];
  appends: {
    attempted: number;
    acknowledged: number;
    rejected: number;
    indeterminate: number;
    indeterminateCommitted: number;
    lost: number;
    /** The first lost ids, with when each was acknowledged. */
    lostIds: { id: number; acknowledgedAt: string }[];
    phantoms: number[];
  };
  bank: {
    transfers: number;
    acknowledged: number;
    reads: number;
    wrongTotals: { at: string; total: number }[];
  };
  convergence: NodeSnapshot[];
  problems: string[];
}

/**
 * One verify run against the local cluster: workloads through the router while faults are
 * injected one after another, each healed and recovered from before the next; then, with the
 * cluster quiet, every node is read directly and checked. The report says what was lost, if
 * anything, and how long each recovery took.
 */
export async function runVerify(
  target: VerifyTarget,
  settings: VerifySettings,
  log: (line: string) => void,
): Promise<VerifyReport> {
  const started = Date.now();
  const injector = new LocalFaultInjector(target.controlSocket);
  const leftovers = removeLeftoverRules();
  if (leftovers > 0) log(`removed ${leftovers} iptables rule(s) a previous run left behind`);
  const first = await injector.status();
  const names = first.nodes.map((n) => n.name);
  if (!healthy(first)) {
    throw new Error(
      `the cluster is not healthy before the run (${first.nodes.map((n) => `${n.name} ${n.phase}`).join(", ")}); wait, or see galera-pilot doctor`,
    );
  }
  const credentials = readClientConfig(target.clientConfig);
  const endpoint = (hostPort: string): Endpoint => {
    const [host, port] = hostPort.split(":");
    return { host: host!, port: Number(port), ...credentials };
  };
  const writer = endpoint(target.writer);
  await prepareTables(writer);
  const appends = new AppendWorkload(writer, 2);
  const bank = new BankWorkload(writer, 2, endpoint(target.reader));
  const faults = faultSchedule(settings.seed, settings.cycles, settings.kinds, names);
  const records: FaultRecord[] = [];
  const problems: string[] = [];
  log(`${settings.profile}: ${faults.length} faults (seed ${settings.seed}) on ${names.join(", ")}`);

  appends.start();
  bank.start();
  try {
    for (const [i, fault] of faults.entries()) {
      await sleep(settings.settleMs);
      const at = Date.now();
      const writerBefore = (await injector.status()).nodes.find((n) => n.writer)?.name ?? null;
      log(`fault ${i + 1}/${faults.length}: ${fault.kind} ${fault.targets.join(", ")}`);
      await injector.inject(fault);
      const recovered = await waitHealthy(injector, names.length, settings.recoveryTimeoutMs);
      const recoveredAfterMs = recovered ? Date.now() - at : null;
      records.push({ ...fault, at: new Date(at).toISOString(), writerBefore, recoveredAfterMs });
      if (recoveredAfterMs === null) {
        problems.push(
          `the cluster was not ${names.length} of ${names.length} synced with a writer ${settings.recoveryTimeoutMs / 1000} s after ${fault.kind} of ${fault.targets.join(", ")}`,
        );
        break;
      }
      log(`  recovered after ${(recoveredAfterMs / 1000).toFixed(1)} s`);
    }
    await sleep(settings.settleMs);
  } finally {
    await Promise.all([appends.stop(), bank.stop()]);
  }

  const snapshots = problems.length ? [] : await snapshotWhenQuiet(injector, credentials, problems);
  const appendVerdicts = snapshots.map((s) => ({ node: s.node.name, ...checkAppends(appends, s.appendIds) }));
  const lost = [...new Set(appendVerdicts.flatMap((v) => v.lost))].sort((a, b) => a - b);
  const phantoms = [...new Set(appendVerdicts.flatMap((v) => v.phantom))].sort((a, b) => a - b);
  for (const v of appendVerdicts) {
    if (v.lost.length) problems.push(`${v.lost.length} acknowledged append(s) missing on ${v.node}`);
    if (v.phantom.length)
      problems.push(`${v.phantom.length} append(s) on ${v.node} that were refused or never sent`);
  }
  if (bank.wrongTotals.length) {
    problems.push(`${bank.wrongTotals.length} read(s) of the bank's total saw money made or lost`);
  }
  problems.push(
    ...checkConvergence(
      snapshots.map((s) => s.node),
      bankAccounts * bankOpening,
    ),
  );
  if (appends.counters.acknowledged === 0)
    problems.push("no append was acknowledged: the run tested nothing");

  return {
    verdict: problems.length === 0 ? "pass" : "fail",
    profile: settings.profile,
    seed: settings.seed,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    nodes: names,
    faults: records,
    appends: {
      ...appends.counters,
      indeterminateCommitted: appendVerdicts[0]?.indeterminateCommitted ?? 0,
      lost: lost.length,
      lostIds: lost.slice(0, 100).map((id) => ({
        id,
        acknowledgedAt: new Date(appends.acknowledgedAt[appends.acknowledged.indexOf(id)] ?? 0).toISOString(),
      })),
      phantoms: phantoms.slice(0, 100),
    },
    bank: {
      transfers: bank.counters.attempted,
      acknowledged: bank.counters.acknowledged,
      reads: bank.reads,
      wrongTotals: bank.wrongTotals.slice(0, 100),
    },
    convergence: snapshots.map((s) => s.node),
    problems,
  };
}

function healthy(status: LocalClusterStatus, size = status.nodes.length): boolean {
  return (
    status.nodes.every((n) => n.phase === "synced" && n.clusterSize === size) &&
    status.nodes.filter((n) => n.writer).length === 1
  );
}

async function waitHealthy(injector: LocalFaultInjector, size: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (healthy(await injector.status(), size)) return true;
    } catch {
      // The runner is busy (a stop in progress): ask again.
    }
    await sleep(250);
  }
  return false;
}

function readClientConfig(path: string): { user: string; password: Secret } {
  const text = readFileSync(path, "utf8");
  const user = /^user=(.*)$/m.exec(text)?.[1];
  const password = /^password=(.*)$/m.exec(text)?.[1];
  if (!user || !password) throw new Error(`${path} has no user= and password= lines`);
  return { user, password: new Secret(password) };
}

/**
 * Reads every node directly, once all report the same last committed seqno, and with
 * wsrep_sync_wait=1 so each read first waits until the node has applied everything the
 * cluster committed before it: a node still applying would otherwise look like one that lost
 * writes (the first version of this checker made exactly that mistake).
 */
async function snapshotWhenQuiet(
  injector: LocalFaultInjector,
  credentials: { user: string; password: Secret },
  problems: string[],
): Promise<{ node: NodeSnapshot; appendIds: number[] }[]> {
  const nodes = (await injector.status()).nodes;
  const endpoints = nodes.map((n) => ({
    name: n.name,
    endpoint: { host: n.address, port: 3306, ...credentials },
  }));
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(500)) {
    const seqnos = await Promise.all(endpoints.map((e) => lastCommitted(e.endpoint).catch(() => null)));
    if (new Set(seqnos).size === 1 && seqnos[0] !== null) break;
  }
  const taken = await Promise.all(endpoints.map((e) => snapshotNode(e.name, e.endpoint)));
  if (taken.length === 0) problems.push("no node could be read after the run");
  return taken;
}

async function lastCommitted(endpoint: Endpoint): Promise<number | null> {
  const c = await connectTo(endpoint, 5000);
  try {
    const [rows] = await c.query("SHOW GLOBAL STATUS LIKE 'wsrep_last_committed'");
    const value = (rows as { Value: string }[])[0]?.Value;
    return value === undefined ? null : Number(value);
  } finally {
    await c.end();
  }
}

async function snapshotNode(
  name: string,
  endpoint: Endpoint,
): Promise<{ node: NodeSnapshot; appendIds: number[] }> {
  const c = await connectTo(endpoint, 10_000);
  try {
    await c.query("SET SESSION wsrep_sync_wait = 1");
    const status = async (variable: string): Promise<string | null> => {
      const [rows] = await c.query(`SHOW GLOBAL STATUS LIKE '${variable}'`);
      return (rows as { Value: string }[])[0]?.Value ?? null;
    };
    const [ids] = await c.query(`SELECT id FROM ${appendTable} ORDER BY id`);
    const [sums] = await c.query(`CHECKSUM TABLE ${appendTable}, ${bankTable}`);
    const [total] = await c.query(`SELECT SUM(balance) AS total FROM ${bankTable}`);
    const committed = await status("wsrep_last_committed");
    const checksums: Record<string, number | null> = {};
    for (const row of sums as { Table: string; Checksum: number | null }[])
      checksums[row.Table] = row.Checksum;
    return {
      node: {
        name,
        clusterStateUuid: await status("wsrep_cluster_state_uuid"),
        lastCommitted: committed === null ? null : Number(committed),
        checksums,
        bankTotal: Number((total as { total: string }[])[0]?.total ?? NaN),
      },
      appendIds: (ids as { id: number }[]).map((r) => Number(r.id)),
    };
  } finally {
    await c.end();
  }
}
