// Where the benchmarks find the repository. Resolved from this file's place in the build
// (dist/bench/harness/), so it holds wherever the repository is checked out.
import { fileURLToPath } from "node:url";

/** The repository's root: BENCHMARKS.md, bench-results/, RELIABILITY.md. */
export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
