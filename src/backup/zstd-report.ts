/**
 * What zstd says it did, from its stderr at `-vv`: its last line of a stream is
 * "/*stdin*\ : 48.12%   (1288490188 B => 620000000 B, /*stdout*\)" (exact byte counts at
 * that level, rounded ones below it). The backup reads the mbstream's size there: the stream
 * goes from mariabackup to zstd directly, so nobody else counts it.
 */
const totalsLine = /\(\s*(\d+) B =>\s*(\d+) B, /;

export interface ZstdTotals {
  /** Bytes zstd read (the uncompressed stream). */
  read: number;
  /** Bytes zstd wrote (the compressed stream). */
  written: number;
}

/** The byte counts of zstd's last totals line in `stderr`, or null when it printed none. */
export function zstdTotals(stderr: string): ZstdTotals | null {
  const lines = stderr.split(/[\r\n]+/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const found = totalsLine.exec(lines[i]!);
    if (found) return { read: Number(found[1]), written: Number(found[2]) };
  }
  return null;
}
