/**
 * The checks `galera-pilot verify` makes at the end of a run. Pure: they judge what the
 * workloads recorded against what every node holds, and never decide anything from timing.
 */

/** What the append workload knows about each row it tried to insert. */
export interface AppendRecord {
  /** Ids whose INSERT … COMMIT was acknowledged: each must be on every node. */
  acknowledged: readonly number[];
  /** Ids whose COMMIT was sent but no answer came (the connection broke): may or may not be there. */
  indeterminate: readonly number[];
}

export interface AppendVerdict {
  /** Acknowledged but missing: lost writes. */
  lost: number[];
  /** Present but never attempted, or attempted and failed before the commit: must not exist. */
  phantom: number[];
  /** Indeterminate ids that turned out committed. */
  indeterminateCommitted: number;
}

export function checkAppends(record: AppendRecord, present: readonly number[]): AppendVerdict {
  const here = new Set(present);
  const allowed = new Set([...record.acknowledged, ...record.indeterminate]);
  return {
    lost: record.acknowledged.filter((id) => !here.has(id)),
    phantom: present.filter((id) => !allowed.has(id)),
    indeterminateCommitted: record.indeterminate.filter((id) => here.has(id)).length,
  };
}

/** One node's state once the cluster is quiet again. */
export interface NodeSnapshot {
  name: string;
  clusterStateUuid: string | null;
  lastCommitted: number | null;
  /** CHECKSUM TABLE per table. */
  checksums: Record<string, number | null>;
  /** The bank's total balance on this node. */
  bankTotal: number | null;
}

/**
 * Every node must hold the same history: one cluster state UUID, equal last committed seqno,
 * equal table checksums, and a bank total equal to the money put in (transfers move money,
 * they never make or destroy it). Returns one sentence per problem; empty means converged.
 */
export function checkConvergence(nodes: readonly NodeSnapshot[], expectedBankTotal: number): string[] {
  const problems: string[] = [];
  const distinct = <T>(values: T[]): T[] => [...new Set(values)];
  const uuids = distinct(nodes.map((n) => n.clusterStateUuid));
  if (uuids.length !== 1 || uuids[0] === null) {
    problems.push(
      `nodes are in different cluster states: ${nodes.map((n) => `${n.name} ${n.clusterStateUuid ?? "unknown"}`).join(", ")}`,
    );
  }
  const seqnos = distinct(nodes.map((n) => n.lastCommitted));
  if (seqnos.length !== 1 || seqnos[0] === null) {
    problems.push(
      `nodes differ in last committed seqno: ${nodes.map((n) => `${n.name} ${n.lastCommitted ?? "unknown"}`).join(", ")}`,
    );
  }
  const tables = distinct(nodes.flatMap((n) => Object.keys(n.checksums)));
  for (const table of tables) {
    const sums = distinct(nodes.map((n) => n.checksums[table] ?? null));
    if (sums.length !== 1 || sums[0] === null) {
      problems.push(
        `${table} differs between nodes (checksums ${nodes.map((n) => `${n.name} ${n.checksums[table] ?? "unknown"}`).join(", ")})`,
      );
    }
  }
  for (const node of nodes) {
    if (node.bankTotal !== expectedBankTotal) {
      problems.push(
        `the bank's total on ${node.name} is ${node.bankTotal ?? "unknown"}, not ${expectedBankTotal}: money was made or lost`,
      );
    }
  }
  return problems;
}
