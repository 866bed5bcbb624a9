// Losses of the primary component in a local cluster's logs (src/mysqld/primary-losses.ts),
// each named by its node.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { primaryLosses, type PrimaryLoss } from "../../src/mysqld/primary-losses.js";

/** Every node's losses, in the nodes' order, read from STATE_DIR/NODE/agent.log; a missing log has none. */
export function lossesInLogs(stateDir: string, nodes: readonly string[]): (PrimaryLoss & { node: string })[] {
  return nodes.flatMap((node) => {
    try {
      return primaryLosses(readFileSync(join(stateDir, node, "agent.log"), "utf8")).map((l) => ({
        ...l,
        node,
      }));
    } catch {
      return [];
    }
  });
}
