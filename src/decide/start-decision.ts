import type { Grastate } from "../mysqld/grastate.js";
import type { RecoveredPosition } from "../mysqld/recovered-position.js";
import type { PeerEndpoint } from "../peers/discovery.js";

/**
 * The facts one start of the agent decides on: one frozen snapshot, gathered by the agent
 * before the decision and never changed by it.
 */
export interface StartFacts {
  mode: "seed" | "node";
  nodeName: string;
  /** The datadir was empty and the agent initialised it in this start. */
  initialisedNow: boolean;
  grastate: Grastate | null;
  /** grastate.dat is 0 bytes: a state transfer into this datadir did not finish. */
  grastateEmpty: boolean;
  recovered: RecoveredPosition | null;
  /** Peers from the command line or discovery, the node's own addresses removed. */
  peers: readonly PeerEndpoint[];
}

export type StartAction = "bootstrap" | "join" | "refuse";

export interface StartDecision {
  action: StartAction;
  /** One sentence a person can read; the agent logs it verbatim and shows it in /status. */
  reason: string;
}

const positionText = (facts: StartFacts): string =>
  facts.recovered ? `${facts.recovered.uuid}:${facts.recovered.seqno}` : "unknown";

/**
 * Decides how mariadbd starts. Pure: no I/O, no clock. The rules, in order:
 * 1. A node with peers joins them: Galera's own quorum and pc.recovery take it from there.
 * 2. A node without peers has nobody to join and no mandate to start a cluster: refuse.
 * 3. A seed with a fresh datadir forms the new cluster (the seed post's first step).
 * 4. A seed with data bootstraps only when Galera marked it safe (it left last, cleanly);
 *    otherwise another node may hold newer data, so refuse rather than fork history.
 */
export function decideStart(facts: StartFacts): StartDecision {
  if (facts.mode === "node") {
    if (facts.peers.length > 0) {
      const list = facts.peers.map((p) => `${p.address}:${p.port}`).join(", ");
      const unfinished = facts.grastateEmpty
        ? " (grastate.dat is empty: an earlier state transfer did not finish, so this node takes a full SST)"
        : "";
      return {
        action: "join",
        reason: `joining the cluster through ${list}; local position ${positionText(facts)}${unfinished}`,
      };
    }
    return {
      action: "refuse",
      reason:
        "refusing to start: no peers to join (every given host is this node) and node mode never forms a cluster; start one node with `seed`, or give the other nodes' addresses",
    };
  }
  if (facts.initialisedNow) {
    return { action: "bootstrap", reason: "bootstrapping a new cluster: seed mode with a fresh datadir" };
  }
  if (facts.grastate?.safeToBootstrap) {
    return {
      action: "bootstrap",
      reason: `bootstrapping from this node: grastate.dat marks it safe to bootstrap (it left the cluster last); position ${positionText(facts)}`,
    };
  }
  return {
    action: "refuse",
    reason: `refusing to bootstrap: grastate.dat says safe_to_bootstrap: 0 (another node left the cluster after this one and may hold newer data; position here ${positionText(facts)}); start the node that left last as seed, or start this one as node with its peers`,
  };
}
