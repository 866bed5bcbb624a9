/**
 * How many bytes a running process has read so far, as Linux counts its read calls
 * (/proc/PID/io, "rchar"): a progress figure for a child whose input the agent does not
 * see (zstd reading mariabackup's stream straight from a pipe). It also counts the few
 * bytes the process read while starting (its libraries' headers): a progress figure, not an
 * exact total.
 */
import { readFileSync } from "node:fs";

/** Bytes read so far by process `pid`, or null when it is gone or /proc does not say. */
export function bytesReadBy(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const found = /^rchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, "latin1"));
    return found ? Number(found[1]) : null;
  } catch {
    return null;
  }
}
