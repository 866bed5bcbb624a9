/**
 * The last check before mariadbd starts in a way that may form a primary component from this
 * datadir alone — a bootstrap, or awaiting Galera's pc.recovery — so that it never starts a new
 * cluster over another cluster's data. Pure; the agent reads grastate.dat right before the
 * start and refuses when this answers a reason.
 *
 * Galera takes its state from grastate.dat. It uses `--wsrep-start-position` only when that
 * position's UUID is the one in the file (galera's ReplicatorSMM, "non-trivial recovery
 * information provided on startup"), so a datadir whose grastate.dat lacks the cluster's UUID
 * would be bootstrapped or restored from the zero position: a new cluster UUID, seqno 1, and
 * every other node refused as another cluster's. The recovery rules never choose such a start
 * (a zero or unknown position never bootstraps; a void view is removed first); this guard makes
 * a mistake in them stop the node instead of forking the cluster.
 */
import { ZERO_UUID, type Position } from "../model/galera-state.js";

export interface PrimaryStartFacts {
  /** How mariadbd is about to start. */
  kind: "join" | "await-pc-recovery" | "bootstrap";
  /** The datadir was empty at this start: a new cluster is what a bootstrap of it means. */
  fresh: boolean;
  /** grastate.dat's UUID right before the start; null when the file is absent or empty. */
  grastateUuid: string | null;
  /** The position mariadbd gets as --wsrep-start-position. */
  startPosition: Position;
}

/** Why this start must not happen, or null when it may. */
export function newClusterRisk(facts: PrimaryStartFacts): string | null {
  if (facts.kind === "join" || facts.fresh) return null;
  const doing =
    facts.kind === "bootstrap"
      ? "bootstrap a primary component from this node"
      : "let Galera restore the last primary component from this node";
  const start = facts.startPosition;
  const holds =
    start.uuid === ZERO_UUID ? "data but no position of any cluster" : `cluster ${start.uuid}'s data`;
  const file =
    facts.grastateUuid === null
      ? "grastate.dat is absent or empty"
      : facts.grastateUuid === ZERO_UUID
        ? "grastate.dat holds the zero UUID"
        : facts.grastateUuid !== start.uuid
          ? `grastate.dat holds cluster ${facts.grastateUuid}, not the start position's ${start.uuid}`
          : null;
  if (file === null) return null;
  return `refusing to ${doing}: ${file}, so Galera would start a new cluster from the zero position while this datadir holds ${holds}`;
}
