import { readdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { BadInputError, GaleraPilotError, ExitCode } from "../errors.js";
import { controlRequest, startControlServer, type LocalClusterStatus } from "../local/control-server.js";
import { LocalCluster, localBackupFolder } from "../local/local-cluster.js";
import { readCatalog } from "../backup/backup-catalog.js";
import { backupSummary, backupSummaryLine, type BackupSummary } from "../decide/backup-summary.js";
import { DirectoryDestination } from "../destination/directory-destination.js";
import { writeClientConfig } from "../local/local-secrets.js";
import { LocalRouter, sizeWarning, writerPort } from "../local/local-router.js";
import { formatStatusTable } from "../local/status-table.js";
import { Dashboard, dashboardPort } from "../dashboard/dashboard-server.js";
import { stopLeftovers } from "../local/leftovers.js";
import { describeProcesses, findStateDirProcesses } from "../local/state-dir-processes.js";
import { downTimeoutMessage, formatDownDone, formatDownProgress } from "../local/down-progress.js";
import type { LocalFlags } from "./local-flags.js";

const agentEntry = fileURLToPath(new URL("./main.js", import.meta.url));
const controlSocket = (stateDir: string): string => join(stateDir, "runner.sock");
const healthPort = 8080;

/** `galera-pilot local up` (what `npm start` runs): the cluster in the foreground until Ctrl-C. */
export async function localUp(flags: LocalFlags): Promise<number> {
  const startedAt = Date.now();
  const say = (line: string): void => console.log(`[local] ${line}`);
  // Whoever read our output went away (a closed pipe): keep supervising the cluster rather
  // than die on EPIPE and leave its nodes without a supervisor. Ctrl-C or `down` still stop it.
  process.stdout.on("error", () => undefined);
  await refuseSecondRunner(flags.stateDir);
  const warning = sizeWarning(flags.nodes);
  if (warning) say(`warning: ${warning}`);
  // What a runner that was killed left (its agents could not notice: an older version, or
  // one that did not start in time) holds the ports and the datadirs: stopped cleanly first.
  const stuck = await stopLeftovers(flags.stateDir, { log: say });
  if (stuck.length > 0) {
    throw new GaleraPilotError(
      `processes of ${flags.stateDir} left by an earlier runner did not stop after SIGTERM: ${describeProcesses(stuck)}; none was killed and nothing was started, so no data is at risk; see their agent.log, stop them (kill PID), then start again`,
      ExitCode.refused,
    );
  }
  if (flags.restoreFrom !== null) refuseRestoreOverData(flags.stateDir, flags.nodes, flags.restoreFrom);
  let router: LocalRouter | null = null;
  const cluster = new LocalCluster({
    stateDir: flags.stateDir,
    nodeCount: flags.nodes,
    firstAddress: flags.firstAddress,
    healthPort,
    agentEntry,
    log: say,
    // The read pool must never serve a donor (stale reads while it is desynced); the local
    // runner is no Marathon, so `/` answering 503 on a donor kills nothing.
    agentEnv: {
      GALERA_PILOT_DONOR_AVAILABLE: "no",
      ...(flags.durability ? { GALERA_PILOT_DURABILITY: flags.durability } : {}),
      // Every agent carries it; the one the rules choose to bootstrap restores (docs/backups.md).
      ...(flags.restoreFrom ? { GALERA_PILOT_RESTORE_FROM: flags.restoreFrom } : {}),
    },
    router: {
      beforePlannedStop: (name) => router?.hooks.beforePlannedStop(name) ?? Promise.resolve(),
      afterSynced: (name) => router?.hooks.afterSynced(name) ?? Promise.resolve(),
    },
  });
  const localRouter = new LocalRouter({
    stateDir: flags.stateDir,
    address: flags.routerAddress,
    healthPort,
    layout: cluster.layout,
    log: say,
  });
  router = localRouter;
  const clientConfig = writeClientConfig(flags.stateDir, cluster.secrets, flags.routerAddress, writerPort);
  const proxy = router.endpoints;
  const dashboard = new Dashboard({
    status: () => cluster.status(),
    showStat: () => localRouter.process.runtime("show stat"),
    healthPort,
    // Read every poll, so a backup's start and end show within a second.
    backups: async () => (await localBackups(flags.stateDir, true))?.line ?? null,
  });
  // Progress: every change the dashboard's timeline records is also a line here.
  dashboard.onEvent((event) => say(`${event.node}: ${event.text}`));
  const dashboardUrl = await dashboard.listen(flags.routerAddress, dashboardPort);
  const describe = async (): Promise<LocalClusterStatus> => ({
    nodes: await cluster.status(),
    proxy,
    clientConfig,
    dashboard: dashboardUrl,
  });

  let downRequested: (() => void) | null = null;
  const down = new Promise<void>((resolve) => (downRequested = resolve));
  const requestDown = (): void => downRequested?.();
  const control = await startControlServer(controlSocket(flags.stateDir), cluster, describe, requestDown, {
    scale: async (count) => {
      const warn = sizeWarning(count);
      if (warn) say(`warning: ${warn}`);
      say(`scaling from ${cluster.layout.length} to ${count} nodes`);
      await cluster.scale(count, (layout, added) => localRouter.membershipChanged(layout, added));
      await cluster.waitFor(
        (s) => s.every((n) => n.phase === "synced" && n.clusterSize === count),
        600_000,
        `${count} of ${count} synced`,
      );
      say(`${count} of ${count} nodes synced`);
      return warn;
    },
    restartRolling: () => cluster.restartRolling(300_000, say),
  });
  process.on("SIGINT", requestDown);
  process.on("SIGTERM", requestDown);

  say(`state folder ${flags.stateDir}; ${flags.nodes} nodes from ${flags.firstAddress}`);
  const upAndSynced = (async () => {
    await localRouter.process.start();
    dashboard.start();
    await cluster.up();
    await cluster.waitFor(
      (s) => s.every((n) => n.phase === "synced" && n.clusterSize === flags.nodes),
      600_000,
      `${flags.nodes} of ${flags.nodes} synced`,
    );
    say(
      `${flags.nodes} of ${flags.nodes} nodes synced after ${((Date.now() - startedAt) / 1000).toFixed(1)} s`,
    );
    // Ready means clients can connect: through HAProxy, which may fail on its own.
    const routerProblem = await localRouter.waitServing(15_000);
    if (routerProblem !== null) {
      throw new Error(
        `the nodes are synced, but the router does not serve: ${routerProblem}; the nodes keep running (their unix sockets answer)`,
      );
    }
    say(`router: writes ${proxy.writer}, reads ${proxy.reader} (HAProxy)`);
    say(`connect: mariadb --defaults-extra-file=${clientConfig} -h ${flags.routerAddress}`);
    say(`dashboard: ${dashboardUrl}`);
    say(`status:  npx galera-pilot status   (stop|kill|start NODE, down; Ctrl-C stops the cluster cleanly)`);
  })();
  const outcome = await Promise.race([
    upAndSynced.then(
      () => "up" as const,
      (e: unknown) => e,
    ),
    down.then(() => "down" as const),
  ]);
  if (outcome !== "up" && outcome !== "down") {
    say(
      `the cluster did not come up: ${outcome instanceof Error ? outcome.message : String(outcome)}; it keeps trying (Ctrl-C to stop)`,
    );
  }
  if (outcome !== "down") await down;
  say("stopping the cluster cleanly, one node at a time");
  await cluster.down();
  dashboard.stop();
  await localRouter.process.stop();
  control.close();
  say("stopped; `npm start` brings the same data back");
  return ExitCode.ok;
}

/**
 * Two runners on one state folder would fight over its nodes (each stopping and restarting
 * the other's agents): a second `local up` is refused, and the first is left alone.
 */
async function refuseSecondRunner(stateDir: string): Promise<void> {
  const socket = controlSocket(stateDir);
  const answered = await controlRequest(socket, "GET", "/status", 5000).then(
    () => true,
    () => false,
  );
  const runner = findStateDirProcesses(stateDir).find((p) => p.kind === "runner");
  if (answered || runner) {
    throw new BadInputError(
      `a runner already runs the local cluster of ${stateDir}${runner ? ` (pid ${runner.pid})` : ""}${answered ? "" : ", though it does not answer on runner.sock"}; nothing was started and it was left alone; use it (galera-pilot status), or stop it with galera-pilot down, then start again`,
    );
  }
}

async function ask(flags: LocalFlags, method: "GET" | "POST", path: string): Promise<unknown> {
  try {
    const { code, body } = await controlRequest(controlSocket(flags.stateDir), method, path);
    if (code >= 400) {
      throw new BadInputError((body as { error?: string }).error ?? `the local runner answered ${code}`);
    }
    return body;
  } catch (error) {
    if (error instanceof GaleraPilotError) throw error;
    throw new GaleraPilotError(
      `the local cluster is not running (no runner at ${controlSocket(flags.stateDir)}); start it with npm start`,
      ExitCode.badInput,
      { cause: error },
    );
  }
}

export async function localStatus(flags: LocalFlags): Promise<number> {
  const status = (await ask(flags, "GET", "/status")) as LocalClusterStatus;
  const backups = await localBackups(flags.stateDir);
  if (flags.json) {
    console.log(JSON.stringify({ ...status, backups: backups?.summary ?? null }, null, 2));
  } else {
    console.log(formatStatusTable(status, process.stdout.isTTY));
    if (backups) console.log(backups.line);
  }
  return ExitCode.ok;
}

export async function localNodeAction(
  flags: LocalFlags,
  verb: "stop" | "kill" | "start",
  done?: string,
): Promise<number> {
  const name = flags.node;
  if (name === null) throw new Error(`${verb} ran without the NODE parseLocalFlags requires`);
  await ask(flags, "POST", `/nodes/${encodeURIComponent(name)}/${verb}`);
  const said = {
    stop: "stopped cleanly",
    kill: "killed (SIGKILL); the runner restarts it",
    start: "starting",
  };
  console.log(`${name}: ${done ?? said[verb]}`);
  return ExitCode.ok;
}

export async function localScale(flags: LocalFlags): Promise<number> {
  const count = flags.scaleTo;
  if (count === null) throw new Error("scale ran without the N parseLocalFlags requires");
  const answer = (await ask(flags, "POST", `/scale/${count}`)) as { warning: string | null };
  if (answer.warning) console.log(`warning: ${answer.warning}`);
  console.log(`the local cluster runs ${count} nodes, all synced`);
  return ExitCode.ok;
}

export async function localRestartRolling(flags: LocalFlags): Promise<number> {
  await ask(flags, "POST", "/restart-rolling");
  console.log("every node was restarted, one at a time; the cluster is synced");
  return ExitCode.ok;
}

/**
 * `galera-pilot down`: asks the runner to stop every node cleanly, then waits until nothing
 * of the state folder runs (agents, mariadbd, HAProxy, the runner), as the kernel shows it,
 * not as the runner says: exit 0 once all stopped, 1 naming what still runs. With no runner
 * left, it stops what one left behind itself, cleanly, as `local up` would.
 */
export async function localDown(flags: LocalFlags): Promise<number> {
  const socket = controlSocket(flags.stateDir);
  /** Asks the runner to stop everything; false when no runner answers. */
  const askDown = async (timeoutMs: number): Promise<boolean> => {
    try {
      const { code, body } = await controlRequest(socket, "POST", "/down", timeoutMs);
      if (code >= 400) {
        throw new BadInputError((body as { error?: string }).error ?? `the local runner answered ${code}`);
      }
      return true;
    } catch (error) {
      if (error instanceof GaleraPilotError) throw error;
      return false;
    }
  };
  let runnerAnswered = await askDown(10_000);
  if (flags.noWait) {
    if (!runnerAnswered) {
      throw new BadInputError(
        `the local cluster is not running (no runner at ${socket}); start it with npm start`,
      );
    }
    console.log("the local cluster is stopping cleanly; `galera-pilot down` waits until it has stopped");
    return ExitCode.ok;
  }
  const startedAt = Date.now();
  const deadline = startedAt + flags.timeoutSeconds * 1000;
  let running = findStateDirProcesses(flags.stateDir);
  if (!runnerAnswered && running.length === 0) {
    console.log(`the local cluster of ${flags.stateDir} is not running: nothing to stop`);
    return ExitCode.ok;
  }
  const seen = new Set<string>();
  let sawHaproxy = false;
  console.log(
    runnerAnswered
      ? `down: the runner stops every node cleanly, the last node first and n1 last; waiting up to ${flags.timeoutSeconds} s`
      : `down: no runner answers at ${socket}; waiting up to ${flags.timeoutSeconds} s for what of ${flags.stateDir} still runs`,
  );
  let lastProgress = 0;
  let leftoversStopped = false;
  for (; running.length > 0; running = findStateDirProcesses(flags.stateDir)) {
    for (const p of running) if (p.node) seen.add(p.node);
    sawHaproxy ||= running.some((p) => p.kind === "haproxy");
    if (Date.now() - lastProgress >= 5000) {
      console.log(formatDownProgress(running, seen, Date.now() - startedAt));
      lastProgress = Date.now();
    }
    const runner = running.some((p) => p.kind === "runner");
    // A runner that is still starting (its control socket not up yet) is asked again.
    if (runner && !runnerAnswered) runnerAnswered = await askDown(2000);
    if (!leftoversStopped && !runner) {
      // Its runner is gone (killed, or one that never answered): nobody else will stop these.
      leftoversStopped = true;
      console.log("down: no runner is left to stop these: stopping them cleanly (SIGTERM)");
      await stopLeftovers(flags.stateDir, {
        log: (line) => console.log(`down: ${line}`),
        serverStopMs: Math.max(1000, deadline - Date.now()),
      });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new GaleraPilotError(
        downTimeoutMessage(running, flags.timeoutSeconds, flags.stateDir, runnerAnswered),
        ExitCode.serverFailed,
      );
    }
    await sleep(500);
  }
  console.log(formatDownDone(seen, sawHaproxy, Date.now() - startedAt, flags.stateDir));
  return ExitCode.ok;
}

/**
 * `local up --restore-from`: a new cluster, so every node's datadir must be empty (the agents
 * would ignore the setting over data, and the cluster would start as it was).
 */
function refuseRestoreOverData(stateDir: string, nodes: number, id: string): void {
  for (let n = 1; n <= nodes; n += 1) {
    const datadir = join(stateDir, `n${n}`, "data");
    let entries: string[] = [];
    try {
      entries = readdirSync(datadir);
    } catch {
      continue;
    }
    if (entries.length > 0) {
      throw new BadInputError(
        `--restore-from ${id} starts a new cluster, but ${datadir} holds data; nothing was started and no datadir was changed; move the nodes' data folders aside (STATE/n*/data) to restore into this state folder, whose secrets/ and backups/ stay`,
      );
    }
  }
}

/**
 * The backups in STATE/backups, for `status` and the dashboard; for `status`, null when they
 * cannot be read (said on stderr).
 */
async function localBackups(
  stateDir: string,
  quiet = false,
): Promise<{ summary: BackupSummary; line: string } | null> {
  const folder = localBackupFolder(stateDir);
  try {
    const { manifests } = await readCatalog(new DirectoryDestination(folder));
    const summary = backupSummary(manifests, Date.now());
    return { summary, line: backupSummaryLine(summary, Date.now(), folder) };
  } catch (error) {
    const line = `the backups in ${folder} could not be read: ${error instanceof Error ? error.message : String(error)}`;
    // The dashboard shows the line in place of the summary; `status` says it on stderr.
    if (quiet) return { summary: backupSummary([], Date.now()), line };
    console.error(`galera-pilot: ${line}`);
    return null;
  }
}
