/**
 * The join record (src/decide/last-start.ts): written before every start of mariadbd that is
 * not a bootstrap, removed once the node is Synced, read at the next start. Two copies:
 * - in the run directory (`state-transfer-pending`), which a state transfer never touches, so
 *   a datadir it left half-filled is known as ours (src/mysqld/datadir.ts);
 * - in the datadir (`galera-pilot-join.json`), which travels with the data where the run
 *   directory does not survive a restart (a container's /run). A state snapshot deletes it
 *   with the rest of the datadir, but Galera's zero UUID in grastate.dat says as much then.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { JoinRecord } from "../decide/last-start.js";
import { runPaths } from "./run-paths.js";

const datadirName = "galera-pilot-join.json";

function paths(runDir: string, datadir: string): string[] {
  return [join(datadir, datadirName), runPaths(runDir).stateTransferMarker];
}

/** gvwstate.dat's text, or null when it is absent. */
export function readGvwstateText(datadir: string): string | null {
  const path = join(datadir, "gvwstate.dat");
  return existsSync(path) ? readFileSync(path, "utf8") : null;
}

/** Records that mariadbd starts, not as a bootstrap, with gvwstate.dat as it is now. */
export function writeJoinRecord(runDir: string, datadir: string): void {
  const text = `${JSON.stringify({ datadir, gvwstateAtStart: readGvwstateText(datadir) })}\n`;
  // No secret inside; readable, so that nothing reading the datadir as mysql trips on it.
  for (const path of paths(runDir, datadir)) writeFileSync(path, text, { mode: 0o644 });
}

/**
 * The record of a start that never reached Synced, or null when there is none. A record that
 * cannot be read whole (an older agent's marker, a torn write) still says the start never
 * synced; what gvwstate.dat was then is "unknown".
 */
export function readJoinRecord(runDir: string, datadir: string): JoinRecord | null {
  const present = paths(runDir, datadir).filter((path) => existsSync(path));
  if (present.length === 0) return null;
  for (const path of present) {
    try {
      const parsed = JSON.parse(readFileSync(path, "utf8")) as { gvwstateAtStart?: unknown };
      const at = parsed.gvwstateAtStart;
      if (at === null || typeof at === "string") return { gvwstateAtStart: at };
    } catch {
      // the other copy may be whole
    }
  }
  return { gvwstateAtStart: "unknown" };
}

/** The node is Synced: its views from now on are ones it holds the data of. */
export function clearJoinRecord(runDir: string, datadir: string): void {
  for (const path of paths(runDir, datadir)) rmSync(path, { force: true });
}
