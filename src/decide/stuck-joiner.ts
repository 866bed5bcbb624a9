// A joiner whose mariadbd answers but stays Disconnected from the cluster: after a failed IST
// or SST, Galera stays up, logs "node restart required", and never rejoins by itself. Only a
// restart brings it back, so the agent restarts it once it has been so long enough that no
// ordinary view change explains it.

/** A joiner Disconnected from the cluster this long is restarted. */
export const disconnectedRestartMs = 20_000;

/** The part of a sample this rule reads. */
export interface ConnectionSample {
  takenAt: number;
  /** The sample failed (mariadbd did not answer): no verdict on the cluster connection. */
  error: string | null;
  clusterStatus: string | null;
}

export interface StuckJoinerVerdict {
  /** When the current run of Disconnected samples began; null when the latest is not one. */
  since: number | null;
  /** Set when mariadbd must be restarted: the sentence the agent logs. */
  restart: string | null;
}

/**
 * Folds the latest sample into the watch: `since` is the verdict before it. A node that has
 * synced since its start is never a stuck joiner (a synced node cut off is a partition, and
 * Galera rejoins it by itself). Pure.
 */
export function watchDisconnected(
  since: number | null,
  sample: ConnectionSample,
  syncedSinceStart: boolean,
): StuckJoinerVerdict {
  const disconnected = sample.error === null && sample.clusterStatus === "Disconnected" && !syncedSinceStart;
  if (!disconnected) return { since: null, restart: null };
  if (since === null) return { since: sample.takenAt, restart: null };
  if (sample.takenAt - since < disconnectedRestartMs) return { since, restart: null };
  return {
    since,
    restart: `mariadbd has been running for ${disconnectedRestartMs / 1000} s without a connection to the cluster (Galera says so after a failed IST/SST: "node restart required"): restarting it`,
  };
}
