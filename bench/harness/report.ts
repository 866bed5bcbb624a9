// The text a benchmark writes: markdown tables padded as prettier pads them, spreads, goals,
// and the lines every section of BENCHMARKS.md opens with.
import type { Machine } from "./machine.js";
import type { Spread } from "./statistics.js";
import { inSeconds } from "./statistics.js";

/**
 * A markdown table padded as prettier pads one, so BENCHMARKS.md stays as prettier writes
 * it. Cells must not contain "|".
 */
export function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** "1.23 (1.10–1.40)": the median, then min–max, each with `digits` decimals; "—" for no value. */
export function formatSpread(s: Spread, digits: number): string {
  if (s.n === 0) return "—";
  return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
}

/** A spread of durations in ms, written in seconds. */
export function formatSeconds(ms: Spread, digits: number): string {
  return formatSpread(inSeconds(ms), digits);
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

/** One goal as the terminal shows it, aligned on the verdict. */
export function goalLine(g: Goal): string {
  return `${g.met ? "met    " : "NOT MET"}  ${g.goal}: ${g.detail}`;
}

/** What `npm run bench` prints for a benchmark: its tables, then one line per goal. */
export function terminalSummary(tables: readonly string[], goals: readonly Goal[]): string {
  return [...tables.flatMap((t, i) => (i === 0 ? [t] : ["", t])), "", ...goals.map(goalLine)].join("\n");
}

/** "Measured DATE on 2 cores (CPU), Node vX, mariadbd Y": a section's first line, without its full stop. */
export function measuredOn(date: string, m: Machine): string {
  return `Measured ${date} on ${m.cores} cores (${m.cpuModel}), Node ${m.node}, mariadbd ${m.mariadb}`;
}

/** A section's second line: the command that measured it. */
export function reproduceWith(command: string): string {
  return `Reproduce with \`${command}\` (\`npm run bench\` runs it with the others).`;
}

/** The runs that failed and were measured again, each named by `what`; every failure is a finding. */
export function failedRunsText<F extends { error: string }>(
  failures: readonly F[],
  what: (f: F) => string,
): string {
  return failures.length === 0
    ? "No run failed."
    : `Runs that failed and were repeated: ${failures.map((f) => `${what(f)}: ${f.error.split("\n")[0]}`).join("; ")}.`;
}
