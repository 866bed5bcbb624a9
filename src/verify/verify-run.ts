import { setTimeout as sleep } from "node:timers/promises";
import { faultSchedule, type Fault, type FaultKind } from "./fault-schedule.js";
import type { VerifyCluster } from "./verify-cluster.js";
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
  /** Without faults of its own (cycles 0): how long the workloads run while the user injects faults by hand. */
  durationMs: number;
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
  cluster: VerifyCluster,
  settings: VerifySettings,
  log: (line: string) => void,
): Promise<VerifyReport> {
  const started = Date.now();
  for (const line of await cluster.prepare()) log(line);
  const before = await cluster.health();
  if (!before.healthy) {
    throw new Error(
      `the cluster is not healthy before the run (${before.detail}); wait, or see galera-pilot doctor`,
    );
  }
  const members = await cluster.nodes();
  const names = members.map((m) => m.name);
  await prepareTables(cluster.writer);
  const appends = new AppendWorkload(cluster.writer, 2);
  const bank = new BankWorkload(cluster.writer, 2, cluster.reader);
  const faults = faultSchedule(settings.seed, settings.cycles, settings.kinds, names);
  const records: FaultRecord[] = [];
  const problems: string[] = [];
  log(
    faults.length
      ? `${settings.profile}: ${faults.length} faults (seed ${settings.seed}) on ${names.join(", ")}`
      : `no faults of its own: the workloads run ${settings.durationMs / 1000} s while you inject faults by hand`,
  );

  appends.start();
  bank.start();
  try {
    for (const [i, fault] of faults.entries()) {
      await sleep(settings.settleMs);
      const at = Date.now();
      const writerBefore = (await cluster.health()).writer;
      log(`fault ${i + 1}/${faults.length}: ${fault.kind} ${fault.targets.join(", ")}`);
      try {
        await cluster.inject(fault);
      } catch (error) {
        problems.push(
          `${fault.kind} of ${fault.targets.join(", ")} could not be injected: ${(error as Error).message}`,
        );
        break;
      }
      const recovered = await waitHealthy(cluster, settings.recoveryTimeoutMs);
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
    await sleep(faults.length ? settings.settleMs : settings.durationMs);
  } finally {
    await Promise.all([appends.stop(), bank.stop()]);
  }
  // Faults by hand may still be healing: the final reads need every node back.
  if (problems.length === 0 && !(await waitHealthy(cluster, settings.recoveryTimeoutMs))) {
    problems.push(
      `the cluster was not ${names.length} of ${names.length} synced with a writer at the end of the run`,
    );
  }

  const snapshots = problems.length ? [] : await snapshotWhenQuiet(members, problems);
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
  // Without a recovered cluster there is nothing to compare (the problem is already said).
  if (snapshots.length > 0) {
    problems.push(
      ...checkConvergence(
        snapshots.map((s) => s.node),
        bankAccounts * bankOpening,
      ),
    );
  }
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

async function waitHealthy(cluster: VerifyCluster, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await cluster.health()).healthy) return true;
    } catch {
      // The runner is busy (a stop in progress), or a node does not answer yet: ask again.
    }
    await sleep(250);
  }
  return false;
}

/**
 * Reads every node directly, once all report the same last committed seqno, and with
 * wsrep_sync_wait=1 so each read first waits until the node has applied everything the
 * cluster committed before it: a node still applying would otherwise look like one that lost
 * writes (the first version of this checker made exactly that mistake).
 */
async function snapshotWhenQuiet(
  endpoints: readonly { name: string; endpoint: Endpoint }[],
  problems: string[],
): Promise<{ node: NodeSnapshot; appendIds: number[] }[]> {
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
