// Part 2 of the backup benchmark: sysbench oltp_write_only through HAProxy with backups
// running during the window, against without.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { formatCpuUse, startCpuSampler } from "../harness/cpu-sampler.js";
import {
  downTransitions,
  downTransitionsByServer,
  renderedRouterConfig,
  serverStates,
} from "../harness/haproxy.js";
import { progress } from "../harness/progress.js";
import { repeatOnceOnFailure, rotated } from "../harness/rounds.js";
import { globalValue, viewCounter } from "../harness/sql.js";
import { measureSysbench } from "../harness/sysbench.js";
import {
  cpuLabel,
  dataset,
  load,
  refreshPids,
  runCli,
  syncDisks,
  waitAllSynced,
  warmUpSeconds,
  type Context,
  type ForegroundRun,
} from "./common.js";

const routerAddress = "127.0.66.1";
const routerPort = 3306;

/** `galera-pilot backup` again and again until `done()`, each once the backup node is synced again. */
async function backupsUntil(
  ctx: Context,
  done: () => boolean,
): Promise<{ start: number; end: number; id: string }[]> {
  const spans: { start: number; end: number; id: string }[] = [];
  while (!done()) {
    const status = await ctx.b.cluster.status();
    if (status.find((n) => n.name === ctx.backupNode.name)?.phase !== "synced") {
      await sleep(250);
      continue;
    }
    const cli = await runCli(["backup", "--nodes", ctx.agents, "--node", ctx.backupNode.name], ctx.cliEnv, [
      /^backup \S+ is complete /m,
    ]);
    const id = /^backup (\S+) started on /m.exec(cli.stdout)?.[1];
    // 3: refused by the rules (the node's agent did not see it synced yet): asked again.
    if (cli.exitCode === 3) continue;
    if (cli.exitCode !== 0 || id === undefined) {
      throw new Error(
        `galera-pilot backup under load exited ${cli.exitCode}: ${(cli.stderr + cli.stdout).trim().slice(-600)}`,
      );
    }
    spans.push({ start: cli.startedAt, end: cli.seen[0] ?? cli.endedAt, id });
  }
  return spans;
}

export async function measureForeground(
  ctx: Context,
  rounds: number,
  noteFailure: (what: string, error: string) => void,
): Promise<ForegroundRun[]> {
  const router = await ctx.b.haproxy("router", (statsSocket) =>
    renderedRouterConfig(ctx.b.cluster.layout, { address: routerAddress, port: routerPort }, statsSocket, {
      // As the local cluster's router: one machine for HAProxy, the nodes and sysbench.
      threads: 1,
    }),
  );
  // HAProxy sends writes nowhere while no writer passed its checks: at its start, and after
  // it marked the writer DOWN (a run that failed so is repeated once the writer is back).
  const writerUp = async (): Promise<void> => {
    const deadline = Date.now() + 60_000;
    while (![...(await serverStates(router, "galera_writer")).values()].includes("UP")) {
      if (Date.now() > deadline) throw new Error("HAProxy marked no writer UP within 60 s");
      await sleep(200);
    }
  };
  const routerDowns = async (): Promise<{ writer: number; backupNode: number; others: number }> => {
    const readers = await downTransitionsByServer(router, "galera_readers");
    const backupNode = readers.get(ctx.backupNode.name) ?? 0;
    const all = [...readers.values()].reduce((a, b) => a + b, 0);
    return { writer: await downTransitions(router, "galera_writer"), backupNode, others: all - backupNode };
  };
  await writerUp();
  const target = { host: routerAddress, port: routerPort, ...ctx.b.credentials };
  const sysbenchLoad = { ...dataset, ...load };
  progress(`warm-up: oltp_write_only through HAProxy for ${warmUpSeconds} s`);
  await measureSysbench(ctx.b.stateDir, target, "oltp_write_only", {
    ...sysbenchLoad,
    seconds: warmUpSeconds,
  });
  const runs: ForegroundRun[] = [];
  let position = 0;
  for (let round = 1; round <= rounds; round++) {
    for (const withBackup of rotated([false, true], round - 1)) {
      const what = `round ${round} oltp_write_only ${withBackup ? "with backups" : "without a backup"}`;
      const record = await repeatOnceOnFailure(
        what,
        async (): Promise<ForegroundRun> => {
          await waitAllSynced(ctx);
          await refreshPids(ctx);
          syncDisks();
          const confBefore = await viewCounter(ctx.writer.socket);
          const pausesBefore = Number(
            await globalValue(ctx.writer.socket, "STATUS", "wsrep_flow_control_recv"),
          );
          const downsBefore = await routerDowns();
          const sampler = startCpuSampler(cpuLabel(ctx));
          let ended = false;
          const windowStart = performance.now();
          const measured = measureSysbench(ctx.b.stateDir, target, "oltp_write_only", sysbenchLoad).finally(
            () => {
              ended = true;
            },
          );
          // Settled at once: a backup that fails while sysbench runs is an error of this run, not an unhandled one.
          const backups = (withBackup ? backupsUntil(ctx, () => ended) : Promise.resolve([])).then(
            (spans) => ({ spans }),
            (error: unknown) => ({ error }),
          );
          const outcome = await measured.then(
            (result) => ({ result }),
            (error: unknown) => ({ error }),
          );
          const cpu = sampler.stop();
          const windowEnd = performance.now();
          const backupsEnded = await backups;
          if ("error" in outcome) {
            // One line for the failures' list: sysbench's first FATAL, and what HAProxy did meanwhile.
            const text = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
            const fatal = /^FATAL: (.*)$/m.exec(text)?.[1] ?? text.split("\n")[0];
            throw new Error(
              `sysbench failed after ${((windowEnd - windowStart) / 1000).toFixed(0)} s (${fatal}); HAProxy marked the writer DOWN ${(await routerDowns()).writer - downsBefore.writer} times meanwhile\n${text}`,
            );
          }
          if ("error" in backupsEnded) throw backupsEnded.error;
          const { result } = outcome;
          const { spans } = backupsEnded;
          for (const s of spans) rmSync(join(ctx.destination, s.id), { recursive: true, force: true });
          const covered = spans.reduce(
            (sum, s) => sum + Math.max(0, Math.min(s.end, windowEnd) - Math.max(s.start, windowStart)),
            0,
          );
          const confAfter = await viewCounter(ctx.writer.socket);
          const pausesAfter = Number(
            await globalValue(ctx.writer.socket, "STATUS", "wsrep_flow_control_recv"),
          );
          const downsAfter = await routerDowns();
          return {
            ...result,
            flowControlPauses: pausesAfter - pausesBefore,
            writerDowns: downsAfter.writer - downsBefore.writer,
            readerDowns: {
              backupNode: downsAfter.backupNode - downsBefore.backupNode,
              others: downsAfter.others - downsBefore.others,
            },
            withBackup,
            round,
            position: 0,
            backups: spans.length,
            coveredPercent: (100 * covered) / (windowEnd - windowStart),
            viewChanges: confAfter - confBefore,
            cpu,
          };
        },
        (error) => noteFailure(what, error),
        writerUp,
      );
      record.position = ++position;
      runs.push(record);
      progress(
        `${what}: ${record.tps.toFixed(1)} tps, p95 ${record.latencyP95Ms} ms, ${record.backups} backups covering ${record.coveredPercent.toFixed(0)} % of the window, writer DOWN ${record.writerDowns}, readers DOWN ${record.readerDowns.backupNode} (backup node) + ${record.readerDowns.others}; cores: ${formatCpuUse(record.cpu)}`,
      );
    }
  }
  return runs;
}
