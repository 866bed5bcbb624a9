// The sentence the agent logs when its node's steady state changes while mariadbd runs: a
// recovery turn says why the agent acts; this says, when it does not, what the node is, so
// that the log answers "what is this node doing now" at every moment, in one line.
import type { Phase } from "../model/phase.js";

export interface SteadyFacts {
  node: string;
  phase: Phase;
  /** /ready answers 200. */
  ready: boolean;
  /** /writer answers 200. */
  writer: boolean;
  /** Members of the component mariadbd is in, by its last sample; null when unknown. */
  clusterSize: number | null;
}

/**
 * "no action: n2 is synced, the writer, in a primary component of 3"; null in the phases
 * whose sentence is a recovery decision or a lifecycle step (preparing, waiting, refused,
 * draining, stopping, stopped), which the agent logs as they happen.
 */
export function steadyState(f: SteadyFacts): string | null {
  const of = f.clusterSize === null ? "" : ` of ${f.clusterSize}`;
  switch (f.phase) {
    case "synced":
      if (!f.ready)
        return `no action: ${f.node} is synced in a primary component${of}, but not ready: mariadbd is read-only`;
      return `no action: ${f.node} is synced, ${f.writer ? "the writer" : "a reader"}, in a primary component${of}`;
    case "donor":
      return `no action: ${f.node} serves a state transfer as a donor${f.ready ? ", and stays ready" : ", out of the routers' pools meanwhile"}`;
    case "starting":
      return `no action: ${f.node}'s mariadbd is starting or joining (state transfer, or awaiting its primary component)`;
    case "desynced":
      return `no action: ${f.node} is in a primary component${of} but desynced (wsrep_desync set by hand, or a backup of another tool): out of the routers' pools`;
    case "backing-up":
      return `no action: ${f.node} is being backed up, desynced for it: out of the routers' pools until the backup ends`;
    case "non-primary":
      return `no action yet: ${f.node}'s mariadbd runs outside any primary component${of}; the agent decides with its peers if this lasts`;
    case "server-down":
      return `no action yet: ${f.node}'s mariadbd does not answer; it is restarted if it exited`;
    default:
      return null;
  }
}
