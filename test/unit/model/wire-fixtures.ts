// Answers as the agents send them, whole: GET /status and GET /peer/state. The schema tests
// and the peer clients' tests start from these. Not a test file itself.
import type { NodeStatusReport } from "../../../src/model/node-status.js";
import type { NodeReport } from "../../../src/model/peer-report.js";

const uuid = "adb45e98-e8fc-11f1-96fe-721d16e53e1b";

/** A synced node's /status, as in docs/http-api.md. */
export function aStatus(more: Partial<NodeStatusReport> = {}): NodeStatusReport {
  return {
    node: "n1",
    address: "127.0.0.2",
    mode: "seed",
    phase: "synced",
    pid: 1234,
    state: "Synced",
    clusterStatus: "Primary",
    clusterSize: 3,
    clusterStateUuid: uuid,
    seqno: 1841,
    readOnly: false,
    clusterConfId: 5,
    incomingAddress: "127.0.0.2:3306",
    members: ["127.0.0.2:3306", "127.0.0.3:3306", "127.0.0.4:3306"],
    syncedSince: "2026-11-25T18:19:04.000Z",
    writerEligibleSince: "2026-11-25T18:19:04.012Z",
    ready: true,
    writer: true,
    recoveredPosition: { uuid, seqno: 1790, gtid: null },
    lastDecision: {
      action: "bootstrap",
      reason: "bootstrapping a new cluster: seed mode with a fresh datadir",
      at: "2026-11-25T18:19:03.000Z",
    },
    peers: ["127.0.0.3:4567", "127.0.0.4:4567"],
    sampleAgeMs: 412,
    sampledAt: "2026-11-25T18:25:40.588Z",
    answeredAt: "2026-11-25T18:25:41.000Z",
    sampleError: null,
    memberUuid: "b2584d9d-f161-11f1-875f-5f324cdd9217",
    galeraAddress: "127.0.0.2:4567",
    startedAt: "2026-11-25T18:19:01.000Z",
    version: "0.1.0",
    ...more,
  };
}

/** A node's peer report: down after a crash, its position recovered, its last view kept. */
export function aReport(more: Partial<NodeReport> = {}): NodeReport {
  return {
    name: "n2",
    inPrimary: false,
    primaryUuid: null,
    position: { uuid, seqno: 42 },
    running: false,
    safeToBootstrap: false,
    fresh: false,
    lastPrimaryView: {
      myUuid: "3e1f5ab1-e8fb-11f1-9e5c-5e7b8c1a1b02",
      members: ["3e1f5ab1-e8fb-11f1-9e5c-5e7b8c1a1b01", "3e1f5ab1-e8fb-11f1-9e5c-5e7b8c1a1b02"],
    },
    bootstrapIntentAt: null,
    reportedAt: 1_000_000,
    clusterName: "galera",
    ...more,
  };
}
