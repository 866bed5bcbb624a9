/**
 * This machine's processes as /proc shows them (this PID namespace): what the agent and the
 * local runner read to find what they may stop — the SST helpers a killed joiner left
 * (mysqld/sst-helpers.ts), a state folder's leftover agents, mariadbd and HAProxy
 * (local/state-dir-processes.ts). Reading only; each judge proves ownership itself.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

export interface ProcessInfo {
  pid: number;
  /** Its parent's pid (0 when unknown). */
  ppid: number;
  /** The kernel's short name (/proc/PID/comm, from the executable's file name): "socat", "mariadbd" … */
  comm: string;
  argv: readonly string[];
  /** Its working directory; null when it cannot be read (another user's, without the privilege). */
  cwd: string | null;
  /** Its initial environment, when asked for and readable; else null. */
  env: Readonly<Record<string, string>> | null;
}

/** Whether a process's environment is worth reading, from its arguments (it costs a read each). */
export type WantsEnvironment = (argv: readonly string[]) => boolean;

/** One process, or null when it is gone or is a kernel thread (no command line). */
export function readProcess(
  pid: number,
  wantsEnvironment: WantsEnvironment = () => false,
): ProcessInfo | null {
  let argv: string[];
  let comm = "";
  let ppid = 0;
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    // "PID (COMM) STATE PPID …": COMM may hold spaces and parentheses, so split at the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = stat.lastIndexOf(")");
    comm = stat.slice(stat.indexOf("(") + 1, close);
    ppid = Number(stat.slice(close + 2).split(" ")[1]);
  } catch {
    return null;
  }
  if (argv.at(-1) === "") argv.pop();
  if (argv.length === 0) return null;
  let env: Record<string, string> | null = null;
  if (wantsEnvironment(argv)) {
    try {
      env = {};
      for (const pair of readFileSync(`/proc/${pid}/environ`, "utf8").split("\0")) {
        const at = pair.indexOf("=");
        if (at > 0) env[pair.slice(0, at)] = pair.slice(at + 1);
      }
    } catch {
      env = null;
    }
  }
  let cwd: string | null = null;
  try {
    cwd = readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    cwd = null;
  }
  return { pid, ppid: Number.isFinite(ppid) ? ppid : 0, comm, argv, cwd, env };
}

/** Every process (those that end while they are read are left out). */
export function listProcesses(wantsEnvironment?: WantsEnvironment): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const info = readProcess(Number(entry), wantsEnvironment);
    if (info) found.push(info);
  }
  return found;
}
