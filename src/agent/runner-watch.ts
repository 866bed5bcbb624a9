/**
 * The agent's lifeline to the local runner that started it. The runner (src/local/local-cluster.ts)
 * gives every agent a Node IPC channel and never sends on it; when the runner is gone the
 * channel closes and the agent leaves the cluster cleanly, as on SIGTERM, so no agent,
 * mariadbd or SST helper is left running, out of reach of `galera-pilot down`.
 *
 * Why a channel, not a watch on the parent's pid: the kernel closes the runner's end of the
 * socket pair when the runner ends in any way, SIGKILL and OOM kills included, so the agent
 * hears of it at once, with no timer; nothing can fool it (a reused pid, a subreaper that
 * adopts the agent, a parent pid read a moment too late), and a runner that died before
 * the agent looked is seen too (the first read is the end of the stream). The channel's
 * descriptor is close-on-exec in the agent, so mariadbd and its helpers never hold it. An
 * agent started without a channel (a container, a scheduler, a shell) is not affected.
 */

/** The part of `process` this needs (a stand-in in the unit tests). */
export interface ChannelOwner {
  channel?: { unref(): unknown } | null | undefined;
  once(event: "disconnect", listener: () => void): unknown;
}

/**
 * Calls onGone once, when the IPC channel to the parent closes. Returns false (and never
 * calls it) when the process has no such channel.
 */
export function whenRunnerGone(onGone: () => void, owner: ChannelOwner = process): boolean {
  if (!owner.channel) return false;
  // The channel alone must not keep the agent alive (its own work decides when it ends).
  owner.channel.unref();
  owner.once("disconnect", onGone);
  return true;
}
