import type { Grastate } from "../mysqld/grastate.js";

/** What the local runner knows of each node's datadir before it starts the cluster. */
export interface NodeDiskFacts {
  name: string;
  /** The datadir holds no data yet. */
  empty: boolean;
  grastate: Grastate | null;
}

export interface StartPlan {
  /** The node started first as `seed`, or null when every node starts as `node`. */
  seed: string | null;
  reason: string;
}

/**
 * How the local runner starts the cluster. Pure. In order:
 * 1. Every datadir empty: a new cluster; the first node seeds.
 * 2. One node marked safe_to_bootstrap (it left last after a clean full stop): it seeds,
 *    since it holds the newest data and no primary component is left to rejoin.
 * 3. Otherwise (a crash of all, or some nodes still running): every node starts as `node`
 *    and Galera's pc.recovery restores the last primary view, or the nodes join the
 *    running ones.
 */
export function planLocalStart(nodes: readonly NodeDiskFacts[]): StartPlan {
  if (nodes.length > 0 && nodes.every((n) => n.empty)) {
    return {
      seed: nodes[0]!.name,
      reason: `a new cluster: every datadir is empty, ${nodes[0]!.name} seeds it`,
    };
  }
  const safe = nodes.filter((n) => n.grastate?.safeToBootstrap);
  if (safe.length === 1) {
    const node = safe[0]!;
    return {
      seed: node.name,
      reason: `${node.name} left the cluster last (grastate.dat: safe_to_bootstrap: 1, seqno ${node.grastate!.seqno}): it bootstraps, the others join`,
    };
  }
  if (safe.length > 1) {
    return {
      seed: null,
      reason: `several nodes are marked safe_to_bootstrap (${safe.map((n) => n.name).join(", ")}): none is chosen; all start as nodes and wait for a primary`,
    };
  }
  return {
    seed: null,
    reason:
      "no node is marked safe to bootstrap: all start as nodes; Galera's pc.recovery restores the last primary view",
  };
}
