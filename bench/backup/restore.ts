// Part 3 of the backup benchmark: `galera-pilot restore` against raw `zstd -d | mbstream -x`,
// `mariabackup --prepare` and `--move-back` of the same stored backup.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { formatCpuUse, startCpuSampler } from "../harness/cpu-sampler.js";
import { progress } from "../harness/progress.js";
import { repeatOnceOnFailure, rotated } from "../harness/rounds.js";
import {
  cpuLabel,
  quote,
  refreshPids,
  run,
  runCli,
  syncDisks,
  type Context,
  type RestoreRun,
} from "./common.js";

export async function measureRestores(
  ctx: Context,
  rounds: number,
  id: string,
  storedFile: string,
  noteFailure: (what: string, error: string) => void,
): Promise<RestoreRun[]> {
  const runs: RestoreRun[] = [];
  const base = join(ctx.b.stateDir, "restores");
  mkdirSync(base, { recursive: true });
  let position = 0;
  for (let round = 1; round <= rounds; round++) {
    for (const side of rotated(["galera-pilot", "raw"] as const, round - 1)) {
      const what = `round ${round} ${side} restore`;
      const target = join(base, `${side}-${round}`);
      const record = await repeatOnceOnFailure(
        what,
        async (): Promise<RestoreRun> => {
          rmSync(target, { recursive: true, force: true });
          syncDisks();
          await refreshPids(ctx);
          const sampler = startCpuSampler(cpuLabel(ctx));
          const startedAt = performance.now();
          try {
            if (side === "galera-pilot") {
              const cli = await runCli(
                ["restore", "--from", id, "--datadir", target, "--destination", ctx.destination],
                ctx.cliEnv,
              );
              if (cli.exitCode !== 0)
                throw new Error(
                  `galera-pilot restore exited ${cli.exitCode}: ${cli.stderr.trim().slice(-600)}`,
                );
              const seconds = (cli.endedAt - cli.startedAt) / 1000;
              return { side, round, position: 0, seconds, phases: null, cpu: sampler.stop() };
            }
            const scratch = mkdtempSync(join(base, ".raw-scratch-"));
            try {
              await run("bash", [
                "-o",
                "pipefail",
                "-c",
                `zstd -q -d -c ${quote(storedFile)} | mbstream -x -C ${quote(scratch)}`,
              ]);
              const unpackedAt = performance.now();
              await run("mariabackup", ["--prepare", `--target-dir=${scratch}`]);
              const preparedAt = performance.now();
              mkdirSync(target);
              await run("mariabackup", [
                `--defaults-file=${join(scratch, "backup-my.cnf")}`,
                "--move-back",
                `--target-dir=${scratch}`,
                `--datadir=${target}/`,
              ]);
              const movedAt = performance.now();
              return {
                side,
                round,
                position: 0,
                seconds: (movedAt - startedAt) / 1000,
                phases: {
                  unpack: (unpackedAt - startedAt) / 1000,
                  prepare: (preparedAt - unpackedAt) / 1000,
                  moveBack: (movedAt - preparedAt) / 1000,
                },
                cpu: sampler.stop(),
              };
            } finally {
              rmSync(scratch, { recursive: true, force: true });
            }
          } finally {
            sampler.stop();
            rmSync(target, { recursive: true, force: true });
          }
        },
        (error) => noteFailure(what, error),
      );
      record.position = ++position;
      runs.push(record);
      const phases = record.phases
        ? ` (unpack ${record.phases.unpack.toFixed(2)} s, prepare ${record.phases.prepare.toFixed(2)} s, move-back ${record.phases.moveBack.toFixed(2)} s)`
        : "";
      progress(`${what}: ${record.seconds.toFixed(2)} s${phases}; cores: ${formatCpuUse(record.cpu)}`);
    }
  }
  return runs;
}
