/**
 * The state transfer's helpers that a stopped or killed joiner leaves behind.
 *
 * A joiner's mariadbd runs the SST script (`wsrep_sst_mariabackup` or `wsrep_sst_rsync`), which
 * runs socat listening on the node's SST address, mbstream (or rsync) writing into the datadir,
 * and pv. When mariadbd is killed mid-transfer these outlive it for minutes, holding the SST
 * port: the next start's transfer cannot listen, and a restarted agent refuses to start ("SST
 * port … is already in use"). The agent removes them before each start, and after a joiner was
 * stopped; only processes it can prove are this node's:
 *
 * - the SST script run for this datadir (`--datadir DIR` on its command line);
 * - socat listening on this node's SST address and port (this node's configuration alone
 *   names that endpoint);
 * - mbstream, mariabackup, rsync, socat or pv working inside this datadir;
 * - any descendant of those.
 *
 * A process with a live mariadbd among its ancestors is never taken: that transfer is running,
 * not left over. Pure, apart from `removeOwnSstHelpers`.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { listProcesses, type ProcessInfo } from "../system/processes.js";

/** What the judge reads of a process. */
export type ProcessFacts = Pick<ProcessInfo, "pid" | "ppid" | "comm" | "argv" | "cwd">;

export interface SstEndpoint {
  datadir: string;
  address: string;
  port: number;
}

export interface LeftoverHelper {
  process: ProcessFacts;
  /** Why it is this node's: one clause, for the log line. */
  why: string;
}

const workers = new Set(["mbstream", "mariabackup", "mariadb-backup", "rsync", "socat", "pv"]);
const servers = new Set(["mariadbd", "mysqld"]);

function withoutTrailingSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, "") : path;
}

/** The value given to `--datadir` on a command line (as "--datadir DIR" or "--datadir=DIR"), or null. */
function datadirArgument(argv: readonly string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--datadir" && i + 1 < argv.length) return argv[i + 1]!;
    if (arg.startsWith("--datadir=")) return arg.slice("--datadir=".length);
  }
  return null;
}

/** Whether socat's arguments make it listen on exactly this address and port. */
function listensOn(argv: readonly string[], address: string, port: number): boolean {
  return argv.some((arg) => {
    const match = /^TCP6?-LISTEN:(\d+)((?:,[^,]*)*)$/i.exec(arg);
    if (!match || Number(match[1]) !== port) return false;
    const options = (match[2] ?? "").split(",");
    return options.includes(`bind=${address}`) || options.includes(`bind=[${address}]`);
  });
}

function ownBecause(process: ProcessFacts, endpoint: SstEndpoint): string | null {
  const datadir = withoutTrailingSlash(endpoint.datadir);
  const isScript = process.argv.some((arg) => /(^|\/)wsrep_sst_[a-z]+$/.test(arg));
  const scriptDatadir = datadirArgument(process.argv);
  if (isScript && scriptDatadir !== null && withoutTrailingSlash(scriptDatadir) === datadir) {
    return `the SST script for ${datadir}`;
  }
  if (process.comm === "socat" && listensOn(process.argv, endpoint.address, endpoint.port)) {
    return `it listens on this node's SST address ${endpoint.address}:${endpoint.port}`;
  }
  if (workers.has(process.comm) && process.cwd !== null) {
    const cwd = withoutTrailingSlash(process.cwd);
    if (cwd === datadir || cwd.startsWith(`${datadir}/`)) return `it works in ${datadir}`;
  }
  return null;
}

/**
 * The processes that are this node's SST helpers left over by an earlier start (see the module
 * comment), each with why. `selfPid` (the agent) and its ancestors are never included.
 */
export function findLeftoverSstHelpers(
  processes: readonly ProcessFacts[],
  endpoint: SstEndpoint,
  selfPid: number,
): LeftoverHelper[] {
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  const ancestors = (process: ProcessFacts): ProcessFacts[] => {
    const chain: ProcessFacts[] = [];
    const seen = new Set<number>([process.pid]);
    let parent = byPid.get(process.ppid);
    while (parent && !seen.has(parent.pid)) {
      chain.push(parent);
      seen.add(parent.pid);
      parent = byPid.get(parent.ppid);
    }
    return chain;
  };
  const found = new Map<number, LeftoverHelper>();
  for (const process of processes) {
    if (process.pid === selfPid) continue;
    const chain = ancestors(process);
    // A transfer whose mariadbd still runs is not left over; the agent itself is never a helper.
    if (chain.some((p) => servers.has(p.comm) || p.pid === selfPid)) continue;
    const why = ownBecause(process, endpoint);
    if (why !== null) {
      found.set(process.pid, { process, why });
      continue;
    }
    const owner = chain.find((p) => ownBecause(p, endpoint) !== null);
    if (owner)
      found.set(process.pid, { process, why: `a child of pid ${owner.pid}, ${ownBecause(owner, endpoint)}` });
  }
  return [...found.values()].sort((a, b) => a.process.pid - b.process.pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Kills this node's leftover SST helpers (SIGKILL: the transfer they served is over, and the
 * next start begins its own) and waits up to `waitMs` for them to end. Returns what it removed,
 * for the log; an empty list when there was nothing to do.
 */
export async function removeOwnSstHelpers(endpoint: SstEndpoint, waitMs = 3000): Promise<LeftoverHelper[]> {
  const leftovers = findLeftoverSstHelpers(listProcesses(), endpoint, process.pid);
  for (const { process: helper } of leftovers) {
    try {
      process.kill(helper.pid, "SIGKILL");
    } catch {
      // Ended on its own meanwhile.
    }
  }
  const deadline = Date.now() + waitMs;
  while (leftovers.some(({ process: helper }) => isAlive(helper.pid)) && Date.now() < deadline)
    await sleep(20);
  return leftovers;
}

/** One clause naming the removed helpers, e.g. `pid 812 (socat: it listens on …), pid 813 (…)`. */
export function describeHelpers(helpers: readonly LeftoverHelper[]): string {
  return helpers.map(({ process, why }) => `pid ${process.pid} (${process.comm}: ${why})`).join(", ");
}
