// Raw mariadbd, started the way a person or a script starts it (the baselines beside the
// agents), with the config the agent rendered for its node.
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { join } from "node:path";
import type { LocalNode } from "../../src/local/cluster-layout.js";
import { track, type TrackedChild } from "./processes.js";

export const mariadbdPath = "/usr/sbin/mariadbd";
/** The OS user mariadbd runs as. */
export const serverUser = "mysql";

export interface RawServer extends TrackedChild {
  node: LocalNode;
  /** Its stdout and stderr. */
  log: string;
  spawnedAt: number;
}

/** mariadbd and its arguments for the node, with its rendered `<node>/run/my.cnf`. */
export function mariadbdCommand(node: LocalNode): string[] {
  return [mariadbdPath, `--defaults-file=${join(node.runDir, "my.cnf")}`, `--user=${serverUser}`];
}

/**
 * Spawns mariadbd for the node with `extraArgs`, in a process group of its own (so a kill of
 * the group takes its SST helpers too), output appended to `log`.
 */
export function spawnMariadbd(node: LocalNode, extraArgs: readonly string[], log: string): RawServer {
  const [command, ...args] = [...mariadbdCommand(node), ...extraArgs];
  const fd = openSync(log, "a");
  const child = spawn(command!, args, { stdio: ["ignore", fd, fd], detached: true });
  closeSync(fd);
  return { ...track(child), node, log, spawnedAt: Date.now() };
}
