// `npm run bench [-- NAME…]`: runs the registered benchmarks (all, or those named), prints
// each one's summary, writes bench-results/NAME.json and rewrites NAME's section of
// BENCHMARKS.md between its markers. Performance claims of this project come only from here.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { healthEndpointBenchmark } from "./health-endpoint.js";
import { recoveryBenchmark } from "./recovery.js";
import { failoverBenchmark } from "./failover.js";
import { sysbenchRoutingBenchmark } from "./sysbench-routing.js";
import { durabilityBenchmark } from "./durability.js";
import { localStartBenchmark } from "./local-start.js";
import { primaryStabilityBenchmark } from "./primary-stability.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

export interface Machine {
  cores: number;
  cpuModel: string;
  node: string;
  mariadb: string;
}

export interface BenchmarkOutput {
  /** Printed to the terminal. */
  summary: string;
  /** BENCHMARKS.md's section for this benchmark, markdown, without the markers. */
  section: string;
  /** Written to bench-results/NAME.json. */
  json: unknown;
}

/** Add a benchmark here: its name selects it on the command line and names its outputs. */
const benchmarks: Record<string, (machine: Machine) => Promise<BenchmarkOutput>> = {
  "health-endpoint": healthEndpointBenchmark,
  recovery: recoveryBenchmark,
  failover: failoverBenchmark,
  "sysbench-routing": sysbenchRoutingBenchmark,
  durability: durabilityBenchmark,
  "local-start": localStartBenchmark,
  "primary-stability": primaryStabilityBenchmark,
};

function machine(): Machine {
  const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1];
  const mariadbd = spawnSync("/usr/sbin/mariadbd", ["--version"], { encoding: "utf8" });
  return {
    cores: availableParallelism(),
    cpuModel: model ?? cpus()[0]?.model ?? "unknown",
    node: process.version,
    mariadb: /Ver\s+(\S+)/.exec(mariadbd.stdout ?? "")?.[1] ?? "unknown",
  };
}

/** Replaces NAME's section between its markers, or appends markers and section. */
function writeSection(name: string, section: string): void {
  const file = join(root, "BENCHMARKS.md");
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

async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !(name in benchmarks));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown benchmark ${unknown.join(", ")}; known: ${Object.keys(benchmarks).join(", ")}\n`,
    );
    return 2;
  }
  const m = machine();
  for (const name of wanted.length > 0 ? wanted : Object.keys(benchmarks)) {
    process.stdout.write(`bench: ${name}…\n`);
    const output = await benchmarks[name]!(m);
    process.stdout.write(`${output.summary}\n`);
    mkdirSync(join(root, "bench-results"), { recursive: true });
    writeFileSync(join(root, "bench-results", `${name}.json`), JSON.stringify(output.json, null, 2) + "\n");
    writeSection(name, output.section);
    process.stdout.write(`bench: wrote bench-results/${name}.json and its section of BENCHMARKS.md\n`);
  }
  return 0;
}

process.exitCode = await main();
