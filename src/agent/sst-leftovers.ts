// A killed joiner's SST helpers (socat, mbstream) outlive its mariadbd and hold the SST port:
// the agent removes the ones it can prove are its own node's (sst-helpers.ts), and says so.
import type { Logger } from "../logger.js";
import { describeHelpers, removeOwnSstHelpers } from "../mysqld/sst-helpers.js";
import type { AgentOptions } from "../options/agent-options.js";

/** Kills this node's SST helpers left by an earlier mariadbd (sst-helpers.ts says which), and says so. */
export async function removeLeftoverSstHelpers(options: AgentOptions, log: Logger): Promise<void> {
  const removed = await removeOwnSstHelpers({
    datadir: options.datadir,
    address: options.address,
    port: options.ports.sst,
  });
  if (removed.length > 0) {
    log.warn(
      `removed the state transfer helpers an earlier mariadbd of this node left running: ${describeHelpers(removed)}; they held the SST port, and that transfer had ended with its mariadbd`,
    );
  }
}
