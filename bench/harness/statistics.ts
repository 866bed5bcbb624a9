// Summaries of repeated measurements: every figure in BENCHMARKS.md is a median with its
// min–max, or a median of per-round ratios.

/** Median, min and max of repeated measurements. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function spread(values: readonly number[]): Spread {
  return {
    median: median(values),
    min: values.length ? Math.min(...values) : Number.NaN,
    max: values.length ? Math.max(...values) : Number.NaN,
    n: values.length,
  };
}

/** The same spread in another unit: `f` applied to its median, min and max. */
export function mapSpread(s: Spread, f: (value: number) => number): Spread {
  return { median: f(s.median), min: f(s.min), max: f(s.max), n: s.n };
}

/** A spread of durations in ms, in seconds. */
export function inSeconds(ms: Spread): Spread {
  return mapSpread(ms, (x) => x / 1000);
}

/**
 * `f` of each measurement and the other side's of the same round, for the rounds where both
 * sides have one. Both ran back to back on the same machine: their ratio moves less with the
 * machine's other load than the ratio of the medians does.
 */
export function pairedByRound<A extends { round: number }, B extends { round: number }>(
  sides: readonly A[],
  others: readonly B[],
  f: (side: A, other: B) => number,
): number[] {
  return sides.flatMap((a) => {
    const b = others.find((x) => x.round === a.round);
    return b ? [f(a, b)] : [];
  });
}
