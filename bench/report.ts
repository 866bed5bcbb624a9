// Helpers the benchmarks share to summarise repeated measurements and write BENCHMARKS.md.

/**
 * A markdown table padded as prettier pads one, so BENCHMARKS.md stays as prettier writes
 * it. Cells must not contain "|".
 */
export function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

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

/** "1.23 (1.10–1.40)": the median, then min–max, each with `digits` decimals. */
export function formatSpread(s: Spread, digits: number): string {
  if (s.n === 0) return "—";
  return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
}

/** A benchmark's goal and whether this run met it. */
export interface Goal {
  goal: string;
  met: boolean;
  detail: string;
}

/** The goals as BENCHMARKS.md lists them. */
export function goalsMarkdown(goals: readonly Goal[]): string {
  return goals.map((g) => `- ${g.goal}: ${g.met ? "**met**" : "**NOT met**"}, ${g.detail}.`).join("\n");
}

/** What `npm run bench` prints for a benchmark: its tables, then one line per goal. */
export function terminalSummary(tables: readonly string[], goals: readonly Goal[]): string {
  return [
    ...tables.flatMap((t, i) => (i === 0 ? [t] : ["", t])),
    "",
    ...goals.map((g) => `${g.met ? "met    " : "NOT MET"}  ${g.goal}: ${g.detail}`),
  ].join("\n");
}
