// `galera-pilot local up` as a process, what `npm start` runs: its command line and the line
// it prints once the cluster is up.
import type { ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { agentEntry } from "./paths.js";
import { hasExited } from "./processes.js";

/** What `local up` prints once every agent's /status says synced in a 3-node primary. */
export const clusterUpLine = /3 of 3 nodes synced after ([\d.]+) s/;

/** node's arguments for `galera-pilot local up` in stateDir, its nodes from firstAddress on. */
export function localUpArgs(stateDir: string, firstAddress: string, routerAddress: string): string[] {
  return [
    agentEntry,
    "local",
    "up",
    "--state-dir",
    stateDir,
    "--first-address",
    firstAddress,
    "--router-address",
    routerAddress,
  ];
}

/** Waits until `output()` matches `pattern`; throws if the child exits first or time runs out. */
export async function waitForOutput(
  child: ChildProcess,
  output: () => string,
  pattern: RegExp,
  timeoutMs: number,
): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(output());
    if (match) return match;
    if (hasExited(child)) {
      throw new Error(
        `the runner exited (${child.exitCode ?? child.signalCode}) before ${pattern}:\n${output().slice(-3000)}`,
      );
    }
    if (Date.now() > deadline)
      throw new Error(`no ${pattern} after ${timeoutMs} ms:\n${output().slice(-3000)}`);
    await sleep(20);
  }
}
