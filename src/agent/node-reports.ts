// What the agent says of its node: the /status report (for people, routers, the dashboard)
// and the peer report (GET /peer/state; the "self" of its own decisions), both from the
// same facts: the last sample, this run of mariadbd, the recovery record.
import type { TurnRecord } from "../decide/recovery-turn.js";
import { formatEndpoint } from "../discovery/discovery.js";
import type { RecoveredPosition } from "../model/galera-state.js";
import type { NodeStatusReport } from "../model/node-status.js";
import type { NodeReport } from "../model/peer-report.js";
import type { DatadirFacts } from "../mysqld/datadir.js";
import type { AgentOptions } from "../options/agent-options.js";
import type { WsrepSample } from "../probe/wsrep-sample.js";
import { version } from "../version.js";
import type { HealthAnswering } from "./health-answering.js";
import { livePosition, type LivePosition } from "./live-position.js";
import type { PeerDirectory } from "./peer-directory.js";
import type { PhaseFacts } from "./phase.js";
import { reportFromSample } from "./report-from-sample.js";
import { selfReport } from "./self-report.js";
import type { ServerWatch } from "./server-watch.js";

/** The agent's own facts outside any one run of mariadbd; the agent changes them. */
export interface NodeFacts {
  lifecycle: PhaseFacts["lifecycle"];
  /** The position this node starts from, once known. */
  recovered: RecoveredPosition | null;
  /** The datadir was empty at this start and the node has not been synced since. */
  fresh: boolean;
  /** What the datadir said at the last preparation (grastate, gvwstate). */
  datadir: DatadirFacts | null;
}

export interface NodeReportsDeps {
  options: AgentOptions;
  selfAddress: string;
  facts: NodeFacts;
  latest(): WsrepSample;
  answering: HealthAnswering;
  run: ServerWatch;
  peers: PeerDirectory;
  record(): TurnRecord;
}

export class NodeReports {
  readonly #deps: NodeReportsDeps;
  readonly #startedAt = new Date().toISOString();

  constructor(deps: NodeReportsDeps) {
    this.#deps = deps;
  }

  status(now: number): NodeStatusReport {
    const { options, facts, answering, run } = this.#deps;
    const answers = answering.answers(now);
    const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
    const decision = this.#deps.record().decision;
    return reportFromSample(
      {
        node: options.nodeName,
        address: options.address,
        mode: options.mode,
        phase: answering.phase(now),
        pid: run.child?.pid ?? null,
        incomingAddress: this.#deps.selfAddress,
        galeraAddress: `${options.address}:${options.ports.galera}`,
        syncedSince: iso(run.syncedSince),
        writerEligibleSince: iso(answering.eligibleSince),
        ready: answers.ready === 200,
        writer: answers.writer === 200,
        recoveredPosition: facts.recovered,
        lastDecision: decision && { action: decision.action, reason: decision.reason, at: iso(decision.at)! },
        peers: this.#deps.peers.configured.map(formatEndpoint),
        startedAt: this.#startedAt,
        version,
      },
      this.#deps.latest(),
      now,
    );
  }

  self(now: number): NodeReport {
    const { options, facts } = this.#deps;
    return selfReport({
      nodeName: options.nodeName,
      clusterName: options.clusterName,
      sample: this.#deps.latest(),
      live: this.live(now),
      recovered: facts.recovered,
      datadir: facts.datadir,
      syncedSinceStart: this.#deps.run.syncedSinceStart,
      fresh: facts.fresh,
      intentAt: this.#deps.record().intent?.at ?? null,
      now,
      datadirPath: options.datadir,
    });
  }

  /** What the last sample says of this node's data (live-position.ts). */
  live(now: number): LivePosition {
    const { facts, run } = this.#deps;
    const sample = this.#deps.latest();
    return livePosition({
      sample: this.#deps.answering.sampleFresh(sample, now) ? sample : null,
      serverRunning: facts.lifecycle === "running" || facts.lifecycle === "draining",
      startKind: run.kind,
      syncedSinceStart: run.syncedSinceStart,
      primarySinceStart: run.primarySinceStart,
      startPosition: facts.recovered && { uuid: facts.recovered.uuid, seqno: facts.recovered.seqno },
    });
  }
}
