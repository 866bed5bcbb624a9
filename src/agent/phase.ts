import type { Phase } from "../model/phase.js";
import type { WsrepSample } from "../probe/wsrep-sample.js";

export interface PhaseFacts {
  /** The agent's own lifecycle around mariadbd. "restarting": mariadbd exited on its own. */
  lifecycle:
    "preparing" | "waiting" | "refused" | "running" | "restarting" | "draining" | "stopping" | "stopped";
  /** The node has been Synced at least once since mariadbd last started. */
  syncedSinceStart: boolean;
  sample: WsrepSample;
  /** The sample is recent enough to trust (younger than three sampling intervals). */
  sampleFresh: boolean;
  /** This agent is taking a backup of its node, which it desynced for it (absent: no). */
  backingUp?: boolean;
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
  const healthy = phase === "synced" || phase === "donor";
  // Draining hides a healthy node from the pools; a sick one stays reported as sick.
  if (facts.lifecycle === "draining" && healthy) return "draining";
  // Desynced for a backup, the node shows Donor/Desynced, which a donor answers 200 for:
  // a backing-up node must leave the pools, so it has a phase of its own.
  if (facts.backingUp === true && (healthy || phase === "desynced")) return "backing-up";
  return phase;
}
