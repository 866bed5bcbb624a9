import type { WsrepSample } from "../probe/wsrep-sample.js";

/**
 * What the agent is doing, in one word, for /status, the local runner and people.
 * - preparing: checking input, initialising or recovering the datadir, deciding
 * - waiting: a decision says to wait (e.g. for peers to report before a recovery)
 * - refused: a safety rule refused to start mariadbd (the reason says which)
 * - starting: mariadbd runs but has not been synced since it started: joining, IST, SST
 * - donor: serving a state transfer to a joiner
 * - synced: Primary, ready, Synced
 * - non-primary: mariadbd answers but is not in a primary component
 * - desynced: answers, Primary, but neither Synced nor Donor
 * - server-down: mariadbd stopped answering after having answered, or exited and is restarted
 * - draining: leaving the routers' pools before leaving the cluster
 * - stopping / stopped: leaving the cluster on request, or gone
 */
export type Phase =
  | "preparing"
  | "waiting"
  | "refused"
  | "starting"
  | "donor"
  | "synced"
  | "non-primary"
  | "desynced"
  | "server-down"
  | "draining"
  | "stopping"
  | "stopped";

export interface PhaseFacts {
  /** The agent's own lifecycle around mariadbd. "restarting": mariadbd exited on its own. */
  lifecycle:
    "preparing" | "waiting" | "refused" | "running" | "restarting" | "draining" | "stopping" | "stopped";
  /** The node has been Synced at least once since mariadbd last started. */
  syncedSinceStart: boolean;
  sample: WsrepSample;
  /** The sample is recent enough to trust (younger than three sampling intervals). */
  sampleFresh: boolean;
}

/** Derives the phase from the agent's lifecycle and the last sample. Pure. */
export function derivePhase(facts: PhaseFacts): Phase {
  switch (facts.lifecycle) {
    case "running":
    case "draining":
      break;
    case "restarting":
      return "server-down";
    default:
      return facts.lifecycle;
  }
  const s = facts.sample;
  let phase: Phase;
  if (s.error !== null || !facts.sampleFresh) phase = facts.syncedSinceStart ? "server-down" : "starting";
  else if (s.clusterStatus !== "Primary") phase = facts.syncedSinceStart ? "non-primary" : "starting";
  else if (s.localState === 4) phase = "synced";
  else if (s.localState === 2) phase = "donor";
  else phase = facts.syncedSinceStart ? "desynced" : "starting";
  // Draining hides a healthy node from the pools; a sick one stays reported as sick.
  return facts.lifecycle === "draining" && (phase === "synced" || phase === "donor") ? "draining" : phase;
}
