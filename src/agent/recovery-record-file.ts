/**
 * The recovery record's file (src/decide/recovery-record.ts): `recovery-record.json` in the
 * run directory, so that a restarted agent knows how its recovery went so far. The run
 * directory, not the datadir: the record is the agent's, and a state transfer that empties the
 * datadir must not take it along. In a container whose run directory is not on a volume it
 * does not survive a restart of the container (docs/recovery.md says so).
 */
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname } from "node:path";
import type { RecoveryRecord } from "../decide/recovery-record.js";
import { runPaths } from "./run-paths.js";

type RecordSchema = typeof import("../decide/recovery-record-schema.js");

/**
 * The record the last agent left, null when it left none, or what is wrong with the file (a
 * torn write, another version's record, a file that cannot be read) for the agent to log once:
 * its next write replaces it. Never throws. The schema (and valibot, 10–20 ms to load) is
 * loaded only when there is a file to check.
 */
export async function readRecoveryRecord(
  runDir: string,
): Promise<RecoveryRecord | null | { problem: string }> {
  const path = runPaths(runDir).recoveryRecord;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    return { problem: (error as Error).message };
  }
  const schema: RecordSchema = await import("../decide/recovery-record-schema.js");
  return schema.parseRecoveryRecord(text);
}

/**
 * Writes the record whole or not at all: into a temporary file beside it, flushed to disk,
 * then renamed over the old one (and the directory flushed, so the rename survives a power
 * loss too). A kill at any moment leaves the old record or the new one, never half of one.
 * `writtenAt` is set to `now`. Readable by all (0644): it holds no secret, only decisions and
 * times. Throws what the file system said; the caller goes on without the record.
 */
export function writeRecoveryRecord(runDir: string, record: RecoveryRecord, now = Date.now()): void {
  const path = runPaths(runDir).recoveryRecord;
  // One name, not one per process: a temporary file a killed agent left is overwritten here.
  const temporary = `${path}.tmp`;
  const text = `${JSON.stringify({ ...record, writtenAt: now })}\n`;
  try {
    const fd = openSync(temporary, "w", 0o644);
    try {
      // The mode given to open is cut by the umask, and a leftover keeps its old mode.
      fchmodSync(fd, 0o644);
      writeFileSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    // What the file system said is the error to report, not a failed cleanup after it.
    try {
      rmSync(temporary, { force: true });
    } catch {
      // left for the next write to overwrite
    }
    throw error;
  }
  flushDirectory(dirname(path));
}

/** Makes a rename in this directory durable; a file system that cannot flush a directory is left to its own. */
function flushDirectory(directory: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(directory, "r");
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a directory (EINVAL): the rename stands, not yet on disk.
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
