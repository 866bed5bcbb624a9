// `npm run bench [-- NAME…]`: runs the registered benchmarks (all, or those named), prints
// each one's summary, writes bench-results/NAME.json and rewrites NAME's section of
// BENCHMARKS.md between its markers. Performance claims of this project come only from here.
import type { Benchmark } from "./harness/benchmark.js";
import { describeMachine } from "./harness/machine.js";
import { writeResultJson, writeSection } from "./harness/results-files.js";
import { healthEndpointBenchmark } from "./health-endpoint.js";
import { recoveryBenchmark } from "./recovery.js";
import { failoverBenchmark } from "./failover.js";
import { sysbenchRoutingBenchmark } from "./sysbench-routing.js";
import { durabilityBenchmark } from "./durability.js";
import { localStartBenchmark } from "./local-start.js";
import { primaryStabilityBenchmark } from "./primary-stability.js";
import { backupBenchmark } from "./backup.js";
import { pitrBenchmark } from "./pitr.js";

/** Add a benchmark here: its name selects it on the command line and names its outputs. */
const benchmarks: Record<string, Benchmark> = {
  "health-endpoint": healthEndpointBenchmark,
  recovery: recoveryBenchmark,
  failover: failoverBenchmark,
  "sysbench-routing": sysbenchRoutingBenchmark,
  durability: durabilityBenchmark,
  "local-start": localStartBenchmark,
  "primary-stability": primaryStabilityBenchmark,
  backup: backupBenchmark,
  pitr: pitrBenchmark,
};

async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  // Any other word (--help too) is refused with the list of names, before anything runs.
  const unknown = wanted.filter((name) => !(name in benchmarks));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown benchmark ${unknown.join(", ")}; known: ${Object.keys(benchmarks).join(", ")}\n`,
    );
    return 2;
  }
  const m = describeMachine();
  for (const name of wanted.length > 0 ? wanted : Object.keys(benchmarks)) {
    process.stdout.write(`bench: ${name}…\n`);
    const output = await benchmarks[name]!(m);
    process.stdout.write(`${output.summary}\n`);
    writeResultJson(name, output.json);
    writeSection(name, output.section);
    process.stdout.write(`bench: wrote bench-results/${name}.json and its section of BENCHMARKS.md\n`);
  }
  return 0;
}

process.exitCode = await main();
