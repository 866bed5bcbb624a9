import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Server } from "node:http";
import type { AgentOptions } from "../cli/agent-options.js";
import { decideStart, type StartDecision } from "../decide/start-decision.js";
import { ExitCode, RefusedError } from "../errors.js";
import { startHealthServer } from "../http/health-server.js";
import { stopChild, waitForExit, type ChildExit } from "../mysqld/child-exit.js";
import { inspectDatadir } from "../mysqld/datadir.js";
import { initialiseDatadir } from "../mysqld/initialise.js";
import { lookUpOsUser } from "../mysqld/os-user.js";
import type { RecoveredPosition } from "../mysqld/recovered-position.js";
import { renderServerConfig } from "../mysqld/server-config.js";
import { recoverPosition } from "../mysqld/wsrep-recover.js";
import { DnsDiscovery } from "../peers/dns-discovery.js";
import { formatEndpoint, type PeerEndpoint } from "../peers/discovery.js";
import { Sampler } from "../probe/sampler.js";
import { version } from "../version.js";
import type { Logger } from "./logger.js";
import { reportFromSample, type DecisionRecord, type NodeStatusReport } from "./node-status.js";
import { derivePhase, type PhaseFacts } from "./phase.js";
import { checkPortFree } from "./preflight.js";

/** The SST user's name; its password is XTRABACKUP_PASSWORD (the seed's variable). */
export const sstUserName = "sst";

/** Paths inside the agent's run directory. */
export function runPaths(runDir: string): { config: string; socket: string; pidFile: string } {
  return {
    config: join(runDir, "my.cnf"),
    socket: join(runDir, "mysqld.sock"),
    pidFile: join(runDir, "mysqld.pid"),
  };
}

/**
 * One start of a node: check input, discover peers, prepare the datadir, recover the
 * position, decide, run mariadbd until it exits or we are told to stop. Returns the exit
 * code. Nothing touches the datadir before every input has been checked.
 */
export async function runAgent(options: AgentOptions, log: Logger): Promise<number> {
  const startedAt = new Date().toISOString();
  const serverUser = lookUpOsUser(options.serverUser);
  const paths = runPaths(options.runDir);

  let lifecycle: PhaseFacts["lifecycle"] = "preparing";
  let syncedSinceStart = false;
  let decision: DecisionRecord | null = null;
  let recovered: RecoveredPosition | null = null;
  let peers: PeerEndpoint[] = [];
  let child: ChildProcess | null = null;
  let stopRequested: NodeJS.Signals | null = null;
  let server: Server | null = null;

  const sampler = new Sampler({ socket: paths.socket, intervalMs: 1000, timeoutMs: 1000 });
  sampler.onSample((s) => {
    if (s.error === null && s.clusterStatus === "Primary" && s.localState === 4) syncedSinceStart = true;
  });
  const status = (): NodeStatusReport => {
    const sample = sampler.latest;
    return reportFromSample(
      {
        node: options.nodeName,
        address: options.address,
        mode: options.mode,
        phase: derivePhase({ lifecycle, syncedSinceStart, sample }),
        pid: child?.pid ?? null,
        writer: false,
        recoveredPosition: recovered,
        lastDecision: decision,
        peers: peers.map(formatEndpoint),
        startedAt,
        version,
      },
      sample,
      Date.now(),
    );
  };

  // Signals before mariadbd runs end the start early; after, they stop mariadbd cleanly.
  let wakeStop: (() => void) | null = null;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopRequested) return;
    stopRequested = signal;
    log.info(`received ${signal}: leaving the cluster cleanly`);
    wakeStop?.();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);

  try {
    // 1. Input that needs the outside world: peers, then the ports we will bind.
    if (options.mode === "node") {
      const discovery = new DnsDiscovery({
        hosts: options.hosts,
        ownAddresses: [options.address],
        defaultPort: 4567,
        ...(options.dnsServers ? { dnsServers: options.dnsServers } : {}),
      });
      peers = await discovery.discover();
      log.info(`peers from ${discovery.describe()}: ${peers.map(formatEndpoint).join(", ") || "none"}`);
    }
    for (const [purpose, port] of [
      ["SQL", options.ports.mysql],
      ["Galera replication", options.ports.galera],
      ["IST", options.ports.ist],
      ["SST", options.ports.sst],
    ] as const) {
      await checkPortFree(options.address, port, purpose);
    }
    await checkPortFree(options.healthAddress, options.ports.health, "health");

    // 2. Read the datadir without changing it: owner, grastate, gvwstate.
    const datadir = inspectDatadir(options.datadir, serverUser);

    // 3. The run directory (not the datadir): the config with the SST password, 0600.
    mkdirSync(options.runDir, { recursive: true, mode: 0o750 });
    chownSync(options.runDir, serverUser.uid, serverUser.gid);
    const config = renderServerConfig({
      datadir: options.datadir,
      socket: paths.socket,
      pidFile: paths.pidFile,
      errorLog: null,
      bindAddress: options.address,
      port: options.ports.mysql,
      nodeAddress: options.address,
      nodeName: options.nodeName,
      clusterName: options.clusterName,
      clusterAddresses: peers.map(formatEndpoint),
      galeraPort: options.ports.galera,
      istPort: options.ports.ist,
      sstPort: options.ports.sst,
      sstMethod: options.sstMethod,
      sstUser: sstUserName,
      sstPassword: options.sstPassword.reveal(),
      durability: options.durability,
      providerOptions: options.providerOptions,
      galeraLibrary: options.galeraLibrary,
    });
    writeFileSync(paths.config, config, { mode: 0o600 });
    chmodSync(paths.config, 0o600);
    chownSync(paths.config, serverUser.uid, serverUser.gid);

    server = await startHealthServer({ address: options.healthAddress, port: options.ports.health, status });
    if (stopRequested) return ExitCode.ok;

    // 4. Initialise an empty datadir; recover the position of one that holds data.
    if (datadir.empty) {
      log.info(`initialising the empty datadir ${options.datadir}`);
      await initialiseDatadir({
        datadir: options.datadir,
        mysqldPath: options.mysqldPath,
        serverUser,
        rootPassword: options.rootPassword,
        sstUser: sstUserName,
        sstPassword: options.sstPassword,
        appUser: options.appUser,
      });
    }
    recovered = await recoverPosition(options.mysqldPath, paths.config, serverUser.name);
    log.info(`recovered position ${recovered.uuid}:${recovered.seqno}`);
    if (stopRequested) return ExitCode.ok;

    // 5. Decide, log the sentence, act.
    const startDecision: StartDecision = decideStart({
      mode: options.mode,
      nodeName: options.nodeName,
      initialisedNow: datadir.empty,
      grastate: datadir.grastate,
      grastateEmpty: datadir.grastateEmpty,
      recovered,
      peers,
    });
    decision = { ...startDecision, at: new Date().toISOString() };
    log.info(`decision: ${decision.action}: ${decision.reason}`);
    if (decision.action === "refuse") {
      lifecycle = "refused";
      throw new RefusedError(decision.reason);
    }

    const args = [`--defaults-file=${paths.config}`, `--user=${serverUser.name}`];
    if (decision.action === "bootstrap") args.push("--wsrep-new-cluster");
    args.push(`--wsrep-start-position=${recovered.uuid}:${recovered.seqno}`, ...options.mysqldArgs);
    const spawnedAt = Date.now();
    child = spawn(options.mysqldPath, args, { stdio: ["ignore", "inherit", "inherit"] });
    const exited = waitForExit(child, spawnedAt);
    lifecycle = "running";
    log.info(`mariadbd started (pid ${child.pid ?? "?"})`);
    sampler.start();

    const stopWanted = new Promise<"stop">((resolve) => {
      wakeStop = () => resolve("stop");
      if (stopRequested) resolve("stop");
    });
    const first = await Promise.race([exited, stopWanted]);
    let exit: ChildExit;
    if (first === "stop") {
      lifecycle = "stopping";
      exit = await stopChild(child, exited, options.stopTimeoutMs);
      if (exit.forcedKill)
        log.warn(`mariadbd did not stop within ${options.stopTimeoutMs / 1000} s: killed it`);
    } else {
      exit = first;
    }
    lifecycle = "stopped";
    return exitCodeOf(exit, stopRequested !== null, log);
  } finally {
    await sampler.stop();
    server?.close();
    server?.closeAllConnections();
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
  }
}

/** mariadbd's exit, told in one line and mapped to the agent's exit code. */
function exitCodeOf(exit: ChildExit, stopRequested: boolean, log: Logger): number {
  if (exit.exitCode === 0) {
    log.info(`mariadbd left the cluster and exited cleanly after ${Math.round(exit.durationMs / 1000)} s`);
    return ExitCode.ok;
  }
  if (exit.signal) {
    log.error(`mariadbd was killed by ${exit.signal}${stopRequested ? " while stopping" : ""}`);
    const signals: Record<string, number> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGSEGV: 11, SIGABRT: 6 };
    return 128 + (signals[exit.signal] ?? 1);
  }
  log.error(`mariadbd exited with status ${exit.exitCode}; its log lines above say why`);
  return exit.exitCode ?? ExitCode.serverFailed;
}
