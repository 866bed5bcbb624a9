// The agent's recovery turns (decide/recovery-turn.ts), with the I/O around them: the peers
// asked each round, the decision acted on. Stopped, it decides how to start mariadbd; with
// mariadbd running outside a primary, it decides in place (decide-in-place.ts). It keeps the
// turn record: the last decision and this node's bootstrap intent, published in its reports.
import { setTimeout as sleep } from "node:timers/promises";
import { decisionTiming, type DecisionTiming } from "../decide/decision-timing.js";
import { newClusterRisk } from "../decide/new-cluster-guard.js";
import { decideRecovery, type RecoveryDecision } from "../decide/recovery-decision.js";
import type { RecoveryFacts } from "../decide/recovery-facts.js";
import {
  beginWait,
  freshTurnRecord,
  recoveryTurn,
  runStarted,
  withdrawnInPlace,
  type TurnRecord,
  type TurnSnapshot,
} from "../decide/recovery-turn.js";
import type { PeerEndpoint } from "../discovery/discovery.js";
import { RefusedError } from "../errors.js";
import type { Logger } from "../logger.js";
import { ZERO_UUID, type RecoveredPosition } from "../model/galera-state.js";
import type { RecoveryAction } from "../model/node-status.js";
import type { NodeReport } from "../model/peer-report.js";
import { markSafeToBootstrap } from "../mysqld/crash-leftovers.js";
import type { DatadirFacts } from "../mysqld/datadir.js";
import type { OsUser } from "../mysqld/os-user.js";
import type { AgentOptions } from "../options/agent-options.js";
import { decideInPlace } from "./decide-in-place.js";
import type { StartKind } from "./live-position.js";
import type { PhaseFacts } from "./phase.js";
import { inspect } from "./prepare-node.js";
import { prepareStart } from "./start-preparation.js";
import type { StopRequest } from "./stop-request.js";

/**
 * What the turns ask of the peers: peer-directory.ts's PeerDirectory (the peer API), or an
 * in-memory stand-in in the unit tests.
 */
export interface PeerAsking {
  /** The peers to ask and to join. */
  endpoints(): PeerEndpoint[];
  /** Each peer's report, asked now; throws when a peer refuses the start (another cluster name). */
  gather(peers: readonly PeerEndpoint[]): Promise<NodeReport[]>;
  /** The names the recovery rules expect besides this node's. */
  expectedNames(peers: readonly PeerEndpoint[]): string[];
}

export interface RecoveryDriverDeps {
  options: AgentOptions;
  log: Logger;
  peers: PeerAsking;
  stop: StopRequest;
  /** Sets a provider option on this node's running mariadbd (probe/server-sql.ts, on its socket). */
  setProviderOption(option: string, connectTimeoutMs: number): Promise<void>;
  setLifecycle(lifecycle: PhaseFacts["lifecycle"]): void;
  /** This node's own report now (self-report.ts). */
  self(now: number): NodeReport;
  fresh(): boolean;
  recovered(): RecoveredPosition | null;
  learned(datadir: DatadirFacts, recovered: RecoveredPosition | null): void;
  /** A new decision: counted in /metrics. */
  decided(action: RecoveryAction): void;
  /** The turn record changed (a decision, the intent): the agent keeps it. */
  recordChanged(record: TurnRecord): void;
  /**
   * GALERA_PILOT_RESTORE_FROM: fills this node's fresh datadir from the backup, once it is
   * chosen to bootstrap a new cluster (restore-new-cluster.ts); absent without the setting.
   */
  restoreForNewCluster?: (serverUser: OsUser) => Promise<void>;
}

export class RecoveryDriver {
  readonly #deps: RecoveryDriverDeps;
  #record: TurnRecord = freshTurnRecord;
  /**
   * The first start's preparation, begun by run() before the health listener and the SQL
   * driver are up, so a `--wsrep-recover` after a crash runs while the agent finishes
   * starting instead of after it (it is on the critical path of a total outage's recovery).
   */
  #early: Promise<NodeReport[] | null> | null = null;

  constructor(deps: RecoveryDriverDeps) {
    this.#deps = deps;
  }

  get record(): TurnRecord {
    return this.#record;
  }

  #keep(record: TurnRecord): void {
    const before = this.#record;
    this.#record = record;
    if (before.decision !== record.decision || before.intent?.at !== record.intent?.at) {
      this.#deps.recordChanged(record);
    }
  }

  /** A bootstrap intent has done its work once this node is in a primary component. */
  primaryReached(): void {
    if (this.#record.intent !== null) this.#keep({ ...this.#record, intent: null });
  }

  /** A new run of mariadbd: the first decision of its stay outside a primary is logged. */
  serverStarted(): void {
    this.#record = runStarted(this.#record);
  }

  /** Begins the first start's preparation now; the first decision awaits it. */
  prepareEarly(serverUser: OsUser, justAsked: NodeReport[]): void {
    this.#early = this.#prepare(serverUser, justAsked);
    // Until then a failure (a refusal) must not count as unhandled: it is thrown there, or
    // dropped with the agent if the start fails first.
    this.#early.catch(() => undefined);
  }

  /** Awaits an early preparation still running: never left running on the datadir. */
  async settled(): Promise<void> {
    await this.#early?.catch(() => undefined);
  }

  /** The preparation of a start (start-preparation.ts), refusing from the peers' reports early. */
  #prepare(serverUser: OsUser, justAsked?: NodeReport[]): Promise<NodeReport[] | null> {
    const { options, log } = this.#deps;
    this.#deps.setLifecycle("preparing");
    return prepareStart(
      {
        options,
        serverUser,
        log,
        fresh: this.#deps.fresh(),
        peers: () => this.#deps.peers.endpoints(),
        gather: (peers) => this.#deps.peers.gather(peers),
        learned: (datadir, recovered) => this.#deps.learned(datadir, recovered),
        refuseEarly: (reports, peers) => {
          const now = Date.now();
          const early = decideRecovery(this.#facts(reports, peers, now, now));
          if (early.action !== "refuse") return;
          if (this.#record.decision?.reason !== early.reason) this.#deps.decided(early.action);
          this.#keep({ ...this.#record, decision: { action: early.action, reason: early.reason, at: now } });
          log.info(`decision: ${early.action}: ${early.reason}`);
          this.#deps.setLifecycle("refused");
          throw new RefusedError(`${early.reason}; mariadbd was not started and the datadir was not changed`);
        },
      },
      justAsked,
    );
  }

  /**
   * Recover the position, then decide with the peers (docs/recovery.md) until the decision is to
   * start: join (or let Galera's pc.recovery act) or bootstrap. While waiting, / answers 100
   * and /status says what for. Each new decision is logged as one sentence.
   */
  async decideStart(serverUser: OsUser): Promise<StartKind | "stop"> {
    const preparation = this.#early ?? this.#prepare(serverUser);
    this.#early = null;
    let reports = await preparation;
    const waitingSince = Date.now();
    this.#record = beginWait(this.#record);
    for (;;) {
      if (this.#deps.stop.requested) return "stop";
      // Asked again each round: a peer that asked for this node's state meanwhile is one too.
      const peers = this.#deps.peers.endpoints();
      reports ??= await this.#deps.peers.gather(peers);
      const decision = this.#turn(this.#snapshot(reports, peers, Date.now(), waitingSince, "stopped"));
      switch (decision.action) {
        case "join":
          return decision.action;
        case "await-pc-recovery":
          this.#refuseNewClusterRisk(serverUser, decision.action);
          return decision.action;
        case "bootstrap":
        case "bootstrap-new-cluster":
          this.#refuseNewClusterRisk(serverUser, "bootstrap");
          if (decision.action === "bootstrap-new-cluster")
            await this.#deps.restoreForNewCluster?.(serverUser);
          if (decision.action === "bootstrap" && markSafeToBootstrap(this.#deps.options.datadir)) {
            this.#deps.log.info(
              "marked grastate.dat safe_to_bootstrap: 1, as the decision above chose this node",
            );
          }
          return "bootstrap";
        case "refuse":
          this.#deps.setLifecycle("refused");
          throw new RefusedError(`${decision.reason}; mariadbd was not started`);
        default:
          this.#deps.setLifecycle("waiting");
          reports = null;
          if ((await this.#deps.stop.pause(this.#timing.decisionIntervalMs)) === "stop") return "stop";
      }
    }
  }

  /** Decides with the peers while mariadbd runs outside a primary (decide-in-place.ts). */
  decideInPlace(watch: {
    outsidePrimarySince(): number | null;
    runningOutsidePrimary(now: number): boolean;
  }): { cancel: () => void } {
    const { options, log, peers } = this.#deps;
    return decideInPlace({
      ...watch,
      withdraw: () => this.#keep({ ...this.#record, intent: withdrawnInPlace(this.#record.intent) }),
      turn: async (since, cancelled) => {
        const endpoints = peers.endpoints();
        const reports = await peers.gather(endpoints);
        if (cancelled()) return null;
        return this.#turn(this.#snapshot(reports, endpoints, Date.now(), since, "running-outside-primary"));
      },
      bootstrapInPlace: async () => {
        await this.#deps.setProviderOption("pc.bootstrap=YES", 5000);
        log.info("set pc.bootstrap=YES on the running mariadbd: its component becomes the primary");
        // Give the samples time to see the primary before deciding again.
        await sleep(2 * options.sampleIntervalMs);
      },
      intervalMs: this.#timing.decisionIntervalMs,
      log,
    });
  }

  /** One recovery turn (recovery-turn.ts): the decision, the record kept, the line logged. */
  #turn(snapshot: TurnSnapshot): RecoveryDecision {
    const turn = recoveryTurn(this.#record, snapshot);
    this.#keep(turn.record);
    if (turn.changed) this.#deps.decided(turn.decision.action);
    if (turn.log !== null) this.#deps.log.info(turn.log);
    return turn.decision;
  }

  /**
   * The last check before a start that may form a primary from this datadir alone
   * (new-cluster-guard.ts): grastate.dat is read again, as Galera will read it.
   */
  #refuseNewClusterRisk(serverUser: OsUser, kind: StartKind): void {
    const risk = newClusterRisk({
      kind,
      fresh: this.#deps.fresh(),
      grastateUuid: inspect(this.#deps.options, serverUser).grastate?.uuid ?? null,
      startPosition: this.#deps.recovered() ?? { uuid: ZERO_UUID, seqno: -1 },
    });
    if (risk === null) return;
    this.#deps.setLifecycle("refused");
    throw new RefusedError(
      `${risk}; mariadbd was not started and the data was left as it is; move this datadir aside so the node rejoins by a state transfer, or restore its grastate.dat`,
    );
  }

  /** One frozen snapshot for a turn: own report, peers' reports, configuration, time. */
  #snapshot(
    reports: NodeReport[],
    peers: readonly PeerEndpoint[],
    now: number,
    waitingSince: number,
    server: TurnSnapshot["server"],
  ): TurnSnapshot {
    return { facts: this.#facts(reports, peers, now, waitingSince), server };
  }

  #facts(
    reports: NodeReport[],
    peers: readonly PeerEndpoint[],
    now: number,
    waitingSince: number,
  ): RecoveryFacts {
    const { options } = this.#deps;
    const timing = this.#timing;
    return {
      self: this.#deps.self(now),
      peers: reports,
      expected: [options.nodeName, ...this.#deps.peers.expectedNames(peers)],
      mode: options.mode,
      now,
      waitingSince,
      forceBootstrapAfterMs: options.forceBootstrapAfterMs,
      reportTtlMs: timing.reportTtlMs,
      intentSettleMs: timing.intentSettleMs,
    };
  }

  get #timing(): DecisionTiming {
    return decisionTiming(this.#deps.options, this.#deps.fresh());
  }
}
