import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { livePosition, type LivePositionFacts } from "../../../src/agent/live-position.js";
import { sampleFromStatus, unreachableSample } from "../../../src/probe/wsrep-sample.js";
import { ZERO_UUID } from "../../../src/model/galera-state.js";

const A = "0b7c9d20-e931-11f1-a668-972b6db524ff";
const started = { uuid: A, seqno: 27 };
const zero = { uuid: ZERO_UUID, seqno: -1 };

function sample(clusterStatus: string, lastCommitted: number, localStateUuid = A) {
  return sampleFromStatus(
    1000,
    new Map([
      ["wsrep_cluster_status", clusterStatus],
      ["wsrep_cluster_state_uuid", A],
      ["wsrep_local_state_uuid", localStateUuid],
      ["wsrep_last_committed", String(lastCommitted)],
    ]),
    false,
  );
}

function facts(more: Partial<LivePositionFacts>): LivePositionFacts {
  return {
    sample: sample("non-Primary", 57),
    serverRunning: true,
    startKind: "join",
    syncedSinceStart: true,
    primarySinceStart: true,
    startPosition: started,
    ...more,
  };
}

describe("livePosition: what a node whose mariadbd runs reports about its data", () => {
  const rows: [string, Partial<LivePositionFacts>, ReturnType<typeof livePosition>][] = [
    [
      "in a primary: the primary's position, live",
      { sample: sample("Primary", 60) },
      { inPrimary: true, runningOutsidePrimary: false, position: { uuid: A, seqno: 60 } },
    ],
    [
      "outside a primary after having been synced (the survivor of a majority crash): its live position",
      {},
      { inPrimary: false, runningOutsidePrimary: true, position: { uuid: A, seqno: 57 } },
    ],
    [
      "awaiting pc.recovery, never in a primary since it started: the position it started from",
      { startKind: "await-pc-recovery", syncedSinceStart: false, primarySinceStart: false },
      { inPrimary: false, runningOutsidePrimary: true, position: started },
    ],
    [
      "a joiner cut off before it synced: the zero UUID, nothing it may be ranked or bootstrapped on",
      { startKind: "join", syncedSinceStart: false, primarySinceStart: true },
      { inPrimary: false, runningOutsidePrimary: false, position: zero },
    ],
    [
      "a joiner that does not answer (a state snapshot is being written into its datadir): the zero UUID, not the position it started from",
      {
        startKind: "join",
        syncedSinceStart: false,
        primarySinceStart: false,
        sample: unreachableSample(1000, "ECONNREFUSED"),
      },
      { inPrimary: false, runningOutsidePrimary: false, position: zero },
    ],
    [
      "a joiner with no fresh sample: the zero UUID",
      { startKind: "join", syncedSinceStart: false, primarySinceStart: false, sample: null },
      { inPrimary: false, runningOutsidePrimary: false, position: zero },
    ],
    [
      "a joiner in the primary (joining it, not yet synced): the primary's position, live",
      { startKind: "join", syncedSinceStart: false, primarySinceStart: true, sample: sample("Primary", 61) },
      { inPrimary: true, runningOutsidePrimary: false, position: { uuid: A, seqno: 61 } },
    ],
    [
      "after pc.recovery made it primary once, then lost it before syncing: the zero UUID",
      { startKind: "await-pc-recovery", syncedSinceStart: false, primarySinceStart: true },
      { inPrimary: false, runningOutsidePrimary: false, position: zero },
    ],
    [
      "a joiner whose mariadbd stopped (preparing its next start): nothing live, the caller reports what it recovers",
      { startKind: "join", syncedSinceStart: false, serverRunning: false },
      { inPrimary: false, runningOutsidePrimary: false, position: null },
    ],
    [
      "synced once but the sample has no seqno: nothing exact",
      { sample: sample("non-Primary", -1) },
      { inPrimary: false, runningOutsidePrimary: false, position: null },
    ],
    [
      "mariadbd not running (preparing, stopping): nothing live",
      { serverRunning: false },
      { inPrimary: false, runningOutsidePrimary: false, position: null },
    ],
    [
      "no fresh sample: nothing live",
      { sample: null },
      { inPrimary: false, runningOutsidePrimary: false, position: null },
    ],
    [
      "mariadbd does not answer: nothing live",
      { sample: unreachableSample(1000, "ECONNREFUSED") },
      { inPrimary: false, runningOutsidePrimary: false, position: null },
    ],
  ];
  for (const [name, more, expected] of rows) {
    it(name, () => assert.deepEqual(livePosition(facts(more)), expected));
  }
});
