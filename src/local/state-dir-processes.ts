import { basename, isAbsolute, resolve } from "node:path";
import { defaultStateDir } from "./cluster-layout.js";
import { listProcesses, readProcess, type ProcessInfo } from "../system/processes.js";

/** Only node processes need their environment looked at (agents and the runner). */
const isNode = (argv: readonly string[]): boolean =>
  argv[0] !== undefined && /^node(js)?\d*$/.test(basename(argv[0]));

/** What a running process is to a local cluster's state folder. */
export type StateDirProcessKind = "runner" | "agent" | "mariadbd" | "haproxy";

export interface StateDirProcess {
  pid: number;
  kind: StateDirProcessKind;
  /** The node (n1, n2 …) an agent or mariadbd serves; null for the runner and HAProxy. */
  node: string | null;
}

/**
 * What `process` is to the local cluster of `stateDir` (absolute), or null when nothing
 * proves it belongs to it. Pure. Only proof counts, never a pid file alone (pids are reused):
 *
 * - mariadbd (any run of the server: the agent's own, `--wsrep-recover`): its first
 *   argument is `--defaults-file=STATE/nK/run/my.cnf`;
 * - an agent: a galera-pilot script run by node whose environment names this folder's
 *   datadir and run directory of one node (GALERA_PILOT_DATADIR, GALERA_PILOT_RUN_DIR: the
 *   runner gives each agent these);
 * - HAProxy: `haproxy … -f STATE/haproxy.cfg`;
 * - the runner: `galera-pilot local up` whose --state-dir (else GALERA_PILOT_STATE_DIR,
 *   else the default folder) is this folder.
 */
export function classifyProcess(
  info: Pick<ProcessInfo, "pid" | "argv" | "env" | "cwd">,
  stateDir: string,
): StateDirProcess | null {
  const { pid, argv } = info;
  const dir = stateDir.replace(/\/+$/, "");
  const nodeOf = (path: string, tail: string): string | null => {
    const prefix = `${dir}/`;
    if (!path.startsWith(prefix) || !path.endsWith(tail)) return null;
    const node = path.slice(prefix.length, path.length - tail.length);
    return /^n\d+$/.test(node) ? node : null;
  };
  // The server takes --defaults-file only as its first option; an SST script that passes
  // the server's arguments on carries it further along, and is no server.
  if (argv[1]?.startsWith("--defaults-file=")) {
    const node = nodeOf(argv[1].slice("--defaults-file=".length), "/run/my.cnf");
    if (node) return { pid, kind: "mariadbd", node };
  }
  if (argv[0] !== undefined && basename(argv[0]).startsWith("haproxy")) {
    const config = argv.indexOf("-f");
    if (config > 0 && argv[config + 1] === `${dir}/haproxy.cfg`) return { pid, kind: "haproxy", node: null };
  }
  // node [node options] SCRIPT ARGS…: the script is the first argument that is no option.
  if (!isNode(argv)) return null;
  const scriptAt = argv.findIndex((a, i) => i > 0 && !a.startsWith("-"));
  const script = argv[scriptAt];
  if (script === undefined || !/(^|\/)(main\.js|galera-pilot)$/.test(script)) return null;
  const args = argv.slice(scriptAt + 1);
  if (args[0] === "local" && args[1] === "up") {
    let given: string | undefined;
    for (let i = 2; i < args.length; i++) {
      if (args[i] === "--state-dir") given = args[i + 1];
      else if (args[i]!.startsWith("--state-dir=")) given = args[i]!.slice("--state-dir=".length);
    }
    given ??= info.env?.["GALERA_PILOT_STATE_DIR"] ?? (info.env ? defaultStateDir : undefined);
    if (given === undefined) return null;
    if (!isAbsolute(given)) {
      if (info.cwd === null) return null;
      given = resolve(info.cwd, given);
    }
    return resolve(given) === resolve(dir) ? { pid, kind: "runner", node: null } : null;
  }
  const datadir = info.env?.["GALERA_PILOT_DATADIR"];
  const runDir = info.env?.["GALERA_PILOT_RUN_DIR"];
  if (datadir === undefined || runDir === undefined) return null;
  const node = nodeOf(datadir, "/data");
  if (node === null || runDir !== `${dir}/${node}/run`) return null;
  return { pid, kind: "agent", node };
}

/** This process and its ancestors: never taken for a leftover (a wrapper may carry our arguments). */
function selfAndAncestors(): Set<number> {
  const pids = new Set<number>([process.pid]);
  let pid = process.ppid;
  while (pid > 1 && !pids.has(pid)) {
    pids.add(pid);
    const parent = readProcess(pid);
    if (!parent) break;
    pid = parent.ppid;
  }
  return pids;
}

const kindOrder: Record<StateDirProcessKind, number> = { runner: 0, agent: 1, mariadbd: 2, haproxy: 3 };

/**
 * The processes of the local cluster of `stateDir` that run now: its runner, agents, mariadbd
 * and HAProxy, proven as classifyProcess says; never this process or its ancestors. Sorted
 * by kind, then node.
 */
export function findStateDirProcesses(stateDir: string): StateDirProcess[] {
  const own = selfAndAncestors();
  const dir = resolve(stateDir);
  return listProcesses(isNode)
    .filter((p) => !own.has(p.pid))
    .map((p) => classifyProcess(p, dir))
    .filter((p): p is StateDirProcess => p !== null)
    .sort(
      (a, b) =>
        kindOrder[a.kind] - kindOrder[b.kind] || nodeNumber(a.node) - nodeNumber(b.node) || a.pid - b.pid,
    );
}

/** Whether this pid still runs as the same process of this state folder (not a reused pid). */
export function stillRuns(process: StateDirProcess, stateDir: string): boolean {
  const info = readProcess(process.pid, isNode);
  if (!info) return false;
  const now = classifyProcess(info, resolve(stateDir));
  return now?.kind === process.kind && now.node === process.node;
}

export function nodeNumber(node: string | null): number {
  return node === null ? 0 : Number(node.slice(1));
}

/**
 * What still runs, per node and for HAProxy and the runner, for one line: "n2 (agent 1234,
 * mariadbd 1240), n1 (agent 1200), haproxy (1100, 1101), the runner (1000)". Pure.
 */
export function describeProcesses(processes: readonly StateDirProcess[]): string {
  const byNode = new Map<string, StateDirProcess[]>();
  for (const p of processes) {
    if (p.node === null) continue;
    byNode.set(p.node, [...(byNode.get(p.node) ?? []), p]);
  }
  const parts = [...byNode.entries()]
    .sort(([a], [b]) => nodeNumber(b) - nodeNumber(a))
    .map(([node, list]) => `${node} (${list.map((p) => `${p.kind} ${p.pid}`).join(", ")})`);
  const haproxy = processes.filter((p) => p.kind === "haproxy").map((p) => p.pid);
  if (haproxy.length > 0) parts.push(`haproxy (${haproxy.join(", ")})`);
  const runner = processes.filter((p) => p.kind === "runner").map((p) => p.pid);
  if (runner.length > 0) parts.push(`the runner (${runner.join(", ")})`);
  return parts.join(", ");
}
