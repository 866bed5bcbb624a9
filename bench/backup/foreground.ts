// Part 2 of the backup benchmark: sysbench oltp_write_only through HAProxy with backups
// running during the window, against without, and against the same work done by the raw
// tools without galera-pilot (this machine's floor for the goal).
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { formatCpuUse, startCpuSampler } from "../harness/cpu-sampler.js";
import {
  downTransitions,
  downTransitionsByServer,
  renderedRouterConfig,
  writerMarkedUp,
} from "../harness/haproxy.js";
import { progress } from "../harness/progress.js";
import { repeatOnceOnFailure, rotated } from "../harness/rounds.js";
import { globalValue, sqlOn, viewCounter } from "../harness/sql.js";
import { measureSysbench } from "../harness/sysbench.js";
import {
  cpuLabel,
  dataset,
  foregroundSides,
  fsyncPath,
  load,
  mariabackupArgs,
  quote,
  refreshPids,
  run,
  runCli,
  syncDisks,
  waitAllSynced,
  warmUpSeconds,
  type Context,
  type ForegroundRun,
  type ForegroundSide,
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

/** Synced again, as its agent reports it (what HAProxy's checks follow) and as Galera does. */
async function backupNodeSynced(ctx: Context): Promise<boolean> {
  const status = await ctx.b.cluster.status();
  if (status.find((n) => n.name === ctx.backupNode.name)?.phase !== "synced") return false;
  return (await globalValue(ctx.backupNode.socket, "STATUS", "wsrep_local_state_comment")) === "Synced";
}

/**
 * The same work as the agent's backup done by the raw tools, without galera-pilot, again and
 * again until `done()`, each once the backup node is synced again: `SET GLOBAL wsrep_desync=ON`
 * on it, `nice -n 19 mariabackup … | nice -n 19 zstd -q -1 -T2 -c > FILE` (mariabackup with
 * the agent's arguments, FILE a new file of the destination folder), FILE and its folder
 * fsync'd, `SET GLOBAL wsrep_desync=OFF`, FILE removed. A span runs from the desync to its lift.
 */
async function rawBackupsUntil(ctx: Context, done: () => boolean): Promise<{ start: number; end: number }[]> {
  const spans: { start: number; end: number }[] = [];
  const log = join(ctx.b.stateDir, "raw-mariabackup.log");
  const desync = (on: boolean): Promise<unknown> =>
    sqlOn(ctx.backupNode.socket, `SET GLOBAL wsrep_desync=${on ? "ON" : "OFF"}`);
  while (!done()) {
    if (!(await backupNodeSynced(ctx))) {
      await sleep(250);
      continue;
    }
    const file = join(ctx.destination, `raw-foreground-${spans.length + 1}.mbstream.zst`);
    rmSync(file, { force: true });
    const scratch = mkdtempSync(join(ctx.b.stateDir, "raw-backup-scratch-"));
    const args = mariabackupArgs(ctx.backupNode, scratch).map(quote).join(" ");
    let failure: unknown = null;
    const start = performance.now();
    try {
      await desync(true);
      try {
        await run(
          "bash",
          [
            "-o",
            "pipefail",
            "-c",
            `nice -n 19 mariabackup ${args} | nice -n 19 zstd -q -1 -T2 -c > ${quote(file)}`,
          ],
          { stderrFile: log },
        );
        fsyncPath(file);
        fsyncPath(ctx.destination);
      } catch (error) {
        failure = new Error(
          `raw backup under load failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      // Lifted on every way out, as the agent does: a node left desynced would stay out of the pools.
      await desync(false);
    } catch (error) {
      failure ??= error;
    } finally {
      rmSync(file, { force: true });
      rmSync(scratch, { recursive: true, force: true });
    }
    if (failure !== null) throw failure;
    spans.push({ start, end: performance.now() });
  }
  return spans;
}

const sideText: Record<ForegroundSide, string> = {
  none: "without a backup",
  "galera-pilot": "with galera-pilot backups",
  raw: "with raw backups (mariabackup | zstd, no galera-pilot)",
};

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
  const writerUp = (): Promise<void> => writerMarkedUp(router);
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
    for (const side of rotated(foregroundSides, round - 1)) {
      const what = `round ${round} oltp_write_only ${sideText[side]}`;
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
          const running: Promise<{ start: number; end: number; id?: string }[]> =
            side === "galera-pilot"
              ? backupsUntil(ctx, () => ended)
              : side === "raw"
                ? rawBackupsUntil(ctx, () => ended)
                : Promise.resolve([]);
          const backups = running.then(
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
          for (const s of spans)
            if (s.id !== undefined) rmSync(join(ctx.destination, s.id), { recursive: true, force: true });
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
            backup: side,
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
