// How long to wait before starting again a process that exited on its own: the local
// runner's agents and HAProxy (process/supervised-child.ts keeps them running), and an agent's
// mariadbd (decide/server-exit.ts). At once is a crash loop that floods the log and the
// machine; a fixed long wait leaves a node down for nothing after one unlucky exit.

export interface BackoffPolicy {
  /** The first wait, and the wait again after a run that lasted healthyRunMs. */
  initialMs: number;
  /** The wait never grows beyond this. */
  maxMs: number;
  /** A run at least this long counts as healthy: the next exit starts from initialMs again. */
  healthyRunMs: number;
}

/**
 * The wait before this restart and the one after it, from how long the agent ran and the
 * wait that was next in line: doubling after each quick exit, up to maxMs, back to initialMs
 * after a healthy run. Pure.
 */
export function restartDelay(
  policy: BackoffPolicy,
  ranForMs: number,
  nextInLineMs: number,
): { waitMs: number; nextInLineMs: number } {
  const waitMs = ranForMs >= policy.healthyRunMs ? policy.initialMs : Math.min(nextInLineMs, policy.maxMs);
  return { waitMs, nextInLineMs: Math.min(waitMs * 2, policy.maxMs) };
}

/**
 * As schedulers restart a task: 1 s, doubling up to 30 s after quick exits, back to 1 s once
 * a run lasted a minute. The local runner's default for its agents, HAProxy's, and the
 * agent's for its mariadbd.
 */
export const schedulerBackoff: BackoffPolicy = { initialMs: 1000, maxMs: 30_000, healthyRunMs: 60_000 };
