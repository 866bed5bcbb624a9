import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** A process that names a state folder in its command line or its environment. */
export interface FolderProcess {
  pid: number;
  argv: string[];
}

/**
 * Every process that names `stateDir` in its command line (mariadbd's --defaults-file,
 * HAProxy's -f, the runner's --state-dir) or its environment (the agents'
 * GALERA_PILOT_DATADIR): what the tests count as "of this cluster". Independent of the
 * product's own leftover finder, so it checks that finder too. Not this process.
 */
export function processesOf(stateDir: string): FolderProcess[] {
  const found: FolderProcess[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(join("/proc", entry, "cmdline"), "utf8");
      if (cmdline === "") continue;
      let environ = "";
      try {
        environ = readFileSync(join("/proc", entry, "environ"), "utf8");
      } catch {
        // Gone, or not readable: the command line decides.
      }
      const named = (text: string): boolean =>
        text.split("\0").some((part) => part.includes(`${stateDir}/`) || part.endsWith(stateDir));
      if (named(cmdline) || named(environ)) {
        found.push({ pid: Number(entry), argv: cmdline.split("\0").filter((a) => a !== "") });
      }
    } catch {
      // The process ended while it was read.
    }
  }
  return found;
}

/** "pid argv…" lines, for assertion messages. */
export function listing(processes: readonly FolderProcess[]): string {
  return processes.map((p) => `${p.pid} ${p.argv.join(" ")}`).join("\n");
}

/** Whether a pid still runs the same command line (pids are reused). */
export function stillRunning(process: FolderProcess): boolean {
  try {
    return (
      readFileSync(`/proc/${process.pid}/cmdline`, "utf8")
        .split("\0")
        .filter((a) => a !== "")
        .join(" ") === process.argv.join(" ")
    );
  } catch {
    return false;
  }
}

/** A node's grastate.dat: its seqno (-1 after a crash, the last committed one after a clean stop) and uuid. */
export function grastate(datadir: string): { uuid: string; seqno: number; safeToBootstrap: number } {
  const text = readFileSync(join(datadir, "grastate.dat"), "utf8");
  const field = (name: string): string => new RegExp(`^${name}:\\s*(\\S+)`, "m").exec(text)?.[1] ?? "";
  return {
    uuid: field("uuid"),
    seqno: Number(field("seqno")),
    safeToBootstrap: Number(field("safe_to_bootstrap")),
  };
}
