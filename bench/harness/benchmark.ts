// What a benchmark is to `npm run bench`: a function of the machine that measures, then gives
// back what the runner prints and writes.
import type { Machine } from "./machine.js";

export interface BenchmarkOutput {
  /** Printed to the terminal. */
  summary: string;
  /** BENCHMARKS.md's section for this benchmark, markdown, without the markers. */
  section: string;
  /** Written to bench-results/NAME.json. */
  json: unknown;
}

export type Benchmark = (machine: Machine) => Promise<BenchmarkOutput>;
