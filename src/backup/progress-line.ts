import { formatBytes } from "../system/byte-sizes.js";

/**
 * The line a backup logs every few seconds: how much, how fast, how long still. The estimate
 * divides what is left of `expected` (the datadir's size) by the rate so far; without an
 * expected size there is none.
 */
export function progressLine(
  id: string,
  counters: { bytesStreamed: number; bytesStored: number },
  elapsedMs: number,
  expectedBytes: number | null,
): string {
  const seconds = Math.max(elapsedMs, 1) / 1000;
  const rate = counters.bytesStreamed / seconds;
  let eta = "";
  if (expectedBytes !== null && rate > 0 && expectedBytes > counters.bytesStreamed) {
    eta = `, about ${formatDuration((expectedBytes - counters.bytesStreamed) / rate)} left`;
  } else if (expectedBytes !== null && rate > 0) {
    eta = ", nearly done";
  }
  const of = expectedBytes !== null ? ` of about ${formatBytes(expectedBytes)}` : "";
  return `backup ${id}: ${formatBytes(counters.bytesStreamed)}${of} read, ${formatBytes(counters.bytesStored)} stored, ${formatBytes(rate)}/s${eta}`;
}

/** How often a restore says its progress. */
export const restoreProgressEveryMs = 5_000;

/**
 * A restore's progress callback (restore-stream.ts's onBytes): at most every 5 s it says
 * `LABEL: 120 MB of 476 MB read, 85.2 MB/s, about 4 s left`, the estimate from the stored
 * size and the rate so far. The CLI prints it; the agent restoring a new cluster logs it.
 */
export function restoreProgress(
  label: string,
  storedBytes: number,
  say: (line: string) => void,
  now: () => number = Date.now,
): (read: number) => void {
  const startedAt = now();
  let saidAt = startedAt;
  return (read) => {
    const at = now();
    if (at - saidAt < restoreProgressEveryMs) return;
    saidAt = at;
    const rate = read / ((at - startedAt) / 1000);
    const left =
      storedBytes > read && rate > 0 ? `, about ${formatDuration((storedBytes - read) / rate)} left` : "";
    say(`${label}: ${formatBytes(read)} of ${formatBytes(storedBytes)} read, ${formatBytes(rate)}/s${left}`);
  };
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  if (seconds < 3600) return `${Math.ceil(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
