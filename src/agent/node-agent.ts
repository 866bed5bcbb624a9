import { spawn, type ChildProcess } from "node:child_process";
import type { Server } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { AgentOptions } from "../cli/agent-options.js";
import { decideStart, type StartDecision } from "../decide/start-decision.js";
import { ExitCode, RefusedError } from "../errors.js";
import { healthAnswers, type HealthAnswers } from "../health/health-policy.js";
import { electWriter, type WriterCandidate } from "../health/writer-election.js";
import { startHealthServer } from "../http/health-server.js";
import { AgentMetrics } from "../http/metrics.js";
import { stopChild, waitForExit, type ChildExit } from "../mysqld/child-exit.js";
import { initialiseDatadir } from "../mysqld/initialise.js";
import { lookUpOsUser, type OsUser } from "../mysqld/os-user.js";
import type { RecoveredPosition } from "../mysqld/recovered-position.js";
import { recoverPosition } from "../mysqld/wsrep-recover.js";
import { formatEndpoint, type PeerEndpoint } from "../peers/discovery.js";
import { PeerStatusPoller } from "../peers/peer-status-poller.js";
import { Sampler } from "../probe/sampler.js";
import type { WsrepSample } from "../probe/wsrep-sample.js";
import { version } from "../version.js";
import type { Logger } from "./logger.js";
import { reportFromSample, type DecisionRecord, type NodeStatusReport } from "./node-status.js";
import { derivePhase, type PhaseFacts } from "./phase.js";
import { checkPorts, discoverPeers, inspect, writeServerConfig } from "./prepare-node.js";
import { runPaths, sstUserName } from "./run-paths.js";

/** mariadbd exiting this soon after its start, this many times in a row, ends the agent. */
const fastFailureMs = 30_000;
const fastFailureLimit = 3;

/**
 * The node agent: checks its input once, then runs mariadbd, restarting it (with backoff)
 * when it exits on its own, until told to stop. Health answers are computed from memory:
 * the last background sample of mariadbd and the last reports of the view's other members.
 */
export class NodeAgent {
  readonly options: AgentOptions;
  readonly log: Logger;
  readonly #startedAt = new Date().toISOString();
  readonly #selfAddress: string;
  readonly #sampler: Sampler;
  readonly #peerPoller: PeerStatusPoller;
  readonly #metrics: AgentMetrics;
  #lifecycle: PhaseFacts["lifecycle"] = "preparing";
  #syncedSinceStart = false;
  #syncedSince: number | null = null;
  #decision: DecisionRecord | null = null;
  #recovered: RecoveredPosition | null = null;
  #peers: PeerEndpoint[] = [];
  /** Galera endpoints of members seen in our views: a restarted server rejoins them. */
  #knownMembers = new Set<string>();
  #child: ChildProcess | null = null;
  #stopSignal: NodeJS.Signals | null = null;
  #wakeStop: (() => void) | null = null;
  #server: Server | null = null;

  constructor(options: AgentOptions, log: Logger) {
    this.options = options;
    this.log = log;
    this.#selfAddress = formatEndpoint({ address: options.address, port: options.ports.mysql });
    this.#sampler = new Sampler({
      socket: runPaths(options.runDir).socket,
      intervalMs: options.sampleIntervalMs,
      timeoutMs: Math.min(1000, options.sampleIntervalMs),
    });
    this.#sampler.onSample((s) => this.#onSample(s));
    this.#peerPoller = new PeerStatusPoller(options.sampleIntervalMs, (member) => {
      if (member === this.#selfAddress) return null;
      const host = member.replace(/:\d+$/, "");
      return `http://${host}:${options.ports.health}/status`;
    });
    this.#metrics = new AgentMetrics({
      status: () => this.status(),
      sample: () => this.#sampler.latest,
      answers: () => this.answers(),
    });
  }

  #onSample(s: WsrepSample): void {
    const synced = s.error === null && s.clusterStatus === "Primary" && s.localState === 4;
    if (synced) {
      this.#syncedSinceStart = true;
      this.#syncedSince ??= s.takenAt;
    } else {
      this.#syncedSince = null;
    }
    if (s.error === null && s.clusterStatus === "Primary") {
      this.#peerPoller.setMembers(s.incomingAddresses);
      for (const member of s.incomingAddresses) {
        if (member === this.#selfAddress) continue;
        const host = member.replace(/:\d+$/, "");
        this.#knownMembers.add(`${host}:${this.options.ports.galera}`);
      }
    }
  }

  #sampleFresh(sample: WsrepSample, now: number): boolean {
    return now - sample.takenAt <= 3 * this.options.sampleIntervalMs;
  }

  /** The phase and whether this node would be ready, before writer election. */
  #phase(now: number): ReturnType<typeof derivePhase> {
    const sample = this.#sampler.latest;
    return derivePhase({
      lifecycle: this.#lifecycle,
      syncedSinceStart: this.#syncedSinceStart,
      sample,
      sampleFresh: this.#sampleFresh(sample, now),
    });
  }

  /** Is this node the single writer of its primary view? (see writer-election.ts) */
  #isWriter(now: number, selfReady: boolean): boolean {
    const sample = this.#sampler.latest;
    if (!selfReady) return false;
    const members: WriterCandidate[] = sample.incomingAddresses.map((address) => {
      if (address === this.#selfAddress) {
        return { address, eligible: true, confId: sample.clusterConfId, syncedSince: this.#syncedSince };
      }
      const grace = 3 * this.options.sampleIntervalMs;
      const received = this.#peerPoller.get(address);
      const fresh = received !== undefined && now - received.receivedAt <= grace;
      const report = received?.report;
      // Not heard from yet, but only just in the view: it might win. Past the grace
      // period an unheard member cannot answer /writer either, so it is out.
      const firstSeen = this.#peerPoller.firstSeen(address) ?? now;
      const unheard = received === undefined && now - firstSeen <= grace;
      return {
        address,
        eligible: unheard
          ? ("unknown" as const)
          : fresh && report?.phase === "synced" && report.ready === true,
        confId: report?.clusterConfId ?? null,
        syncedSince: report?.syncedSince ? Date.parse(report.syncedSince) : null,
      };
    });
    return electWriter(sample.clusterConfId, members) === this.#selfAddress;
  }

  answers(now = Date.now()): HealthAnswers {
    const phase = this.#phase(now);
    const readOnly = this.#sampler.latest.readOnly;
    const base = healthAnswers({ phase, readOnly, writer: false }, this.options.health);
    const selfEligible = phase === "synced" && base.ready === 200;
    return healthAnswers({ phase, readOnly, writer: this.#isWriter(now, selfEligible) }, this.options.health);
  }

  status(now = Date.now()): NodeStatusReport {
    const answers = this.answers(now);
    return reportFromSample(
      {
        node: this.options.nodeName,
        address: this.options.address,
        mode: this.options.mode,
        phase: this.#phase(now),
        pid: this.#child?.pid ?? null,
        incomingAddress: this.#selfAddress,
        syncedSince: this.#syncedSince === null ? null : new Date(this.#syncedSince).toISOString(),
        ready: answers.ready === 200,
        writer: answers.writer === 200,
        recoveredPosition: this.#recovered,
        lastDecision: this.#decision,
        peers: this.#peers.map(formatEndpoint),
        startedAt: this.#startedAt,
        version,
      },
      this.#sampler.latest,
      now,
    );
  }

  /** Asks the agent to leave: drain, then stop mariadbd cleanly. */
  requestStop(signal: NodeJS.Signals): void {
    if (this.#stopSignal) return;
    this.#stopSignal = signal;
    this.log.info(`received ${signal}: leaving the cluster cleanly`);
    this.#wakeStop?.();
  }

  /** Resolves when requestStop is called (at once if it already was). */
  #stopWanted(): Promise<"stop"> {
    return new Promise((resolve) => {
      if (this.#stopSignal) return resolve("stop");
      this.#wakeStop = () => resolve("stop");
    });
  }

  async run(): Promise<number> {
    const serverUser = lookUpOsUser(this.options.serverUser);
    try {
      // Everything that can be wrong with the input is found before anything is written.
      this.#peers = await discoverPeers(this.options, this.log);
      await checkPorts(this.options);
      const datadir = inspect(this.options, serverUser);
      writeServerConfig(this.options, serverUser, this.#peers);
      this.#server = await startHealthServer({
        address: this.options.healthAddress,
        port: this.options.ports.health,
        status: () => this.status(),
        answers: () => this.answers(),
        metrics: () => this.#metrics.text(),
      });
      if (this.#stopSignal) return ExitCode.ok;
      if (datadir.empty) {
        this.log.info(`initialising the empty datadir ${this.options.datadir}`);
        await initialiseDatadir({
          datadir: this.options.datadir,
          mysqldPath: this.options.mysqldPath,
          serverUser,
          rootPassword: this.options.rootPassword,
          sstUser: sstUserName,
          sstPassword: this.options.sstPassword,
          appUser: this.options.appUser,
        });
      }
      this.#peerPoller.start();
      return await this.#superviseServer(serverUser, datadir.empty);
    } finally {
      await this.#sampler.stop();
      this.#peerPoller.stop();
      this.#server?.close();
      this.#server?.closeAllConnections();
    }
  }

  /** Start mariadbd, and start it again when it exits on its own, until asked to stop. */
  async #superviseServer(serverUser: OsUser, initialisedNow: boolean): Promise<number> {
    let fastFailures = 0;
    let backoffMs = 1000;
    for (let attempt = 0; ; attempt++) {
      const decision = await this.#decide(serverUser, attempt === 0 && initialisedNow);
      if (this.#stopSignal) return ExitCode.ok;
      if (decision.action === "refuse") {
        this.#lifecycle = "refused";
        throw new RefusedError(decision.reason);
      }
      const exit = await this.#runServer(serverUser, decision);
      if (exit === "stopped") return this.#stopExitCode;
      const ranMs = exit.durationMs;
      fastFailures = ranMs < fastFailureMs && !this.#syncedSinceStart ? fastFailures + 1 : 0;
      if (fastFailures >= fastFailureLimit) {
        this.log.error(
          `mariadbd failed ${fastFailures} times in a row within ${fastFailureMs / 1000} s of starting: giving up so the scheduler sees it; its log lines above say why`,
        );
        return exitCodeOf(exit);
      }
      this.#lifecycle = "restarting";
      this.log.warn(`mariadbd ${describeExit(exit)}; starting it again in ${backoffMs / 1000} s`);
      const waited = await Promise.race([sleep(backoffMs).then(() => "slept" as const), this.#stopWanted()]);
      if (waited === "stop") return ExitCode.ok;
      backoffMs = ranMs > 60_000 ? 1000 : Math.min(backoffMs * 2, 30_000);
    }
  }

  #stopExitCode: number = ExitCode.ok;

  /** Recover the position and decide how to start; logs the decision as one sentence. */
  async #decide(serverUser: OsUser, initialisedNow: boolean): Promise<StartDecision> {
    this.#lifecycle = "preparing";
    const datadir = inspect(this.options, serverUser);
    const paths = runPaths(this.options.runDir);
    // After the first run, the members seen in our views are peers too: a restarted seed
    // joins the cluster it formed instead of forming a second one.
    const known = [...this.#knownMembers].map((e) => {
      const i = e.lastIndexOf(":");
      return { address: e.slice(0, i).replace(/^\[|\]$/g, ""), port: Number(e.slice(i + 1)) };
    });
    const peers = dedupe([...this.#peers, ...known]);
    if (peers.length !== this.#peers.length) writeServerConfig(this.options, serverUser, peers);
    this.#recovered = await recoverPosition(this.options.mysqldPath, paths.config, serverUser.name);
    this.log.info(`recovered position ${this.#recovered.uuid}:${this.#recovered.seqno}`);
    const decision = decideStart({
      mode: peers.length > 0 && this.#knownMembers.size > 0 ? "node" : this.options.mode,
      nodeName: this.options.nodeName,
      initialisedNow,
      grastate: datadir.grastate,
      grastateEmpty: datadir.grastateEmpty,
      recovered: this.#recovered,
      peers,
    });
    this.#decision = { ...decision, at: new Date().toISOString() };
    this.#metrics.countDecision(decision.action);
    this.log.info(`decision: ${decision.action}: ${decision.reason}`);
    return decision;
  }

  /** Runs mariadbd once: until it exits on its own, or until a stop (drain, then SIGTERM). */
  async #runServer(serverUser: OsUser, decision: StartDecision): Promise<ChildExit | "stopped"> {
    const paths = runPaths(this.options.runDir);
    const recovered = this.#recovered!;
    const args = [`--defaults-file=${paths.config}`, `--user=${serverUser.name}`];
    if (decision.action === "bootstrap") args.push("--wsrep-new-cluster");
    args.push(`--wsrep-start-position=${recovered.uuid}:${recovered.seqno}`, ...this.options.mysqldArgs);
    const child = spawn(this.options.mysqldPath, args, { stdio: ["ignore", "inherit", "inherit"] });
    const exited = waitForExit(child, Date.now());
    this.#child = child;
    this.#syncedSinceStart = false;
    this.#syncedSince = null;
    this.#lifecycle = "running";
    this.log.info(`mariadbd started (pid ${child.pid ?? "?"})`);
    this.#sampler.start();
    try {
      const first = await Promise.race([exited, this.#stopWanted()]);
      if (first !== "stop") return first;
      await this.#drain();
      this.#lifecycle = "stopping";
      const exit = await stopChild(child, exited, this.options.stopTimeoutMs);
      if (exit.forcedKill)
        this.log.warn(`mariadbd did not stop within ${this.options.stopTimeoutMs / 1000} s: killed it`);
      this.#lifecycle = "stopped";
      this.#stopExitCode = exit.exitCode === 0 ? ExitCode.ok : exitCodeOf(exit);
      this.log.info(
        exit.exitCode === 0
          ? "mariadbd left the cluster and exited cleanly"
          : `mariadbd ${describeExit(exit)}`,
      );
      return "stopped";
    } finally {
      this.#child = null;
    }
  }

  /**
   * /ready and /writer answer 503 for the drain period before mariadbd leaves, so routers
   * move clients away first. Skipped when the node is not in any pool anyway.
   */
  async #drain(): Promise<void> {
    const inPools = this.answers().ready === 200;
    this.#lifecycle = "draining";
    if (!inPools || this.options.drainMs === 0) return;
    this.log.info(
      `draining: /ready and /writer answer 503 for ${this.options.drainMs / 1000} s before leaving`,
    );
    await sleep(this.options.drainMs);
  }
}

function dedupe(peers: PeerEndpoint[]): PeerEndpoint[] {
  const seen = new Map(peers.map((p) => [formatEndpoint(p), p]));
  return [...seen.values()];
}

function describeExit(exit: ChildExit): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited with status ${exit.exitCode}`;
}

/** mariadbd's exit mapped to the agent's exit code: its status, or 128 + the signal number. */
function exitCodeOf(exit: ChildExit): number {
  if (exit.signal) {
    const signals: Record<string, number> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGSEGV: 11, SIGABRT: 6 };
    return 128 + (signals[exit.signal] ?? 1);
  }
  return exit.exitCode ?? ExitCode.serverFailed;
}
