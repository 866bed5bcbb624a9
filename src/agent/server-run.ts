// One run of mariadbd, the agent's server executor: start it as the decision says, read its
// log for the peers' refusals, and end the run when it exits on its own, when Galera leaves a
// joiner stuck, when a fatal check fails, or on a stop (drain, then SIGTERM, then SIGKILL).
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { describeExit, exitCodeOf } from "../decide/server-exit.js";
import { stopWait } from "../decide/stop-wait.js";
import { watchDisconnected } from "../decide/stuck-joiner.js";
import type { PeerEndpoint } from "../discovery/discovery.js";
import { ClusterMismatchError, ExitCode } from "../errors.js";
import { preferredDonors } from "../health/donor-preference.js";
import type { Logger } from "../logger.js";
import type { RecoveredPosition } from "../model/galera-state.js";
import type { OsUser } from "../mysqld/os-user.js";
import { recogniseRefusal } from "../mysqld/server-log.js";
import type { AgentOptions } from "../options/agent-options.js";
import { fetchNodeStatus } from "../peer-api/node-status-client.js";
import type { WsrepSample } from "../probe/wsrep-sample.js";
import { stopChild, waitForExit, type ChildExit } from "../process/child-exit.js";
import type { PhaseFacts } from "./phase.js";
import type { StartKind } from "./live-position.js";
import { writeServerConfig } from "./prepare-node.js";
import { runPaths } from "./run-paths.js";
import { removeLeftoverSstHelpers } from "./sst-leftovers.js";

/** What a run needs of the agent around it. */
export interface ServerRunContext {
  options: AgentOptions;
  serverUser: OsUser;
  log: Logger;
  recovered: RecoveredPosition;
  peers(): PeerEndpoint[];
  /** A joiner's start: the join record and the progress lines (join-record.ts, join-progress.ts). */
  beforeJoin(): void;
  /** mariadbd was spawned: the agent starts watching this run. */
  started(child: ChildProcess, kind: StartKind): void;
  setLifecycle(lifecycle: PhaseFacts["lifecycle"]): void;
  syncedSinceStart(): boolean;
  latest(): WsrepSample;
  stopWanted(): { promise: Promise<"stop">; cancel: () => void };
  /** Resolves with the error that ends the agent (the SST password check), if one comes. */
  fatalWanted(): Promise<{ fatal: Error }>;
  drain(): Promise<void>;
}

/** How a run ended: mariadbd exited on its own, or was stopped (the agent's exit code). */
export type RunEnd = { exited: ChildExit } | { stopped: number };

/** Runs mariadbd once: until it exits on its own, or until a stop (drain, then SIGTERM). */
export async function runServer(ctx: ServerRunContext, kind: StartKind): Promise<RunEnd> {
  const { options, serverUser, log } = ctx;
  const args = [`--defaults-file=${runPaths(options.runDir).config}`, `--user=${serverUser.name}`];
  if (kind === "bootstrap") args.push("--wsrep-new-cluster");
  // No peer was in a primary component (else the decision would be to join it), so none is
  // a synced donor to ask for: pc.recovery restores the primary, and Galera picks donors.
  else if (kind === "join") {
    const donors = await askDonors(options, ctx.peers());
    // A trailing comma: any other node when these cannot serve.
    if (donors.length > 0) args.push(`--wsrep-sst-donor=${donors.join(",")},`);
  }
  args.push(`--wsrep-start-position=${ctx.recovered.uuid}:${ctx.recovered.seqno}`, ...options.mysqldArgs);
  // A state transfer may now rewrite the datadir, and Galera save views this node holds no
  // data in: the next start must know whether this one synced (join-record.ts). Removed once synced.
  if (kind !== "bootstrap") ctx.beforeJoin();
  await removeLeftoverSstHelpers(options, log);
  // The peers known now (a peer that asked meanwhile too) are the ones mariadbd connects to.
  writeServerConfig(options, serverUser, ctx.peers());
  const child = spawn(options.mysqldPath, args, { stdio: ["ignore", "inherit", "pipe"] });
  const exited = waitForExit(child, Date.now());
  // mariadbd's log goes on to the agent's stderr, line by line, read on the way for the
  // errors that mean its peers refuse it (a restart would fail the same way).
  let refusal: string | null = null;
  if (child.stderr) {
    createInterface({ input: child.stderr, crlfDelay: Infinity }).on("line", (line) => {
      process.stderr.write(`${line}\n`);
      refusal ??= recogniseRefusal(line);
    });
  }
  ctx.started(child, kind);
  log.info(`mariadbd started (pid ${child.pid ?? "?"})`);
  const stuck = stuckDisconnected(ctx);
  const stop = ctx.stopWanted();
  const first = await Promise.race([exited, stop.promise, stuck.promise, ctx.fatalWanted()]);
  stuck.cancel();
  stop.cancel();
  if (typeof first === "object" && "fatal" in first) {
    ctx.setLifecycle("stopping");
    await ctx.drain();
    await stopChild(child, exited, options.stopTimeoutMs);
    ctx.setLifecycle("refused");
    throw first.fatal;
  }
  if (typeof first === "object" && "stuck" in first) {
    log.warn(first.stuck);
    return { exited: { ...(await stopChild(child, exited, options.stopTimeoutMs)), exitCode: 1 } };
  }
  if (first !== "stop" && refusal !== null && !ctx.syncedSinceStart()) {
    // Let the pipe deliver mariadbd's last lines before deciding.
    await sleep(100);
    ctx.setLifecycle("refused");
    throw new ClusterMismatchError(
      `mariadbd could not join: ${refusal}; it ${describeExit(first)} and is not restarted, since it would be refused again; nothing of the cluster reached its datadir; give this node a certificate and key issued by the cluster's CA, and that CA (GALERA_PILOT_TLS_CERT, _KEY, _CA)`,
    );
  }
  if (first !== "stop") return { exited: first };
  await ctx.drain();
  ctx.setLifecycle("stopping");
  const wait = stopWait({
    startKind: kind,
    syncedSinceStart: ctx.syncedSinceStart(),
    stopTimeoutMs: options.stopTimeoutMs,
  });
  if (wait.joining) log.info(`stopping: ${wait.joining}`);
  const exit = await stopChild(child, exited, wait.waitMs);
  if (exit.forcedKill) log.warn(`mariadbd did not stop within ${wait.waitMs / 1000} s: killed it`);
  // Killed mid-transfer, its helpers outlive it and hold the SST port.
  if (wait.joining) await removeLeftoverSstHelpers(options, log);
  ctx.setLifecycle("stopped");
  log.info(
    exit.exitCode === 0 ? "mariadbd left the cluster and exited cleanly" : `mariadbd ${describeExit(exit)}`,
  );
  return { stopped: exit.exitCode === 0 ? ExitCode.ok : exitCodeOf(exit) };
}

/**
 * Resolves "stuck" when a joiner's mariadbd answers but has been Disconnected from the
 * cluster for disconnectedRestartMs: after a failed IST or SST Galera stays up, logs "node
 * restart required", and never rejoins by itself (stuck-joiner.ts).
 */
function stuckDisconnected(ctx: ServerRunContext): {
  promise: Promise<{ stuck: string }>;
  cancel: () => void;
} {
  let timer: NodeJS.Timeout | undefined;
  let since: number | null = null;
  const promise = new Promise<{ stuck: string }>((resolve) => {
    timer = setInterval(() => {
      const verdict = watchDisconnected(since, ctx.latest(), ctx.syncedSinceStart());
      since = verdict.since;
      if (verdict.restart !== null) resolve({ stuck: verdict.restart });
    }, ctx.options.sampleIntervalMs);
  });
  return { promise, cancel: () => clearInterval(timer) };
}

/**
 * The donors a joiner asks for: synced peers that are not the writer, nor about to become
 * it (donor-preference.ts). Empty when no peer answers: Galera chooses.
 */
async function askDonors(options: AgentOptions, peers: readonly PeerEndpoint[]): Promise<string[]> {
  const timeoutMs = Math.min(1000, options.sampleIntervalMs * 2);
  const reports = await Promise.all(
    peers.map((peer) => {
      const host = peer.address.includes(":") ? `[${peer.address}]` : peer.address;
      return fetchNodeStatus(`http://${host}:${options.ports.health}`, timeoutMs);
    }),
  );
  return preferredDonors(reports);
}
