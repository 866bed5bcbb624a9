// Where the benchmarks find the repository and the agent they run, and where they keep their
// own state. Resolved from this file's place in the build (dist/bench/harness/), so they hold
// wherever the repository is checked out.
import { chmodSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root: BENCHMARKS.md, bench-results/, RELIABILITY.md. */
export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** The galera-pilot CLI as built (dist/src/cli/main.js): the agents and `local up` run from it. */
export const agentEntry = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));

/** A new temp dir gp-bench-NAME-…, open to mariadbd, which runs as mysql and must traverse it. */
export function newStateDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `gp-bench-${name}-`));
  chmodSync(dir, 0o755);
  return dir;
}
