// What a node whose mariadbd runs says about its data in its peer report (NodeReport), from
// the last sample. Pure, so every case is a table row in test/unit/agent/live-position.test.ts.
//
// Why it matters: after a crash of the majority, the survivor stays up outside any primary
// component holding writes the crashed nodes never applied. Reporting the position it
// *started* from made its restarted peers rank it below themselves (they could bootstrap
// from older data) or wait for a gvwstate.dat view it no longer told them about.
import { type Position, ZERO_UUID } from "../model/galera-state.js";
import type { WsrepSample } from "../probe/wsrep-sample.js";

/** How mariadbd was last started: joining a primary, awaiting Galera's pc.recovery, or bootstrapping. */
export type StartKind = "join" | "await-pc-recovery" | "bootstrap";

export interface LivePositionFacts {
  /** The last sample, answered by mariadbd (error null) and fresh; null otherwise. */
  sample: WsrepSample | null;
  /** mariadbd runs under the agent (not preparing, stopping or stopped). */
  serverRunning: boolean;
  /** How this mariadbd was started. */
  startKind: StartKind | null;
  /** The node was synced in a primary component since this mariadbd started. */
  syncedSinceStart: boolean;
  /** The node was in a primary component (synced or not) since this mariadbd started. */
  primarySinceStart: boolean;
  /** The position the node started from (grastate.dat or --wsrep-recover). */
  startPosition: Position | null;
}

export interface LivePosition {
  /** mariadbd runs in a primary component. */
  inPrimary: boolean;
  /** NodeReport.running: outside a primary component, with a position known exactly. */
  runningOutsidePrimary: boolean;
  /**
   * The position to report: the zero UUID for a joiner that has not synced; null when mariadbd
   * does not run, or runs without one known exactly (the caller reports the one it started from).
   */
  position: Position | null;
}

export function livePosition(facts: LivePositionFacts): LivePosition {
  const s = facts.serverRunning ? facts.sample : null;
  const answered = s !== null && s.error === null;
  // A joiner that has not synced since it started, whether it answers or not (it does not
  // during a state snapshot): a transfer may be rewriting its datadir, so it holds no position
  // it can vouch for. It says so with the zero UUID, as Galera's grastate.dat does meanwhile,
  // and is never ranked, waited for, or bootstrapped.
  const joining =
    facts.startKind === "join" || (facts.startKind === "await-pc-recovery" && facts.primarySinceStart);
  if (
    facts.serverRunning &&
    !facts.syncedSinceStart &&
    joining &&
    !(answered && s.clusterStatus === "Primary")
  ) {
    return { inPrimary: false, runningOutsidePrimary: false, position: { uuid: ZERO_UUID, seqno: -1 } };
  }
  if (!answered) return { inPrimary: false, runningOutsidePrimary: false, position: null };
  if (s.clusterStatus === "Primary") {
    const position =
      s.clusterStateUuid !== null && s.lastCommitted !== null
        ? { uuid: s.clusterStateUuid, seqno: s.lastCommitted }
        : null;
    return { inPrimary: true, runningOutsidePrimary: false, position };
  }
  // Synced since it started: its data is a state of the cluster, and wsrep_last_committed
  // cannot move outside a primary component, so the live position is exact.
  if (
    facts.syncedSinceStart &&
    s.localStateUuid !== null &&
    s.lastCommitted !== null &&
    s.lastCommitted >= 0
  ) {
    return {
      inPrimary: false,
      runningOutsidePrimary: true,
      position: { uuid: s.localStateUuid, seqno: s.lastCommitted },
    };
  }
  // Started to await pc.recovery and never in a primary since: nothing was applied, so the
  // position it started from is still exact.
  if (facts.startKind === "await-pc-recovery" && !facts.primarySinceStart && facts.startPosition !== null) {
    return { inPrimary: false, runningOutsidePrimary: true, position: facts.startPosition };
  }
  return { inPrimary: false, runningOutsidePrimary: false, position: null };
}
