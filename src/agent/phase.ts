import type { WsrepSample } from "../probe/wsrep-sample.js";

/**
 * What the agent is doing, in one word, for /status, the local runner and people.
 * - preparing: checking input, initialising or recovering the datadir, deciding
 * - refused: a safety rule refused to start mariadbd (the reason says which)
 * - starting: mariadbd runs but does not answer yet, or is joining (IST/SST)
 * - donor: serving a state transfer to a joiner
 * - synced: Primary, ready, Synced
 * - non-primary: mariadbd answers but is not in a primary component
 * - desynced: answers, Primary, but neither Synced nor Donor
 * - server-down: mariadbd stopped answering after having answered
 * - stopping / stopped: leaving the cluster on request, or gone
 */
export type Phase =
  | "preparing"
  | "refused"
  | "starting"
  | "donor"
  | "synced"
  | "non-primary"
  | "desynced"
  | "server-down"
  | "stopping"
  | "stopped";

export interface PhaseFacts {
  /** The agent's own lifecycle: before mariadbd, running it, or stopping it. */
  lifecycle: "preparing" | "refused" | "running" | "stopping" | "stopped";
  /** The node has been Synced at least once since mariadbd started. */
  syncedSinceStart: boolean;
  sample: WsrepSample;
}

/** Derives the phase from the agent's lifecycle and the last sample. Pure. */
export function derivePhase(facts: PhaseFacts): Phase {
  if (facts.lifecycle !== "running") return facts.lifecycle;
  const s = facts.sample;
  if (s.error !== null) return facts.syncedSinceStart ? "server-down" : "starting";
  if (s.clusterStatus !== "Primary") return facts.syncedSinceStart ? "non-primary" : "starting";
  if (s.localState === 4) return "synced";
  if (s.localState === 2) return "donor";
  return facts.syncedSinceStart ? "desynced" : "starting";
}
