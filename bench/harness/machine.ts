// The machine a benchmark ran on, as every section of BENCHMARKS.md names it.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { mariadbdPath } from "./mariadbd.js";

export interface Machine {
  cores: number;
  cpuModel: string;
  node: string;
  mariadb: string;
}

export function describeMachine(): Machine {
  const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1];
  const mariadbd = spawnSync(mariadbdPath, ["--version"], { encoding: "utf8" });
  return {
    cores: availableParallelism(),
    cpuModel: model ?? cpus()[0]?.model ?? "unknown",
    node: process.version,
    mariadb: /Ver\s+(\S+)/.exec(mariadbd.stdout ?? "")?.[1] ?? "unknown",
  };
}
