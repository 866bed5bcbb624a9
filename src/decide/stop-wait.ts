// How long a stopping agent lets mariadbd take to exit after SIGTERM before it kills it.
//
// A node that reached Synced since this start is a member with something to hand over: it
// leaves the cluster cleanly (Galera's view changes at once for its peers, grastate.dat keeps
// its position, safe_to_bootstrap is set on the last one out), however long that takes, up to
// the stop timeout. A node still joining has nothing the cluster needs from it, and a state
// transfer under way does not end on SIGTERM: mariadbd waits for the transfer first, which at
// a limited rate or with a stalled donor takes minutes. Killing it loses nothing: a transfer
// cut short holds no position (the next start joins again, never bootstraps: docs/recovery.md,
// "A join cut short"), and an IST or a wait for the primary leaves InnoDB's own, crash-safe
// position. The bootstrapper is not a joiner: it holds the cluster's data and always gets the
// full timeout.

/** What a still-joining mariadbd gets to exit on SIGTERM before SIGKILL. */
export const joinerStopGraceMs = 5000;

export interface StopWaitInputs {
  /** How this run of mariadbd was started; null when none runs. */
  startKind: "join" | "await-pc-recovery" | "bootstrap" | null;
  /** Whether this run reached Synced. */
  syncedSinceStart: boolean;
  /** The configured stop timeout (GALERA_PILOT_STOP_TIMEOUT). */
  stopTimeoutMs: number;
}

export interface StopWait {
  waitMs: number;
  /** Set when the wait is the joiner's short grace: why, for the log. */
  joining: string | null;
}

/** Pure: the wait before SIGKILL, and whether it is the joiner's short grace. */
export function stopWait(inputs: StopWaitInputs): StopWait {
  if (inputs.syncedSinceStart || inputs.startKind === "bootstrap" || inputs.startKind === null) {
    return { waitMs: inputs.stopTimeoutMs, joining: null };
  }
  const waitMs = Math.min(joinerStopGraceMs, inputs.stopTimeoutMs);
  const how = inputs.startKind === "join" ? "joining the cluster" : "awaiting the primary's restoration";
  return {
    waitMs,
    joining: `mariadbd is still ${how} (not synced since this start): it has nothing to hand over, and a state transfer under way does not end on SIGTERM; it gets ${waitMs / 1000} s to exit, then SIGKILL; its next start joins from the position it holds`,
  };
}
