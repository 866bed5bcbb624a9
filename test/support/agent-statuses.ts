import type { NodeStatusReport } from "../../src/model/node-status.js";

/** Every agent's GET /status that answered within 2 s (a silent one is left out). */
export async function agentStatuses(nodes: readonly { healthUrl: string }[]): Promise<NodeStatusReport[]> {
  const answers = await Promise.all(
    nodes.map((n) =>
      fetch(`${n.healthUrl}/status`, { signal: AbortSignal.timeout(2000) })
        .then((r) => r.json() as Promise<NodeStatusReport>)
        .catch(() => null),
    ),
  );
  return answers.filter((s): s is NodeStatusReport => s !== null);
}

/** The names of the agents that say they archive the binlog now. */
export async function archivingNodes(nodes: readonly { healthUrl: string }[]): Promise<string[]> {
  return (await agentStatuses(nodes)).filter((s) => s.archive?.archiving === true).map((s) => s.node);
}
