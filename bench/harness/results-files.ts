// Where a benchmark's results land: its section of BENCHMARKS.md, between its markers, and
// its measurements in bench-results/NAME.json.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./paths.js";

/** Replaces NAME's section between its markers, or appends markers and section. */
export function writeSection(name: string, section: string): void {
  const file = join(repoRoot, "BENCHMARKS.md");
  const begin = `<!-- bench:${name}:begin -->`;
  const end = `<!-- bench:${name}:end -->`;
  const text = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
  const block = `${begin}\n\n${section.trim()}\n\n${end}`;
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  const next =
    from >= 0 && to > from
      ? text.slice(0, from) + block + text.slice(to + end.length)
      : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
}

/** bench-results/NAME.json, its folder created (it is not committed). */
export function resultJsonPath(name: string): string {
  mkdirSync(join(repoRoot, "bench-results"), { recursive: true });
  return join(repoRoot, "bench-results", `${name}.json`);
}

export function writeResultJson(name: string, json: unknown): void {
  writeFileSync(resultJsonPath(name), JSON.stringify(json, null, 2) + "\n");
}
