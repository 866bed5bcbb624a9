// The processes a benchmark starts: waiting for them to exit, stopping them, reading their
// memory and logs, and making sure none outlives the benchmark.
import type { ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/** A child process and a promise of its exit, taken at once so that no exit goes unseen. */
export interface TrackedChild {
  process: ChildProcess;
  exited: Promise<void>;
}

export function track(child: ChildProcess): TrackedChild {
  return { process: child, exited: new Promise((resolve) => child.once("exit", () => resolve())) };
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Whether the child exits within timeoutMs. */
export async function exitsWithin(child: TrackedChild, timeoutMs: number): Promise<boolean> {
  // A plain sleep would keep the runner alive for the whole timeout after the child exits.
  const timeout = new AbortController();
  const exited = await Promise.race([
    child.exited.then(() => true),
    sleep(timeoutMs, false, { signal: timeout.signal }).catch(() => false),
  ]);
  timeout.abort();
  return exited;
}

/** Sends `signal` (SIGTERM unless told), then SIGKILL if the child has not exited within timeoutMs. */
export async function stopChild(
  child: TrackedChild,
  timeoutMs: number,
  signal: NodeJS.Signals = "SIGTERM",
): Promise<void> {
  if (hasExited(child.process)) return;
  child.process.kill(signal);
  if (!(await exitsWithin(child, timeoutMs))) {
    child.process.kill("SIGKILL");
    await child.exited;
  }
}

/** A process's resident memory (VmRSS) in KiB. */
export function vmRssKiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]);
}

/** The last `lines` lines of a log file, for an error message; "(no log)" when it cannot be read. */
export function logTail(file: string, lines: number): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Processes whose command line names our state dir (agents, mariadbd, haproxy): ours alone. */
function processesOf(stateDir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(stateDir)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

/** SIGKILLs every process still running from our state dir and waits until they are gone. */
export async function killStrays(stateDir: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const pids = processesOf(stateDir);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    if (Date.now() > deadline) throw new Error(`processes ${pids.join(", ")} survive SIGKILL`);
    await sleep(50);
  }
}
