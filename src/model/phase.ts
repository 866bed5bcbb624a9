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
 * - backing-up: this node's agent is taking a backup of it, desynced for it: out of the pools
 * - server-down: mariadbd stopped answering after having answered, or exited and is restarted
 * - draining: leaving the routers' pools before leaving the cluster
 * - stopping / stopped: leaving the cluster on request, or gone
 */
export const phases = [
  "preparing",
  "waiting",
  "refused",
  "starting",
  "donor",
  "synced",
  "non-primary",
  "desynced",
  "backing-up",
  "server-down",
  "draining",
  "stopping",
  "stopped",
] as const;

export type Phase = (typeof phases)[number];
