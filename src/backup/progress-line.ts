import { formatBytes } from "../system/byte-sizes.js";

/**
 * The line a backup or a restore logs every few seconds: how much, how fast, how long still.
 * The estimate divides what is left of `expected` (the datadir's size for a backup, the
 * stored size for a restore) by the rate so far; without an expected size there is none.
 */
export function progressLine(
  id: string,
  counters: { bytesStreamed: number; bytesStored: number },
  elapsedMs: number,
  expectedBytes: number | null,
  verb = "backup",
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
  return `${verb} ${id}: ${formatBytes(counters.bytesStreamed)}${of} read, ${formatBytes(counters.bytesStored)} stored, ${formatBytes(rate)}/s${eta}`;
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  if (seconds < 3600) return `${Math.ceil(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
