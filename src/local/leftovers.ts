import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  findStateDirProcesses,
  nodeNumber,
  stillRuns,
  type StateDirProcess,
  type StateDirProcessKind,
} from "./state-dir-processes.js";

export interface StopLeftoversOptions {
  /** Which kinds to stop; the runner is never stopped here (a live runner is refused earlier). */
  kinds?: readonly Exclude<StateDirProcessKind, "runner">[];
  /** How long one agent or mariadbd may take to stop cleanly after SIGTERM. */
  serverStopMs?: number;
  log: (line: string) => void;
}

/** An agent's drain and mariadbd's stop timeout (120 s) with room to spare. */
const defaultServerStopMs = 180_000;
/** HAProxy holds no data: after this long it is killed. */
const haproxyStopMs = 10_000;

/**
 * Stops the agents, servers and HAProxy of this state folder that a runner left behind (it
 * was killed, or its agents could not notice: docs/local-cluster.md), as a scheduler
 * reclaims a node: each agent gets SIGTERM, so its mariadbd drains and leaves the cluster
 * cleanly, one at a time, the last node first and n1 last (the one Galera then marks safe to
 * bootstrap, as after `down`); then a mariadbd whose agent is gone gets SIGTERM itself; then
 * HAProxy. Only processes proven to belong to this folder are touched (classifyProcess), and
 * an agent or mariadbd is never killed: one that does not stop in time is returned, still
 * running, for the caller to refuse to go on. Returns what still runs.
 */
export async function stopLeftovers(
  stateDir: string,
  options: StopLeftoversOptions,
): Promise<StateDirProcess[]> {
  const kinds = new Set(options.kinds ?? ["agent", "mariadbd", "haproxy"]);
  const serverStopMs = options.serverStopMs ?? defaultServerStopMs;
  const stuck: StateDirProcess[] = [];
  const find = (kind: StateDirProcessKind): StateDirProcess[] =>
    findStateDirProcesses(stateDir)
      .filter((p) => p.kind === kind && !stuck.some((s) => s.pid === p.pid))
      .sort((a, b) => nodeNumber(b.node) - nodeNumber(a.node));
  for (const kind of ["agent", "mariadbd"] as const) {
    if (!kinds.has(kind)) continue;
    for (const leftover of find(kind)) {
      const what =
        kind === "agent"
          ? `a leftover agent (pid ${leftover.pid})`
          : `a leftover mariadbd (pid ${leftover.pid}) without its agent`;
      options.log(
        `${leftover.node}: ${what} of this state folder runs, from a runner that is gone: stopping it cleanly (SIGTERM${kind === "agent" ? ": its mariadbd leaves the cluster" : ""})`,
      );
      const startedAt = Date.now();
      if (!(await signalAndWait(leftover, stateDir, "SIGTERM", serverStopMs))) {
        options.log(
          `${leftover.node}: ${what} did not stop within ${serverStopMs / 1000} s of SIGTERM; it was not killed (see ${join(stateDir, leftover.node!, "agent.log")})`,
        );
        stuck.push(leftover);
        continue;
      }
      options.log(
        `${leftover.node}: the leftover ${kind} stopped after ${((Date.now() - startedAt) / 1000).toFixed(1)} s`,
      );
    }
  }
  if (kinds.has("haproxy")) {
    // The master first: it stops its workers; a worker without a master stops by itself.
    for (const leftover of find("haproxy").sort((a, b) => a.pid - b.pid)) {
      if (!stillRuns(leftover, stateDir)) continue;
      options.log(`a leftover haproxy (pid ${leftover.pid}) of this state folder runs: stopping it`);
      if (!(await signalAndWait(leftover, stateDir, "SIGTERM", haproxyStopMs))) {
        // HAProxy keeps no data: nothing is lost by killing it.
        await signalAndWait(leftover, stateDir, "SIGKILL", haproxyStopMs);
      }
    }
  }
  return findStateDirProcesses(stateDir).filter((p) => p.kind !== "runner" && kinds.has(p.kind));
}

/** Sends the signal and waits until the process is gone (or its pid is another's); false on timeout. */
async function signalAndWait(
  leftover: StateDirProcess,
  stateDir: string,
  signal: NodeJS.Signals,
  timeoutMs: number,
): Promise<boolean> {
  // Checked again right before the signal: the pid is still this folder's process.
  if (!stillRuns(leftover, stateDir)) return true;
  try {
    process.kill(leftover.pid, signal);
  } catch {
    return !stillRuns(leftover, stateDir);
  }
  const deadline = Date.now() + timeoutMs;
  while (stillRuns(leftover, stateDir)) {
    if (Date.now() > deadline) return false;
    await sleep(200);
  }
  return true;
}
