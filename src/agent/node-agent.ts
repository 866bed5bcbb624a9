import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Connection } from "mysql2/promise";
import { setTimeout as sleep } from "node:timers/promises";
import type { AgentOptions } from "../options/agent-options.js";
import { knownPosition } from "../decide/known-position.js";
import { judgeLastStart } from "../decide/last-start.js";
import { newClusterRisk } from "../decide/new-cluster-guard.js";
import {
  decideRecovery,
  intentSettleMs,
  intentAfter,
  keepsBootstrapIntent,
  type RecoveryDecision,
} from "../decide/recovery-decision.js";
import type { NodeReport } from "../model/peer-report.js";
import type { RecoveryFacts } from "../decide/recovery-facts.js";
import { ClusterMismatchError, ExitCode, RefusedError } from "../errors.js";
import { healthAnswers, type HealthAnswers } from "../health/health-policy.js";
import { abandonAfterMs, memberKnowledge, stalled } from "../health/member-knowledge.js";
import { mayClaimWriter } from "../health/writer-election.js";
import { writerHandover, type HandoverState } from "../health/writer-handover.js";
import { evictionVerdict, mayClearEvictions } from "../decide/dead-member.js";
import { tcpRefused } from "../system/tcp-refused.js";
import { sqlString } from "../mysqld/sql-literal.js";
import type { NodeStatusReport as PeerReport } from "../model/node-status.js";

/** Phases of a member that leaves the cluster cleanly: Galera needs no eviction for it. */
const leavingPhases: ReadonlySet<string> = new Set(["draining", "stopping", "stopped"]);

/** Does a member's answer say its mariadbd runs? (Its agent knows: it started it.) */
const serverRuns = (report: PeerReport): boolean => report.pid !== null && report.phase !== "server-down";
import { HealthServer } from "../http/health-server.js";
import { answersDeadline, type PostedAnswers } from "../http/health-routes.js";
import { AgentMetrics } from "../http/metrics.js";
import { stopChild, waitForExit, type ChildExit } from "../system/child-exit.js";
import { initialiseDatadir } from "../mysqld/initialise.js";
import {
  markSafeToBootstrap,
  removeCrashLeftovers,
  writeGrastateFromPosition,
} from "../mysqld/crash-leftovers.js";
import { ZERO_UUID } from "../model/galera-state.js";
import type { DatadirFacts } from "../mysqld/datadir.js";
import { parseGvwstate, type Gvwstate } from "../mysqld/gvwstate.js";
import { lookUpOsUser, type OsUser } from "../mysqld/os-user.js";
import type { RecoveredPosition } from "../model/galera-state.js";
import { recoverPosition } from "../mysqld/wsrep-recover.js";
import { formatEndpoint, type PeerEndpoint } from "../discovery/discovery.js";
import { PeerStatusPoller } from "../peer-api/peer-status-poller.js";
import { fetchNodeStatus } from "../peer-api/node-status-client.js";
import { fetchPeerState, type PeerStateProblem } from "../peer-api/peer-state-client.js";
import { Sampler } from "../probe/sampler.js";
import type { WsrepSample } from "../probe/wsrep-sample.js";
import { version } from "../version.js";
import type { Logger } from "../logger.js";
import { reportFromSample } from "./report-from-sample.js";
import type { DecisionRecord, NodeStatusReport } from "../model/node-status.js";
import { derivePhase, type PhaseFacts } from "./phase.js";
import {
  checkDatadirUsable,
  checkLocalFiles,
  checkPorts,
  discoverPeers,
  inspect,
  writeServerConfig,
} from "./prepare-node.js";
import { recogniseRefusal } from "../mysqld/server-log.js";
import { AgentDashboard } from "../dashboard/agent-dashboard.js";
import { JoinProgress } from "./join-progress.js";
import { livePosition, type LivePosition, type StartKind } from "./live-position.js";
import { afterServerExit, describeExit, exitCodeOf, freshServerExitRecord } from "../decide/server-exit.js";
import { watchDisconnected } from "../decide/stuck-joiner.js";
import { clusterNameRefusal } from "../decide/peer-cluster-name.js";
import { stopWait } from "../decide/stop-wait.js";
import { describeHelpers, removeOwnSstHelpers } from "../mysqld/sst-helpers.js";
import { preferredDonors } from "../health/donor-preference.js";
import { runPaths, sstUserName } from "./run-paths.js";
import { clearJoinRecord, readGvwstateText, readJoinRecord, writeJoinRecord } from "./join-record.js";
import { readRememberedMembers, rememberMembers, type RememberedMember } from "./remembered-members.js";

/**
 * Health answers are recomputed and posted to the listener this often, and reused this long
 * by /status and /metrics (same sample, same lifecycle); far below any staleness bound.
 */
const answersRefreshMs = 100;
/**
 * While it decides, the agent asks its peers and decides again this often (at most the
 * sampling interval). After a total outage every round between the last peer's first answer
 * and the bootstrap is on the critical path (the bootstrapper's intent settles for one round);
 * a round is one small authenticated GET to each peer.
 */
const decisionPollMs = 50;
/** mariadbd outside a primary this long has its agent decide with the peers (Galera's own view changes are shorter). */
const outsidePrimaryGraceMs = 3_000;

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
  readonly #joinProgress: JoinProgress;
  /** The page at /dashboard/ when asked for: this node's view of the cluster. */
  readonly #dashboard = new AgentDashboard(() => ({
    self: this.status(),
    selfAnswers: this.answers(),
    peers: this.#sampler.latest.incomingAddresses
      .filter((member) => member !== this.#selfAddress)
      .map((member) => this.#peerPoller.get(member)?.report)
      .filter((report): report is NodeStatusReport => report !== undefined),
  }));
  #lifecycleNow: PhaseFacts["lifecycle"] = "preparing";
  #syncedSinceStart = false;
  #syncedSince: number | null = null;
  /** When this node last became writer-eligible (Synced, Primary, ready), by this node's clock. */
  #eligibleSince: number | null = null;
  #decision: DecisionRecord | null = null;
  #recovered: RecoveredPosition | null = null;
  #peers: PeerEndpoint[] = [];
  /** Galera endpoints of members seen in our views: a restarted server rejoins them. */
  #knownMembers = new Set<string>();
  /** The members last saved to the datadir (remembered-members.ts); null until read or written. */
  #savedMembers: RememberedMember[] | null = null;
  /** Node names of remembered members, by Galera host: what the recovery rules expect them as. */
  #rememberedNames = new Map<string, string>();
  /** Galera endpoints of peers that asked for this node's state, proving the cluster secret. */
  #askers = new Set<string>();
  /** The datadir was empty at this start and the node has not been synced since. */
  #fresh = false;
  /** What the datadir said at the last decision (grastate, gvwstate). */
  #datadir: DatadirFacts | null = null;
  /** When this node announced it bootstraps (published in its peer state), or null. */
  #intentAt: number | null = null;
  /** The last answer of each peer's state API, by host. */
  /** `malformed`: what was wrong with the peer's last answer, when it was not a report. */
  #peerStates = new Map<
    string,
    { report: NodeReport | null; problem: PeerStateProblem | null; malformed: string | null }
  >();
  #child: ChildProcess | null = null;
  /** How the running mariadbd was started. */
  #startKind: StartKind | null = null;
  /** The node was in a primary component since this mariadbd started. */
  #primarySinceStart = false;
  /** Since when mariadbd has been answering outside any primary component, or null. */
  #outsidePrimarySince: number | null = null;
  /** Why the agent is leaving (a signal, or a failure of its health listener), once it is. */
  #stopReason: string | null = null;
  /** The health listener could not be kept up: the agent leaves and exits non-zero. */
  #listenerFailure: Error | null = null;
  #wakeStop: (() => void) | null = null;
  #server: HealthServer | null = null;
  #refreshTimer: NodeJS.Timeout | null = null;

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
    this.#peerPoller = new PeerStatusPoller(
      options.sampleIntervalMs,
      (member) => {
        if (member === this.#selfAddress) return null;
        const host = member.replace(/:\d+$/, "");
        return `http://${host}:${options.ports.health}/status`;
      },
      // A member's agent gone: if its mariadbd is gone too, evict it now, not at the next sample.
      () => this.#evictDeadMembersSoon(),
      (_member, line) => this.log.warn(`${line}; it counts as not answering`),
    );
    this.#joinProgress = new JoinProgress(options.datadir, (line) => this.log.info(line));
    this.#metrics = new AgentMetrics({
      status: () => this.status(),
      sample: () => this.#sampler.latest,
      answers: () => this.answers(),
    });
  }

  get #lifecycle(): PhaseFacts["lifecycle"] {
    return this.#lifecycleNow;
  }

  /** Every lifecycle change reaches the health listener at once (draining, above all). */
  set #lifecycle(lifecycle: PhaseFacts["lifecycle"]) {
    this.#lifecycleNow = lifecycle;
    this.#postAnswers();
  }

  /** An eviction round is under way (one at a time). */
  #evicting = false;
  /** Member UUIDs this agent had its mariadbd evict. */
  readonly #evicted = new Set<string>();
  /** The last member UUID each member of the view reported (its answers lack it while its mariadbd is down). */
  readonly #memberUuids = new Map<string, string>();
  /** When each member's Galera port last refused our connection. */
  readonly #galeraRefusedAt = new Map<string, number>();

  /** The view id of this node when it last evicted a member, until the evictions are cleared. */
  #evictedAtViewId: number | null = null;

  /** Clears the evict list once Galera has dropped the evicted members (dead-member.ts). */
  async #clearEvictionsOnceDropped(viewId: number | null): Promise<void> {
    if (!mayClearEvictions(this.#evictedAtViewId, viewId)) return;
    const evicted = [...this.#evicted].join(", ");
    this.#evictedAtViewId = null;
    this.#evicted.clear();
    try {
      await this.#setProviderOption("evs.evict=");
      this.log.info(
        `Galera dropped the evicted member ${evicted}: its evict list is cleared, so that a restart of it (same member UUID, from gvwstate.dat) is let back in`,
      );
    } catch (error) {
      this.log.warn(
        `clearing the evict list failed (${(error as Error).message}): a restart of ${evicted} may be refused until this mariadbd restarts`,
      );
    }
  }

  /**
   * The view's size, and how many of its members answer: this node and the peers whose agent
   * answered within three sampling intervals, with its mariadbd running, and has not refused a
   * connection since.
   */
  #answeringView(view: readonly string[]): { size: number; answering: number } {
    const lately = Date.now() - 3 * this.options.sampleIntervalMs;
    const answering = view.filter((address) => {
      if (address === this.#selfAddress) return true;
      const last = this.#peerPoller.get(address);
      const heardAt = last?.receivedAt ?? -Infinity;
      return (
        heardAt >= lately &&
        !this.#peerPoller.refusedSinceLastAnswer(address) &&
        last !== undefined &&
        serverRuns(last.report)
      );
    }).length;
    return { size: view.length, answering };
  }

  /** Starts an eviction round unless one runs, while this node is in a primary component. */
  #evictDeadMembersSoon(): void {
    const sample = this.#sampler.latest;
    if (!this.options.evictDead) return;
    if (this.#evicting || sample.error !== null || sample.clusterStatus !== "Primary") return;
    this.#evicting = true;
    void this.#evictDeadMembers(sample.incomingAddresses).finally(() => (this.#evicting = false));
  }

  /**
   * Evicts the members of the view whose whole node is dead (dead-member.ts): the ones whose
   * agent refuses connections are probed on their Galera port first.
   */
  async #evictDeadMembers(view: readonly string[]): Promise<void> {
    for (const address of view) {
      if (address === this.#selfAddress) continue;
      const last = this.#peerPoller.get(address);
      if (last?.report.memberUuid) this.#memberUuids.set(address, last.report.memberUuid);
      const agentRefusedAt = this.#peerPoller.refusedAt(address);
      const galeraAddress = last?.report.galeraAddress ?? null;
      const serverRunning = last ? serverRuns(last.report) : true;
      const agentGone = this.#peerPoller.refusedSinceLastAnswer(address);
      if (galeraAddress && (agentGone || !serverRunning)) {
        if (await tcpRefused(galeraAddress, 300)) this.#galeraRefusedAt.set(address, Date.now());
      }
      const verdict = evictionVerdict(
        {
          address,
          inView: this.#sampler.latest.incomingAddresses.includes(address),
          last: last && {
            memberUuid: this.#memberUuids.get(address) ?? null,
            galeraAddress,
            receivedAt: last.receivedAt,
            serverRunning,
            leaving: leavingPhases.has(last.report.phase),
          },
          agentRefusedAt,
          galeraRefusedAt: this.#galeraRefusedAt.get(address),
        },
        this.#evicted,
        this.#answeringView(view),
      );
      if (!verdict.evict) continue;
      this.#evicted.add(verdict.memberUuid);
      this.#evictedAtViewId = this.#sampler.latest.clusterConfId;
      this.log.warn(verdict.reason);
      try {
        await this.#setProviderOption(`evs.evict=${verdict.memberUuid}`);
      } catch (error) {
        this.log.warn(
          `evicting ${verdict.memberUuid} failed (${(error as Error).message}); Galera's timeouts will drop it`,
        );
      }
    }
  }

  /** One `SET GLOBAL wsrep_provider_options` on this node's mariadbd, as root over its socket. */
  async #setProviderOption(option: string, connectTimeoutMs = 2000): Promise<void> {
    const mysql = await Sampler.loadDriver();
    const connection = await mysql.createConnection({
      socketPath: runPaths(this.options.runDir).socket,
      user: "root",
      connectTimeout: connectTimeoutMs,
    });
    try {
      await connection.query(`SET GLOBAL wsrep_provider_options=${sqlString(option)}`);
    } finally {
      await connection.end().catch(() => undefined);
    }
  }

  #onSample(s: WsrepSample): void {
    const synced = s.error === null && s.clusterStatus === "Primary" && s.localState === 4;
    if (synced && !this.#sstChecked) void this.#checkSstPassword();
    if (synced && !this.#syncedSinceStart) {
      this.#joinProgress.stop();
      clearJoinRecord(this.options.runDir, this.options.datadir);
    }
    if (synced) {
      this.#syncedSinceStart = true;
      this.#fresh = false;
      this.#syncedSince ??= s.takenAt;
    } else {
      this.#syncedSince = null;
    }
    if (s.error === null) {
      if (s.clusterStatus === "Primary") this.#outsidePrimarySince = null;
      else this.#outsidePrimarySince ??= s.takenAt;
    }
    if (s.error === null) void this.#clearEvictionsOnceDropped(s.clusterConfId);
    if (s.error === null && s.clusterStatus === "Primary") {
      this.#primarySinceStart = true;
      // A bootstrap intent has done its work once this node is in a primary component. Kept
      // any longer, it stood in this node's reports after a later crash of its peers left it
      // running non-primary, and they waited for it to withdraw (the soak found this).
      this.#intentAt = null;
      this.#peerPoller.setMembers(s.incomingAddresses);
      const members: RememberedMember[] = [];
      for (const member of s.incomingAddresses) {
        if (member === this.#selfAddress || !/:\d+$/.test(member)) continue;
        const host = member.replace(/:\d+$/, "");
        const name = this.#peerPoller.get(member)?.report.node ?? this.#rememberedNames.get(host) ?? null;
        members.push({ endpoint: `${host}:${this.options.ports.galera}`, name });
      }
      for (const member of members) this.#knownMembers.add(member.endpoint);
      // Only once synced since this start (a donor too): a state transfer into this node owns the datadir.
      if (this.#syncedSinceStart) this.#rememberMembers(members);
      this.#evictDeadMembersSoon();
    }
    // Keeps the eligible-since time close to the sample that changed it, and the listener's
    // answers on the new sample.
    this.#postAnswers();
  }

  /**
   * Recomputes the health answers and posts them to the listener's worker, with the time
   * after which it must stop serving them (#answersValidUntil).
   */
  #postAnswers(now = Date.now()): void {
    this.#server?.post(this.#postedAnswers(now));
  }

  #postedAnswers(now: number): PostedAnswers {
    return { answers: this.#refreshAnswers(now), validUntil: this.#answersValidUntil(now) };
  }

  /**
   * Until when the listener may serve answers computed now (health-routes.ts): no later
   * than the sample they used stays fresh, nor than this thread may stay silent. Past it,
   * every health path, /live too, answers 503.
   */
  #answersValidUntil(now: number): number {
    const sample = this.#sampler.latest;
    const fromSample =
      (this.#lifecycle === "running" || this.#lifecycle === "draining") && this.#sampleFresh(sample, now);
    return answersDeadline({
      now,
      sampleIntervalMs: this.options.sampleIntervalMs,
      freshSampleTakenAt: fromSample ? sample.takenAt : null,
    });
  }

  /** The staleness rule: a sample older than three sampling intervals counts as unknown. */
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

  /** The writer handover (writer-handover.ts): since when this node's right has held. */
  #handover: HandoverState = { eligibleSince: null, rightSince: null };

  /**
   * Does this node answer 200 on /writer? Only once its right to the role (writer-election.ts)
   * has held for the handover time, so that HAProxy has the previous writer DOWN.
   */
  #isWriter(now: number): boolean {
    const turn = writerHandover(
      this.#handover,
      this.#eligibleSince,
      this.#mayClaim(now),
      now,
      this.options.writerHandoverMs,
    );
    if (turn.claim && !this.#claimLogged) {
      this.log.info(
        `claims the writer role: its right first held ${now - turn.state.rightSince!} ms ago in this period of eligibility (handover ${this.options.writerHandoverMs} ms)`,
      );
    }
    this.#claimLogged = turn.claim;
    this.#handover = turn.state;
    return turn.claim;
  }

  #claimLogged = false;

  /** Has this node the right to the writer role of its primary view? (see writer-election.ts) */
  #mayClaim(now: number): boolean {
    const sample = this.#sampler.latest;
    const others = sample.incomingAddresses
      .filter((address) => address !== this.#selfAddress)
      .map((address) =>
        memberKnowledge(
          {
            address,
            last: this.#peerPoller.get(address),
            firstSeen: this.#peerPoller.firstSeen(address) ?? now,
            refusedAt: this.#peerPoller.refusedAt(address),
          },
          now,
          abandonAfterMs(this.options.sampleIntervalMs),
          this.#listeningSince,
        ),
      );
    return mayClaimWriter({ address: this.#selfAddress, eligibleSince: this.#eligibleSince }, others);
  }

  /**
   * The health answers, recomputed at most every answersRefreshMs for the same sample and
   * lifecycle: /status and /metrics read them too. A new sample, or a lifecycle change such
   * as draining, is seen at once.
   */
  answers(now = Date.now()): HealthAnswers {
    const cached = this.#answersCache;
    if (
      cached &&
      cached.lifecycle === this.#lifecycle &&
      cached.sampleAt === this.#sampler.latest.takenAt &&
      now - cached.at < answersRefreshMs
    ) {
      return cached.value;
    }
    return this.#refreshAnswers(now);
  }

  /** Computes the answers now, whatever the cache holds, and caches them. */
  #refreshAnswers(now: number): HealthAnswers {
    const value = this.#computeAnswers(now);
    this.#answersCache = {
      at: now,
      lifecycle: this.#lifecycle,
      sampleAt: this.#sampler.latest.takenAt,
      value,
    };
    return value;
  }

  /** When the answers were last computed (every answersRefreshMs while the agent runs). */
  #lastComputedAt: number | null = null;
  /** When this agent last began to listen to its peers: its start, or the end of a stall. */
  #listeningSince = Date.now();

  #answersCache: {
    at: number;
    lifecycle: PhaseFacts["lifecycle"];
    sampleAt: number;
    value: HealthAnswers;
  } | null = null;

  #computeAnswers(now: number): HealthAnswers {
    if (stalled(this.#lastComputedAt, now, this.options.sampleIntervalMs)) {
      // Paused or starved: what it knew of its peers is old, and its eligibility was not watched.
      this.#listeningSince = now;
      this.#eligibleSince = null;
      this.log.warn(
        `this agent did not run for ${((now - this.#lastComputedAt!) / 1000).toFixed(1)} s (paused or starved): it claims the writer role again only as a newly eligible member, once it has heard from its peers`,
      );
    }
    this.#lastComputedAt = now;
    const phase = this.#phase(now);
    const readOnly = this.#sampler.latest.readOnly;
    const base = healthAnswers({ phase, readOnly, writer: false }, this.options.health);
    // Eligible since the first computation that found it so: later than any earlier answer
    // that said it was not, which is what the other members' bounds rely on.
    if (phase === "synced" && base.ready === 200) this.#eligibleSince ??= now;
    else this.#eligibleSince = null;
    return healthAnswers({ phase, readOnly, writer: this.#isWriter(now) }, this.options.health);
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
        galeraAddress: `${this.options.address}:${this.options.ports.galera}`,
        syncedSince: this.#syncedSince === null ? null : new Date(this.#syncedSince).toISOString(),
        writerEligibleSince:
          this.#eligibleSince === null ? null : new Date(this.#eligibleSince).toISOString(),
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
    if (this.#stopReason) return;
    this.#stopReason = signal;
    this.log.info(`received ${signal}: leaving the cluster cleanly`);
    this.#wakeStop?.();
  }

  /**
   * The health listener is down for good: routers and schedulers can no longer see this
   * node, so it leaves the cluster cleanly and the agent exits non-zero for its supervisor
   * (the scheduler, or the local runner) to start it again.
   */
  #onListenerFailure(error: Error): void {
    this.#listenerFailure ??= error;
    this.log.error(`${error.message}: leaving the cluster cleanly and exiting`);
    if (this.#stopReason) return;
    this.#stopReason = "health listener failure";
    this.#wakeStop?.();
  }

  /** Resolves when requestStop is called (at once if it already was). */
  #stopWanted(): Promise<"stop"> {
    return new Promise((resolve) => {
      if (this.#stopReason) return resolve("stop");
      this.#wakeStop = () => resolve("stop");
    });
  }

  async run(): Promise<number> {
    const serverUser = lookUpOsUser(this.options.serverUser);
    try {
      // Everything that can be wrong with the input is found before anything is written.
      checkLocalFiles(this.options, serverUser);
      this.#peers = await discoverPeers(this.options, this.log);
      this.#recallMembers();
      // A transfer's helpers left by a killed mariadbd would hold the SST port: not another process's.
      await this.#removeLeftoverSstHelpers();
      await checkPorts(this.options);
      const datadir = inspect(this.options, serverUser);
      checkDatadirUsable(this.options, datadir, serverUser);
      // Peers of another cluster name never let this node in (Galera drops the handshake and
      // mariadbd times out, again and again): refused before the datadir is initialised.
      const firstReports = await this.#gatherPeerStates(this.#peers);
      writeServerConfig(this.options, serverUser, this.#peers);
      this.#fresh = datadir.empty;
      if (!datadir.empty) {
        // The peers' answers of a moment ago serve its refusal check: asking again would wait
        // on this thread, busy loading the SQL driver below.
        this.#earlyPreparation = this.#prepareStart(serverUser, firstReports);
        // Awaited by the first decision; until then a failure (a refusal) must not count as
        // unhandled: it is thrown there, or dropped with the agent if the start fails first.
        this.#earlyPreparation.catch(() => undefined);
      }
      // mysql2 is not loaded here: loading it blocks this thread for 0.1–0.5 s, which would
      // keep the peer API from answering just when recovering peers ask for this node's
      // state. The sampler loads it once mariadbd was started, while mariadbd starts up.
      this.#server = await HealthServer.start({
        address: this.options.healthAddress,
        port: this.options.ports.health,
        status: () => this.status(),
        metrics: () => this.#metrics.text(),
        peerState: () => this.selfReport(),
        onPeerAsk: (address) => this.#noteAsker(address),
        clusterSecret: this.options.clusterSecret,
        ...(this.options.dashboard ? { dashboard: () => this.#dashboard.state() } : {}),
        initial: this.#postedAnswers(Date.now()),
        log: this.log,
        onFailure: (error) => this.#onListenerFailure(error),
      });
      // Time alone changes answers too (a sample going stale, a silent member released from
      // the writer election), and the listener must hear from this thread to keep serving.
      this.#refreshTimer = setInterval(() => this.#postAnswers(), answersRefreshMs);
      if (this.#stopReason) return this.#exitCode(ExitCode.ok);
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
      return this.#exitCode(await this.#superviseServer(serverUser));
    } finally {
      // A --wsrep-recover begun early ends before the agent does: its exit is awaited, never
      // left running on the datadir.
      await this.#earlyPreparation?.catch(() => undefined);
      if (this.#refreshTimer) clearInterval(this.#refreshTimer);
      await this.#sampler.stop();
      this.#peerPoller.stop();
      await this.#server?.close();
    }
  }

  /** A failed health listener makes the exit non-zero, however cleanly mariadbd left. */
  #exitCode(code: number): number {
    return this.#listenerFailure && code === ExitCode.ok ? ExitCode.unexpected : code;
  }

  /** Start mariadbd, and start it again when it exits on its own, until asked to stop. */
  async #superviseServer(serverUser: OsUser): Promise<number> {
    let record = freshServerExitRecord;
    for (;;) {
      const decision = await this.#decide(serverUser);
      if (decision === "stop") return ExitCode.ok;
      const exit = await this.#runServer(serverUser, decision);
      if (exit === "stopped") return this.#stopExitCode;
      const next = afterServerExit(record, { ...exit, syncedSinceStart: this.#syncedSinceStart });
      record = next.record;
      if (next.action === "give-up") {
        this.log.error(next.reason);
        return next.exitCode;
      }
      this.#lifecycle = "restarting";
      this.log.warn(next.reason);
      if ((await this.#pause(next.waitMs)) === "stop") return ExitCode.ok;
    }
  }

  #stopExitCode: number = ExitCode.ok;
  /** An error found while mariadbd runs that ends the agent (the SST password check). */
  #fatal: ClusterMismatchError | null = null;
  #wakeFatal: (() => void) | null = null;
  #sstChecked = false;

  #fatalWanted(): Promise<"fatal"> {
    return new Promise((resolve) => {
      if (this.#fatal) return resolve("fatal");
      this.#wakeFatal = () => resolve("fatal");
    });
  }

  /**
   * The SST user must log in with XTRABACKUP_PASSWORD: a donor runs mariabackup with it, and
   * a datadir initialised with another password fails every joiner's SST (the joiner only
   * sees "SST failed"). Checked once mariadbd answers, on each start.
   */
  async #checkSstPassword(): Promise<void> {
    if (this.#sstChecked) return;
    this.#sstChecked = true;
    let connection: Connection | null = null;
    const mysql = await Sampler.loadDriver();
    try {
      connection = await mysql.createConnection({
        socketPath: runPaths(this.options.runDir).socket,
        user: sstUserName,
        password: this.options.sstPassword.reveal(),
        connectTimeout: 5000,
      });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === "ER_ACCESS_DENIED_ERROR") {
        this.#fatal = new ClusterMismatchError(
          `XTRABACKUP_PASSWORD is not the password of the SST user "${sstUserName}" in this datadir, so this node could never serve a state transfer: every joiner asking it would fail; it left the cluster cleanly and its datadir is intact; set the password the datadir was initialised with, or change it with ALTER USER '${sstUserName}'@'localhost' IDENTIFIED BY … on the cluster`,
        );
        this.#wakeFatal?.();
      } else {
        // Not a verdict on the password (the server is going away, say): checked again next start.
        this.#sstChecked = false;
      }
    } finally {
      await connection?.end().catch(() => undefined);
    }
  }

  /** Sleeps, or returns early with "stop" when a stop is requested. */
  async #pause(ms: number): Promise<"slept" | "stop"> {
    return Promise.race([sleep(ms).then(() => "slept" as const), this.#stopWanted()]);
  }

  /**
   * With no peer configured or discovered, the members this node last saw become its peers: a
   * restarted seed asks them before deciding, and expects them (never bootstraps alone while
   * they may hold the cluster). Configured peers, when there are any, are the membership.
   */
  #recallMembers(): void {
    const remembered = readRememberedMembers(this.options.datadir);
    this.#savedMembers = remembered;
    if (this.#peers.length > 0 || remembered.length === 0) return;
    for (const { endpoint, name } of remembered) {
      this.#knownMembers.add(endpoint);
      if (name !== null)
        this.#rememberedNames.set(endpoint.replace(/:\d+$/, "").replace(/^\[|\]$/g, ""), name);
    }
    const described = remembered.map((m) => (m.name ? `${m.name} at ${m.endpoint}` : m.endpoint));
    this.log.info(
      `no peers configured: asking the members this node last saw in its cluster (${described.join(", ")}), and waiting for them as for configured peers; one that comes back at another address is known by its name once it asks for this node's state`,
    );
  }

  /**
   * A peer proved the cluster secret asking for this node's state: it is a member, wherever it
   * runs now (a container started again gets another address). It is asked back from now on.
   */
  #noteAsker(address: string): void {
    // A connection over loopback leaves from 127.0.0.1 whatever address its sender listens on:
    // that says nothing of where the peer is (it is one of this machine's configured peers).
    if (address === this.options.address || /^127\./.test(address) || address === "::1") return;
    const endpoint = `${address.includes(":") ? `[${address}]` : address}:${this.options.ports.galera}`;
    if (this.#askers.has(endpoint) || this.#knownMembers.has(endpoint)) return;
    if (this.#peers.some((p) => p.address === address)) return;
    this.#askers.add(endpoint);
    this.log.info(`peer ${address} asked for this node's state: asking it too from now on`);
  }

  /** Keeps the members of the current primary component in the datadir when they changed. */
  #rememberMembers(members: readonly RememberedMember[]): void {
    try {
      if (rememberMembers(this.options.datadir, members, this.#savedMembers)) {
        this.#savedMembers = [...members];
      }
    } catch (error) {
      this.log.warn(
        `could not save the cluster's members in the datadir (${error instanceof Error ? error.message : String(error)}); a restart without configured peers would not know them`,
      );
    }
  }

  /** The peers to ask and to join: configured ones, plus members seen in our views. */
  #peerEndpoints(): PeerEndpoint[] {
    const known = [...this.#knownMembers, ...this.#askers].map((e) => {
      const i = e.lastIndexOf(":");
      return { address: e.slice(0, i).replace(/^\[|\]$/g, ""), port: Number(e.slice(i + 1)) };
    });
    return dedupe([...this.#peers, ...known]);
  }

  /** What this node tells its peers (GET /peer/state), and the "self" of its own decisions. */
  selfReport(now = Date.now()): NodeReport {
    const sample = this.#sampler.latest;
    const live = this.#livePosition(now);
    const recovered = this.#recovered;
    // A node synced since its start has been through views Galera wrote since: the file as it
    // is now. One still awaiting pc.recovery restores the view it started with, whatever
    // Galera rewrites meanwhile, so that one is what its peers must compare theirs with.
    const gvw =
      live.runningOutsidePrimary && this.#syncedSinceStart
        ? this.#currentGvwstate()
        : this.#datadir?.gvwstate;
    return {
      name: this.options.nodeName,
      inPrimary: live.inPrimary,
      primaryUuid: live.inPrimary ? sample.clusterStateUuid : null,
      position: live.position ?? (recovered ? { uuid: recovered.uuid, seqno: recovered.seqno } : null),
      running: live.runningOutsidePrimary,
      safeToBootstrap: this.#datadir?.grastate?.safeToBootstrap ?? false,
      fresh: this.#fresh,
      lastPrimaryView:
        gvw && gvw !== "empty" ? { myUuid: gvw.myUuid, members: gvw.members.map((m) => m.uuid) } : null,
      bootstrapIntentAt: this.#intentAt,
      reportedAt: now,
      clusterName: this.options.clusterName,
    };
  }

  /** What the last sample says of this node's data (live-position.ts). */
  #livePosition(now: number): LivePosition {
    const sample = this.#sampler.latest;
    return livePosition({
      sample: this.#sampleFresh(sample, now) ? sample : null,
      serverRunning: this.#lifecycle === "running" || this.#lifecycle === "draining",
      startKind: this.#startKind,
      syncedSinceStart: this.#syncedSinceStart,
      primarySinceStart: this.#primarySinceStart,
      startPosition: this.#recovered && { uuid: this.#recovered.uuid, seqno: this.#recovered.seqno },
    });
  }

  /**
   * gvwstate.dat as mariadbd left it now; null when absent or unreadable (Galera replaces it
   * whole, so a torn read is a missed rename and the next report reads it again). Without a
   * view this node claims no member of anyone's, which can only make the others wait.
   */
  #currentGvwstate(): Gvwstate | null {
    try {
      const parsed = parseGvwstate(readFileSync(join(this.options.datadir, "gvwstate.dat"), "utf8"));
      return parsed === "empty" ? null : parsed;
    } catch {
      return null;
    }
  }

  /** Asks every peer for its state, in parallel; remembers each answer or problem by host. */
  async #gatherPeerStates(peers: readonly PeerEndpoint[]): Promise<NodeReport[]> {
    const timeoutMs = Math.min(1000, this.options.sampleIntervalMs * 2);
    await Promise.all(
      peers.map(async (peer) => {
        const host = peer.address.includes(":") ? `[${peer.address}]` : peer.address;
        const heard: { malformed?: string } = {};
        const result = await fetchPeerState(
          `http://${host}:${this.options.ports.health}`,
          this.options.clusterSecret,
          timeoutMs,
          (line) => (heard.malformed = line),
        );
        const previous = this.#peerStates.get(peer.address);
        // Said once for each new way a peer's answer is wrong, not at every ask.
        if (heard.malformed !== undefined && heard.malformed !== previous?.malformed) {
          this.log.warn(`${heard.malformed}; it counts as not answering`);
        }
        this.#peerStates.set(peer.address, {
          report: result.ok ? result.report : (previous?.report ?? null),
          problem: result.ok ? null : result.problem,
          malformed: result.ok ? null : (heard.malformed ?? previous?.malformed ?? null),
        });
      }),
    );
    const reports = peers.flatMap((p) => {
      const report = this.#peerStates.get(p.address)?.report;
      return report ? [{ peer: p, report }] : [];
    });
    const refusal = clusterNameRefusal(
      this.options.clusterName,
      reports.map(({ peer, report }) => ({ address: peer.address, report })),
    );
    if (refusal !== null) throw new ClusterMismatchError(refusal);
    return reports.map(({ report }) => report);
  }

  /**
   * Everything a start decides from, before the first decision: crash leftovers removed, the
   * config written, a datadir of another cluster refused while untouched, the position
   * known (from grastate.dat, or InnoDB's word through `mariadbd --wsrep-recover`). Returns
   * the peers' reports when they are no older than the position. `justAsked`: the peers'
   * reports if they were gathered an instant ago (the agent's first start), else they are.
   */
  async #prepareStart(serverUser: OsUser, justAsked?: NodeReport[]): Promise<NodeReport[] | null> {
    this.#lifecycle = "preparing";
    const found = inspect(this.options, serverUser);
    // How the last start ended, read before the crash leftovers (sst_in_progress among them) go.
    const lastStart = judgeLastStart({
      grastate: found.grastate,
      grastateEmpty: found.grastateEmpty,
      transferLeftovers: !found.empty && !existsSync(join(this.options.datadir, "mysql")),
      sstInProgress: existsSync(join(this.options.datadir, "sst_in_progress")),
      joinRecord: readJoinRecord(this.options.runDir, this.options.datadir),
      gvwstate: readGvwstateText(this.options.datadir),
    });
    if (lastStart.voidView !== null) {
      // Before mariadbd can read it: Galera would restore that view by itself.
      rmSync(join(this.options.datadir, "gvwstate.dat"), { force: true });
      this.log.warn(
        `removed gvwstate.dat: ${lastStart.voidView}; recovery compares the nodes' positions instead of letting Galera restore that view`,
      );
    }
    for (const leftover of removeCrashLeftovers(this.options.datadir))
      this.log.info(`removed ${leftover} left by a crash`);
    this.#datadir = inspect(this.options, serverUser);
    const peers = this.#peerEndpoints();
    writeServerConfig(this.options, serverUser, peers);
    const paths = runPaths(this.options.runDir);
    // Before --wsrep-recover touches InnoDB: a datadir of another cluster is refused as it was
    // found. grastate.dat's UUID is enough to tell (its seqno may still be unknown).
    const grastate = this.#datadir.grastate;
    this.#recovered = grastate ? { uuid: grastate.uuid, seqno: grastate.seqno, gtid: null } : null;
    let reports: NodeReport[] | null = null;
    if (grastate && !this.#fresh) {
      reports = justAsked ?? (await this.#gatherPeerStates(peers));
      const early = decideRecovery(this.#recoveryFacts(reports, peers, Date.now(), Date.now()));
      if (early.action === "refuse") {
        this.#record(early, true);
        this.#lifecycle = "refused";
        throw new RefusedError(`${early.reason}; mariadbd was not started and the datadir was not changed`);
      }
    }
    // After a clean shutdown grastate.dat holds the position; only seqno -1 needs InnoDB's word.
    const known = knownPosition(grastate, lastStart.transferCutShort);
    if (known.known) {
      this.#recovered = { ...known.position, gtid: null };
    } else {
      this.log.info(`recovering the position: ${known.reason}`);
      this.#recovered = await recoverPosition(this.options.mysqldPath, paths.config, serverUser.name);
      // The peers' answers above are older than a full mariadbd start: ask again.
      reports = null;
      const recovered = this.#recovered;
      if (
        !this.#datadir.grastateEmpty &&
        grastate === null &&
        recovered.uuid !== ZERO_UUID &&
        recovered.seqno >= 0
      ) {
        writeGrastateFromPosition(this.options.datadir, recovered, serverUser);
        this.#datadir = inspect(this.options, serverUser);
        this.log.info(
          `wrote grastate.dat from the recovered position (cluster ${recovered.uuid}): without it Galera would take this node for one that never joined a cluster`,
        );
      }
    }
    this.log.info(
      `recovered position ${this.#recovered.uuid}:${this.#recovered.seqno} ${known.known ? known.reason : "with --wsrep-recover"}`,
    );
    return reports;
  }

  /**
   * The first start's preparation, begun by run() before the health listener and the SQL
   * driver are up, so a `--wsrep-recover` after a crash runs while the agent finishes
   * starting instead of after it (it is on the critical path of a total outage's recovery).
   */
  #earlyPreparation: Promise<NodeReport[] | null> | null = null;

  /**
   * Recover the position, then decide with the peers (docs/recovery.md) until the decision is to
   * start: join (or let Galera's pc.recovery act) or bootstrap. While waiting, / answers 100
   * and /status says what for. Each new decision is logged as one sentence.
   */
  async #decide(serverUser: OsUser): Promise<StartKind | "stop"> {
    const preparation = this.#earlyPreparation ?? this.#prepareStart(serverUser);
    this.#earlyPreparation = null;
    let reports = await preparation;
    const waitingSince = Date.now();
    let lastLogged = 0;
    for (;;) {
      if (this.#stopReason) return "stop";
      // Asked again each round: a peer that asked for this node's state meanwhile is one too.
      const peers = this.#peerEndpoints();
      reports ??= await this.#gatherPeerStates(peers);
      const now = Date.now();
      const decision = decideRecovery(this.#recoveryFacts(reports, peers, now, waitingSince));
      this.#intentAt = intentAfter(this.#intentAt, decision, this.options.nodeName, now);
      if (this.#record(decision, now - lastLogged > 30_000)) lastLogged = now;
      switch (decision.action) {
        case "join":
          return decision.action;
        case "await-pc-recovery":
          this.#refuseNewClusterRisk(serverUser, decision.action);
          return decision.action;
        case "bootstrap":
        case "bootstrap-new-cluster":
          this.#refuseNewClusterRisk(serverUser, "bootstrap");
          if (decision.action === "bootstrap" && markSafeToBootstrap(this.options.datadir)) {
            this.log.info("marked grastate.dat safe_to_bootstrap: 1, as the decision above chose this node");
          }
          return "bootstrap";
        case "refuse":
          this.#lifecycle = "refused";
          throw new RefusedError(`${decision.reason}; mariadbd was not started`);
        default:
          this.#lifecycle = "waiting";
          reports = null;
          if ((await this.#pause(this.#decisionIntervalMs)) === "stop") return "stop";
      }
    }
  }

  /**
   * The last check before a start that may form a primary from this datadir alone
   * (new-cluster-guard.ts): grastate.dat is read again, as Galera will read it.
   */
  #refuseNewClusterRisk(serverUser: OsUser, kind: StartKind): void {
    const risk = newClusterRisk({
      kind,
      fresh: this.#fresh,
      grastateUuid: inspect(this.options, serverUser).grastate?.uuid ?? null,
      startPosition: this.#recovered ?? { uuid: ZERO_UUID, seqno: -1 },
    });
    if (risk === null) return;
    this.#lifecycle = "refused";
    throw new RefusedError(
      `${risk}; mariadbd was not started and the data was left as it is; move this datadir aside so the node rejoins by a state transfer, or restore its grastate.dat`,
    );
  }

  /** One frozen snapshot for the decision: own report, peers' reports, configuration, time. */
  #recoveryFacts(
    reports: NodeReport[],
    peers: readonly PeerEndpoint[],
    now: number,
    waitingSince: number,
  ): RecoveryFacts {
    return {
      self: this.selfReport(now),
      peers: reports,
      // A peer is known by its reported name once it answered, by its address before. Peers
      // known only because they asked are asked, not waited for: one that is a remembered
      // member is expected under its remembered name already.
      expected: [
        this.options.nodeName,
        ...peers
          .filter((p) => !this.#askers.has(formatEndpoint(p)))
          .map(
            (p) =>
              this.#peerStates.get(p.address)?.report?.name ??
              this.#rememberedNames.get(p.address) ??
              p.address,
          ),
      ],
      mode: this.options.mode,
      now,
      waitingSince,
      forceBootstrapAfterMs: this.options.forceBootstrapAfterMs,
      reportTtlMs: this.#reportTtlMs,
      intentSettleMs: this.#intentSettleMs(),
    };
  }

  /** A peer's report older than this is ignored: three polls missed, plus a fetch timeout. */
  get #reportTtlMs(): number {
    return 3 * this.options.sampleIntervalMs + 1000;
  }

  /** How often the peers are asked while deciding. */
  get #decisionIntervalMs(): number {
    return Math.min(decisionPollMs, this.options.sampleIntervalMs);
  }

  /** How long a bootstrap intent stands before the announcer acts: see intentSettleMs (pure). */
  #intentSettleMs(): number {
    return intentSettleMs({
      mode: this.options.mode,
      forceConfigured: this.options.forceBootstrapAfterMs !== null,
      fresh: this.#fresh,
      reportTtlMs: this.#reportTtlMs,
      intervalMs: this.options.sampleIntervalMs,
      decisionIntervalMs: this.#decisionIntervalMs,
    });
  }

  /** Keeps the decision for /status; logs it when it changed, or again after a while. Returns whether it logged. */
  #record(decision: RecoveryDecision, repeat: boolean): boolean {
    const changed = this.#decision?.reason !== decision.reason;
    if (changed) {
      this.#decision = { action: decision.action, reason: decision.reason, at: new Date().toISOString() };
      this.#metrics.countDecision(decision.action);
    }
    if (changed || repeat) this.log.info(`decision: ${decision.action}: ${decision.reason}`);
    return changed || repeat;
  }

  /** Runs mariadbd once: until it exits on its own, or until a stop (drain, then SIGTERM). */
  async #runServer(serverUser: OsUser, decision: StartKind): Promise<ChildExit | "stopped"> {
    const paths = runPaths(this.options.runDir);
    const recovered = this.#recovered!;
    const args = [`--defaults-file=${paths.config}`, `--user=${serverUser.name}`];
    if (decision === "bootstrap") args.push("--wsrep-new-cluster");
    // No peer was in a primary component (else the decision would be to join it), so none is
    // a synced donor to ask for: pc.recovery restores the primary, and Galera picks donors.
    else if (decision === "join") {
      const donors = await this.#preferredDonors();
      // A trailing comma: any other node when these cannot serve.
      if (donors.length > 0) args.push(`--wsrep-sst-donor=${donors.join(",")},`);
    }
    args.push(`--wsrep-start-position=${recovered.uuid}:${recovered.seqno}`, ...this.options.mysqldArgs);
    if (decision !== "bootstrap") {
      // A state transfer may now rewrite the datadir, and Galera save views this node holds no
      // data in: the next start must know whether this one synced (join-record.ts). Removed once synced.
      writeJoinRecord(this.options.runDir, this.options.datadir);
      this.#joinProgress.start();
    }
    await this.#removeLeftoverSstHelpers();
    // The peers known now (a peer that asked meanwhile too) are the ones mariadbd connects to.
    writeServerConfig(this.options, serverUser, this.#peerEndpoints());
    const child = spawn(this.options.mysqldPath, args, { stdio: ["ignore", "inherit", "pipe"] });
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
    this.#sstChecked = false;
    this.#child = child;
    this.#syncedSinceStart = false;
    this.#startKind = decision;
    this.#primarySinceStart = false;
    this.#outsidePrimarySince = null;
    this.#syncedSince = null;
    this.#eligibleSince = null;
    this.#peerPoller.resetObservation();
    this.#lifecycle = "running";
    this.log.info(`mariadbd started (pid ${child.pid ?? "?"})`);
    this.#sampler.start();
    const outside = this.#takePartOutsidePrimary();
    try {
      const stuck = this.#stuckDisconnected();
      const first = await Promise.race([exited, this.#stopWanted(), stuck.promise, this.#fatalWanted()]);
      stuck.cancel();
      if (first === "fatal") {
        const fatal = this.#fatal!;
        this.#lifecycle = "stopping";
        await this.#drain();
        await stopChild(child, exited, this.options.stopTimeoutMs);
        this.#lifecycle = "refused";
        throw fatal;
      }
      if (typeof first === "object" && "stuck" in first) {
        this.log.warn(first.stuck);
        return { ...(await stopChild(child, exited, this.options.stopTimeoutMs)), exitCode: 1 };
      }
      if (first !== "stop" && refusal !== null && !this.#syncedSinceStart) {
        // Let the pipe deliver mariadbd's last lines before deciding.
        await sleep(100);
        this.#lifecycle = "refused";
        throw new ClusterMismatchError(
          `mariadbd could not join: ${refusal}; it ${describeExit(first)} and is not restarted, since it would be refused again; nothing of the cluster reached its datadir; give this node a certificate and key issued by the cluster's CA, and that CA (GALERA_PILOT_TLS_CERT, _KEY, _CA)`,
        );
      }
      if (first !== "stop") return first;
      await this.#drain();
      this.#lifecycle = "stopping";
      const wait = stopWait({
        startKind: this.#startKind,
        syncedSinceStart: this.#syncedSinceStart,
        stopTimeoutMs: this.options.stopTimeoutMs,
      });
      if (wait.joining) this.log.info(`stopping: ${wait.joining}`);
      const exit = await stopChild(child, exited, wait.waitMs);
      if (exit.forcedKill) this.log.warn(`mariadbd did not stop within ${wait.waitMs / 1000} s: killed it`);
      // Killed mid-transfer, its helpers outlive it and hold the SST port.
      if (wait.joining) await this.#removeLeftoverSstHelpers();
      this.#lifecycle = "stopped";
      this.#stopExitCode = exit.exitCode === 0 ? ExitCode.ok : exitCodeOf(exit);
      this.log.info(
        exit.exitCode === 0
          ? "mariadbd left the cluster and exited cleanly"
          : `mariadbd ${describeExit(exit)}`,
      );
      return "stopped";
    } finally {
      outside.cancel();
      this.#child = null;
    }
  }

  /**
   * While mariadbd runs outside any primary component, the agent decides with its peers as a
   * stopped node would (docs/recovery.md), on its live position, so that the survivor of a majority
   * crash takes part in the recovery. Most often there is nothing to do: its peers, back with
   * the same gvwstate.dat view, await Galera's pc.recovery, which restores the primary with
   * this node as it runs. When the decision names this node to bootstrap, it does so in place.
   * A short stay outside a primary (a view change, a brief partition) is left to Galera.
   */
  #takePartOutsidePrimary(): { cancel: () => void } {
    let cancelled = false;
    let lastLogged = 0;
    // Only the intent announced here is withdrawn here. One announced before this start (the
    // bootstrap that started mariadbd) stands until the node is primary (#onSample): while
    // mariadbd starts, no sample answers, and withdrawing it then would let another node
    // claim beside a bootstrap under way.
    let announcedHere = false;
    const withdraw = (): void => {
      if (announcedHere) this.#intentAt = null;
      announcedHere = false;
    };
    const tick = async (): Promise<void> => {
      const now = Date.now();
      const since = this.#outsidePrimarySince;
      // Not selfReport(): that would read gvwstate.dat from disk for one flag.
      if (since === null || !this.#livePosition(now).runningOutsidePrimary) return withdraw();
      if (now - since < outsidePrimaryGraceMs) return;
      const peers = this.#peerEndpoints();
      const reports = await this.#gatherPeerStates(peers);
      if (cancelled) return;
      const at = Date.now();
      const decision = decideRecovery(this.#recoveryFacts(reports, peers, at, since));
      if (keepsBootstrapIntent(decision, this.options.nodeName)) {
        this.#intentAt ??= at;
        announcedHere = true;
      } else withdraw();
      if (this.#record(decision, at - lastLogged > 30_000)) lastLogged = at;
      if (decision.action === "bootstrap-in-place") await this.#bootstrapInPlace();
    };
    let lastFailure = "";
    void (async () => {
      while (!cancelled) {
        try {
          await tick();
          lastFailure = "";
        } catch (error) {
          // Said once per new failure, not every round.
          const message = (error as Error).message;
          if (message !== lastFailure) {
            this.log.warn(
              `deciding outside a primary component failed (${message}); mariadbd keeps running as it is; trying again`,
            );
          }
          lastFailure = message;
        }
        await sleep(this.#decisionIntervalMs);
      }
    })();
    return { cancel: () => (cancelled = true) };
  }

  /** Makes this node's component primary where it stands: Galera's pc.bootstrap. */
  async #bootstrapInPlace(): Promise<void> {
    await this.#setProviderOption("pc.bootstrap=YES", 5000);
    this.log.info("set pc.bootstrap=YES on the running mariadbd: its component becomes the primary");
    // Give the samples time to see the primary before deciding again.
    await sleep(2 * this.options.sampleIntervalMs);
  }

  /**
   * The donors a joiner asks for: synced peers that are not the writer, nor about to become
   * it (donor-preference.ts). Empty when no peer answers: Galera chooses.
   */
  async #preferredDonors(): Promise<string[]> {
    const timeoutMs = Math.min(1000, this.options.sampleIntervalMs * 2);
    const reports = await Promise.all(
      this.#peerEndpoints().map((peer) => {
        const host = peer.address.includes(":") ? `[${peer.address}]` : peer.address;
        return fetchNodeStatus(`http://${host}:${this.options.ports.health}`, timeoutMs);
      }),
    );
    return preferredDonors(reports);
  }

  /**
   * Resolves "stuck" when a joiner's mariadbd answers but has been Disconnected from the
   * cluster for disconnectedRestartMs: after a failed IST or SST Galera stays up, logs "node
   * restart required", and never rejoins by itself.
   */
  #stuckDisconnected(): { promise: Promise<{ stuck: string }>; cancel: () => void } {
    let timer: NodeJS.Timeout | undefined;
    let since: number | null = null;
    const promise = new Promise<{ stuck: string }>((resolve) => {
      timer = setInterval(() => {
        const verdict = watchDisconnected(since, this.#sampler.latest, this.#syncedSinceStart);
        since = verdict.since;
        if (verdict.restart !== null) resolve({ stuck: verdict.restart });
      }, this.options.sampleIntervalMs);
    });
    return { promise, cancel: () => clearInterval(timer) };
  }

  /** Kills this node's SST helpers left by an earlier mariadbd (sst-helpers.ts says which), and says so. */
  async #removeLeftoverSstHelpers(): Promise<void> {
    const removed = await removeOwnSstHelpers({
      datadir: this.options.datadir,
      address: this.options.address,
      port: this.options.ports.sst,
    });
    if (removed.length > 0) {
      this.log.warn(
        `removed the state transfer helpers an earlier mariadbd of this node left running: ${describeHelpers(removed)}; they held the SST port, and that transfer had ended with its mariadbd`,
      );
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
