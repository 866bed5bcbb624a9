import { setTimeout as sleep } from "node:timers/promises";
import { afterServerExit, type ServerExitRecord } from "../decide/server-exit.js";
import { formatEndpoint } from "../discovery/discovery.js";
import { ExitCode } from "../errors.js";
import type { HealthAnswers } from "../health/health-policy.js";
import { HealthServer } from "../http/health-server.js";
import { AgentMetrics } from "../http/metrics.js";
import type { Logger } from "../logger.js";
import type { NodeStatusReport } from "../model/node-status.js";
import type { NodeReport } from "../model/peer-report.js";
import { lookUpOsUser, type OsUser } from "../mysqld/os-user.js";
import type { AgentOptions } from "../options/agent-options.js";
import { PeerStatusPoller } from "../peer-api/peer-status-poller.js";
import { Sampler } from "../probe/sampler.js";
import { setProviderOption } from "../probe/server-sql.js";
import type { WsrepSample } from "../probe/wsrep-sample.js";
import { AgentDashboard } from "../dashboard/agent-dashboard.js";
import { answersRefreshMs, HealthAnswering } from "./health-answering.js";
import { JoinProgress } from "./join-progress.js";
import { clearJoinRecord, writeJoinRecord } from "./join-record.js";
import type { StartKind } from "./live-position.js";
import { MemberEviction } from "./member-eviction.js";
import { PeerDirectory } from "./peer-directory.js";
import type { PhaseFacts } from "./phase.js";
import { checkBeforeStart, initialiseIfEmpty } from "./prepare-node.js";
import { RecoveryDriver } from "./recovery-driver.js";
import { RecoveryRecordKeeper } from "./recovery-record-keeper.js";
import { runPaths } from "./run-paths.js";
import { NodeArchive } from "./node-archive.js";
import { NodeBackups } from "./node-backups.js";
import { NodeReports, type NodeFacts } from "./node-reports.js";
import { runServer, type RunEnd } from "./server-run.js";
import { ServerWatch } from "./server-watch.js";
import { SstPasswordCheck } from "./sst-password-check.js";
import { StopRequest } from "./stop-request.js";

/**
 * The node agent: checks its input once, then runs mariadbd, restarting it (with backoff)
 * when it exits on its own, until told to stop. This file only sequences: the rules are pure
 * (decide/, health/), and each concern has its file beside this one: the recovery turns
 * (recovery-driver.ts), one run of mariadbd (server-run.ts), the health answers
 * (health-answering.ts), the peers (peer-directory.ts), dead members (member-eviction.ts).
 */
export class NodeAgent {
  readonly options: AgentOptions;
  readonly log: Logger;
  readonly #selfAddress: string;
  readonly #socket: string;
  readonly #sampler: Sampler;
  readonly #peerPoller: PeerStatusPoller;
  readonly #peers: PeerDirectory;
  readonly #answering: HealthAnswering;
  readonly #eviction: MemberEviction;
  readonly #recovery: RecoveryDriver;
  readonly #metrics: AgentMetrics;
  readonly #joinProgress: JoinProgress;
  readonly #stop = new StopRequest();
  readonly #record: RecoveryRecordKeeper;
  readonly #run = new ServerWatch();
  readonly #sstCheck: SstPasswordCheck;
  /** The page at /dashboard/ when asked for: this node's view of the cluster. */
  readonly #dashboard = new AgentDashboard(() => ({
    self: this.status(),
    selfAnswers: this.answers(),
    peers: this.#peerPoller.reportsOf(
      this.#sampler.latest.incomingAddresses.filter((m) => m !== this.#selfAddress),
    ),
  }));
  readonly #facts: NodeFacts = { lifecycle: "preparing", recovered: null, fresh: false, datadir: null };
  readonly #reports: NodeReports;
  readonly #backups: NodeBackups;
  readonly #archive: NodeArchive;
  #server: HealthServer | null = null;
  #refreshTimer: NodeJS.Timeout | null = null;

  constructor(options: AgentOptions, log: Logger) {
    this.options = options;
    this.log = log;
    this.#selfAddress = formatEndpoint({ address: options.address, port: options.ports.mysql });
    this.#socket = runPaths(options.runDir).socket;
    const latest = (): WsrepSample => this.#sampler.latest;
    this.#sampler = new Sampler({
      socket: this.#socket,
      intervalMs: options.sampleIntervalMs,
      timeoutMs: Math.min(1000, options.sampleIntervalMs),
    });
    this.#sampler.onSample((s) => this.#onSample(s));
    this.#peerPoller = new PeerStatusPoller(
      options.sampleIntervalMs,
      (member) =>
        member === this.#selfAddress
          ? null
          : `http://${member.replace(/:\d+$/, "")}:${options.ports.health}/status`,
      // A member's agent gone: if its mariadbd is gone too, evict it now, not at the next sample.
      () => this.#eviction.soon(),
      (_member, line) => this.log.warn(`${line}; it counts as not answering`),
    );
    this.#peers = new PeerDirectory(options, this.#peerPoller, log);
    this.#answering = new HealthAnswering({
      options,
      selfAddress: this.#selfAddress,
      peers: this.#peerPoller,
      latest,
      lifecycle: () => this.#facts.lifecycle,
      syncedSinceStart: () => this.#run.syncedSinceStart,
      backingUp: () => this.#backups.backingUp,
      log,
    });
    this.#backups = new NodeBackups({
      options,
      selfAddress: this.#selfAddress,
      socket: this.#socket,
      latest,
      peers: this.#peerPoller,
      self: (now) => this.status(now),
      stopping: () => this.#stop.requested,
      changed: () => this.#postAnswers(),
      log,
    });
    this.#archive = new NodeArchive({ options, members: (now) => this.#backups.members(now), log });
    this.#eviction = new MemberEviction({
      enabled: options.evictDead,
      selfAddress: this.#selfAddress,
      sampleIntervalMs: options.sampleIntervalMs,
      peers: this.#peerPoller,
      latest,
      setProviderOption: (option) => setProviderOption(this.#socket, option),
      log,
    });
    this.#recovery = new RecoveryDriver({
      options,
      log,
      peers: this.#peers,
      stop: this.#stop,
      setProviderOption: (option, connectTimeoutMs) =>
        setProviderOption(this.#socket, option, connectTimeoutMs),
      setLifecycle: (lifecycle) => this.#setLifecycle(lifecycle),
      self: (now) => this.selfReport(now),
      fresh: () => this.#facts.fresh,
      recovered: () => this.#facts.recovered,
      learned: (datadir, recovered) => {
        this.#facts.datadir = datadir;
        this.#facts.recovered = recovered;
      },
      decided: (action) => this.#metrics.countDecision(action),
      recordChanged: (record) => this.#record.turnChanged(record),
      restoreForNewCluster: this.#backups.restoreHook(() => this.#facts.fresh),
    });
    this.#reports = new NodeReports({
      options,
      selfAddress: this.#selfAddress,
      facts: this.#facts,
      latest,
      answering: this.#answering,
      run: this.#run,
      peers: this.#peers,
      record: () => this.#recovery.record,
    });
    this.#record = new RecoveryRecordKeeper(options.runDir, options.nodeName, log);
    this.#sstCheck = new SstPasswordCheck(this.#socket, options.sstPassword);
    this.#joinProgress = new JoinProgress(options.datadir, (line) => this.log.info(line));
    this.#metrics = new AgentMetrics({
      status: () => this.status(),
      sample: latest,
      answers: () => this.answers(),
      backups: () => this.#backups.counts(),
    });
  }

  /** Every lifecycle change reaches the health listener at once (draining, above all). */
  #setLifecycle(lifecycle: PhaseFacts["lifecycle"]): void {
    this.#facts.lifecycle = lifecycle;
    this.#postAnswers();
  }

  #onSample(s: WsrepSample): void {
    const news = this.#run.observe(s);
    this.#backups.sampled(s);
    this.#archive.sampled();
    if (news.synced) void this.#sstCheck.checkOnce();
    if (news.firstSync) {
      this.#joinProgress.stop();
      clearJoinRecord(this.options.runDir, this.options.datadir);
    }
    if (news.synced) this.#facts.fresh = false;
    if (s.error === null) void this.#eviction.clearOnceDropped(s.clusterConfId);
    if (news.primary) {
      // A bootstrap intent has done its work once this node is in a primary component. Kept
      // any longer, it stood in this node's reports after a later crash of its peers left it
      // running non-primary, and they waited for it to withdraw (the soak found this).
      this.#recovery.primaryReached();
      this.#peerPoller.setMembers(s.incomingAddresses);
      this.#peers.primaryView(s.incomingAddresses, this.#selfAddress, this.#run.syncedSinceStart);
      this.#eviction.soon();
    }
    // Keeps the eligible-since time close to the sample that changed it, and the listener's
    // answers on the new sample.
    this.#postAnswers();
  }

  /** Posts the answers computed now to the listener's worker, with their deadline. */
  #postAnswers(now = Date.now()): void {
    this.#server?.post(this.#answering.posted(now));
  }

  /** The health answers (health-answering.ts): /status and /metrics read them too. */
  answers(now = Date.now()): HealthAnswers {
    return this.#answering.answers(now);
  }

  status(now = Date.now()): NodeStatusReport {
    return { ...this.#reports.status(now), archive: this.#archive.report() };
  }

  /** What this node tells its peers (GET /peer/state), and the "self" of its own decisions. */
  selfReport(now = Date.now()): NodeReport {
    return this.#reports.self(now);
  }

  /** Asks the agent to leave: drain, then stop mariadbd cleanly. */
  requestStop(signal: NodeJS.Signals): void {
    if (this.#stop.request(signal)) this.log.info(`received ${signal}: leaving the cluster cleanly`);
  }

  /** The health listener is down for good: routers and schedulers can no longer see this node. */
  #onListenerFailure(error: Error): void {
    this.log.error(`${error.message}: leaving the cluster cleanly and exiting`);
    this.#stop.fail(error, "health listener failure");
  }

  async run(): Promise<number> {
    const serverUser = lookUpOsUser(this.options.serverUser);
    try {
      // What this agent kept of its recovery before a restart, as resumeRecord allows.
      const exits = await this.#record.resume();
      // Everything that can be wrong with the input is found before anything is written; peers
      // of another cluster name are refused before the datadir is initialised.
      const { datadir, firstReports } = await checkBeforeStart(
        this.options,
        serverUser,
        this.#peers,
        this.log,
      );
      this.#facts.fresh = datadir.empty;
      // The peers' answers of a moment ago serve its refusal check: asking again would wait
      // on this thread, busy loading the SQL driver below.
      if (!datadir.empty) this.#recovery.prepareEarly(serverUser, firstReports);
      // mysql2 is not loaded here: loading it blocks this thread for 0.1–0.5 s, which would
      // keep the peer API from answering just when recovering peers ask for this node's
      // state. The sampler loads it once mariadbd was started, while mariadbd starts up.
      this.#server = await HealthServer.start({
        address: this.options.healthAddress,
        port: this.options.ports.health,
        status: () => this.status(),
        metrics: () => this.#metrics.text(),
        peerState: () => this.selfReport(),
        backup: this.#backups.http,
        onPeerAsk: (address) => this.#peers.noteAsker(address),
        clusterSecret: this.options.clusterSecret,
        ...(this.options.dashboard ? { dashboard: () => this.#dashboard.state() } : {}),
        initial: this.#answering.posted(Date.now()),
        log: this.log,
        onFailure: (error) => this.#onListenerFailure(error),
      });
      // Time alone changes answers too (a sample going stale, a silent member released from
      // the writer election), and the listener must hear from this thread to keep serving.
      this.#refreshTimer = setInterval(() => this.#postAnswers(), answersRefreshMs);
      this.#backups.started(datadir.empty);
      if (this.#stop.requested) return this.#stop.exitCode(ExitCode.ok);
      await initialiseIfEmpty(this.options, serverUser, datadir, this.log);
      this.#peerPoller.start();
      // Its slots wait while no member may take them: a node not synced yet takes none.
      this.#backups.schedule?.start();
      return this.#stop.exitCode(await this.#superviseServer(serverUser, exits));
    } finally {
      // A --wsrep-recover begun early ends before the agent does: its exit is awaited, never
      // left running on the datadir.
      await this.#recovery.settled();
      if (this.#refreshTimer) clearInterval(this.#refreshTimer);
      this.#backups.schedule?.stop();
      await this.#archive.end();
      await this.#sampler.stop();
      this.#peerPoller.stop();
      await this.#server?.close();
    }
  }

  /**
   * Start mariadbd, and start it again when it exits on its own, until asked to stop. Not a
   * SupervisedChild (process/supervised-child.ts): each start is decided with the peers first,
   * and quick exits in a row end the agent; the wait between is the same policy
   * (afterServerExit, restart-backoff.ts).
   */
  async #superviseServer(serverUser: OsUser, exits: ServerExitRecord): Promise<number> {
    let record = exits;
    for (;;) {
      const decision = await this.#recovery.decideStart(serverUser);
      if (decision === "stop") return ExitCode.ok;
      const end = await this.#runServer(serverUser, decision);
      if ("stopped" in end) return end.stopped;
      const next = afterServerExit(record, { ...end.exited, syncedSinceStart: this.#run.syncedSinceStart });
      record = next.record;
      this.#record.serverExited(record);
      if (next.action === "give-up") {
        this.log.error(next.reason);
        return next.exitCode;
      }
      this.#setLifecycle("restarting");
      this.log.warn(next.reason);
      if ((await this.#stop.pause(next.waitMs)) === "stop") return ExitCode.ok;
    }
  }

  /** One run of mariadbd (server-run.ts), deciding in place while it runs outside a primary. */
  async #runServer(serverUser: OsUser, kind: StartKind): Promise<RunEnd> {
    let inPlace: { cancel: () => void } | null = null;
    try {
      return await runServer(
        {
          options: this.options,
          serverUser,
          log: this.log,
          recovered: this.#facts.recovered!,
          peers: () => this.#peers.endpoints(),
          beforeJoin: () => {
            writeJoinRecord(this.options.runDir, this.options.datadir);
            this.#joinProgress.start();
          },
          started: (child, startKind) => {
            this.#sstCheck.reset();
            this.#run.started(child, startKind);
            this.#answering.serverStarted();
            this.#peerPoller.resetObservation();
            this.#recovery.serverStarted();
            this.#setLifecycle("running");
            this.#sampler.start();
            inPlace = this.#recovery.decideInPlace({
              outsidePrimarySince: () => this.#run.outsidePrimarySince,
              // Not selfReport(): that would read gvwstate.dat from disk for one flag.
              runningOutsidePrimary: (now) => this.#reports.live(now).runningOutsidePrimary,
            });
          },
          setLifecycle: (lifecycle) => this.#setLifecycle(lifecycle),
          syncedSinceStart: () => this.#run.syncedSinceStart,
          latest: () => this.#sampler.latest,
          stopWanted: () => this.#stop.watch(),
          fatalWanted: () => this.#sstCheck.failed(),
          drain: () => this.#drain(),
        },
        kind,
      );
    } finally {
      (inPlace as { cancel: () => void } | null)?.cancel();
      this.#run.ended();
    }
  }

  /**
   * /ready and /writer answer 503 for the drain period before mariadbd leaves, so routers
   * move clients away first. Skipped when the node is not in any pool anyway.
   */
  async #drain(): Promise<void> {
    const inPools = this.answers().ready === 200;
    this.#setLifecycle("draining");
    if (!inPools || this.options.drainMs === 0) return;
    this.log.info(
      `draining: /ready and /writer answer 503 for ${this.options.drainMs / 1000} s before leaving`,
    );
    await sleep(this.options.drainMs);
  }
}
