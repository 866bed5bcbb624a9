import { join } from "node:path";
import { describeProcesses, nodeNumber, type StateDirProcess } from "./state-dir-processes.js";

/** Nodes seen so far that no longer run, last node first (the order `down` stops them). Pure. */
export function stoppedNodes(seen: Iterable<string>, running: readonly StateDirProcess[]): string[] {
  const still = new Set(running.map((p) => p.node));
  return [...new Set(seen)].filter((n) => !still.has(n)).sort((a, b) => nodeNumber(b) - nodeNumber(a));
}

/** `down`'s progress line: what still runs and which nodes stopped. Pure. */
export function formatDownProgress(
  running: readonly StateDirProcess[],
  seen: Iterable<string>,
  elapsedMs: number,
): string {
  const stopped = stoppedNodes(seen, running);
  return `down: ${Math.round(elapsedMs / 1000)} s, still running: ${describeProcesses(running)}${stopped.length > 0 ? `; stopped: ${stopped.join(", ")}` : ""}`;
}

/** `down`'s last line when everything stopped: the nodes and whether HAProxy was seen. Pure. */
export function formatDownDone(
  seen: Iterable<string>,
  sawHaproxy: boolean,
  elapsedMs: number,
  stateDir: string,
): string {
  const nodes = stoppedNodes(seen, []).reverse();
  const parts = [
    ...(nodes.length > 0
      ? [`${nodes.join(", ")} (${nodes.length === 1 ? "agent and mariadbd" : "agents and mariadbd"})`]
      : []),
    ...(sawHaproxy ? ["HAProxy"] : []),
  ];
  const what = parts.length > 0 ? parts.join(" and ") : "the runner";
  return `down: stopped after ${(elapsedMs / 1000).toFixed(1)} s: ${what}; nothing of ${stateDir} runs; \`npm start\` brings the same data back`;
}

/**
 * The one-line error of a `down` that ran out of time: what still runs, that nothing was
 * killed, and what to do. Pure.
 */
export function downTimeoutMessage(
  running: readonly StateDirProcess[],
  timeoutSeconds: number,
  stateDir: string,
  runnerAnswered: boolean,
): string {
  const slowest = [...running]
    .filter((p) => p.node !== null)
    .sort((a, b) => nodeNumber(b.node) - nodeNumber(a.node))[0]?.node;
  const log = slowest ? `; ${join(stateDir, slowest, "agent.log")} says why ${slowest} is slow` : "";
  const runner = running.find((p) => p.kind === "runner");
  const next = !runner
    ? `no runner is left to stop them and they did not stop after SIGTERM${log}; then stop them with kill PID`
    : !runnerAnswered
      ? `the runner never answered on ${join(stateDir, "runner.sock")}: look at its output, then stop it with kill -INT ${runner.pid} (it stops every node cleanly, as Ctrl-C does)`
      : `the runner goes on stopping them cleanly (a mariadbd is killed only after its stop timeout, 120 s): run \`galera-pilot down\` again to wait longer (--timeout S)${log}`;
  return `the local cluster did not stop within ${timeoutSeconds} s: still running: ${describeProcesses(running)}; this command killed nothing, so no acknowledged write is at risk; ${next}`;
}
