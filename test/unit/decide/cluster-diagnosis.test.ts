import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { NodeStatusReport } from "../../../src/agent/node-status.js";
import { diagnoseCluster, type DoctorNode } from "../../../src/decide/cluster-diagnosis.js";
import type { NodeReport } from "../../../src/decide/recovery-facts.js";

const uuid = "adb45e98-e8fc-11f1-96fe-721d16e53e1b";
const now = 1_000_000;

function status(
  name: string,
  phase: NodeStatusReport["phase"],
  extra: Partial<NodeStatusReport> = {},
): NodeStatusReport {
  const primary = phase === "synced" || phase === "donor" || phase === "starting";
  return {
    node: name,
    address: "127.0.0.2",
    mode: "node",
    phase,
    pid: 1,
    state: phase === "synced" ? "Synced" : null,
    clusterStatus: primary ? "Primary" : "Disconnected",
    clusterSize: 3,
    clusterStateUuid: uuid,
    seqno: 1841,
    readOnly: false,
    clusterConfId: 3,
    incomingAddress: `${name}:3306`,
    members: [],
    syncedSince: null,
    writerEligibleSince: null,
    ready: phase === "synced",
    writer: false,
    recoveredPosition: null,
    lastDecision: null,
    peers: [],
    sampleAgeMs: 10,
    sampledAt: new Date(now).toISOString(),
    answeredAt: new Date(now).toISOString(),
    sampleError: null,
    startedAt: new Date(now).toISOString(),
    version: "test",
    ...extra,
  };
}

function state(name: string, seqno: number | null, extra: Partial<NodeReport> = {}): NodeReport {
  return {
    name,
    inPrimary: false,
    primaryUuid: null,
    position: seqno === null ? null : { uuid, seqno },
    safeToBootstrap: false,
    fresh: false,
    lastPrimaryView: null,
    bootstrapIntentAt: null,
    reportedAt: now,
    ...extra,
  };
}

const node = (
  name: string,
  s: NodeStatusReport | null,
  st: NodeReport | null,
  saved: DoctorNode["saved"] = null,
): DoctorNode => ({
  name,
  url: `http://${name}:8080`,
  status: s,
  state: st,
  problem: s || st ? null : "unreachable",
  saved,
});

const serving = (name: string, extra: Partial<NodeStatusReport> = {}) =>
  node(name, status(name, "synced", extra), state(name, null, { inPrimary: true, primaryUuid: uuid }));

describe("diagnoseCluster (what `galera-pilot doctor` says)", () => {
  it("3 synced nodes and one writer: healthy, and it names the writer", () => {
    const d = diagnoseCluster([serving("n1", { writer: true }), serving("n2"), serving("n3")], now);
    assert.equal(d.verdict, "healthy");
    assert.equal(d.headline, "healthy: 3 of 3 nodes synced, writes go to n1");
    assert.ok(d.lines.includes("writer: n1 (its /writer answers 200; HAProxy sends writes there)"));
  });

  it("a node whose agent does not answer: degraded, and the advice is to start it", () => {
    const d = diagnoseCluster([serving("n1", { writer: true }), serving("n2"), node("n3", null, null)], now);
    assert.equal(d.verdict, "degraded");
    assert.equal(d.headline, "serving with 2 of 3 nodes synced, writes go to n1");
    assert.ok(
      d.lines.includes("n3: no answer from its agent at http://n3:8080 (unreachable): start it"),
      d.lines.join("\n"),
    );
  });

  it("a joiner and a donor are named as such", () => {
    const d = diagnoseCluster(
      [
        serving("n1", { writer: true }),
        node("n2", status("n2", "donor"), null),
        node("n3", status("n3", "starting"), null),
      ],
      now,
    );
    assert.equal(d.verdict, "degraded");
    assert.ok(d.lines.some((l) => l.startsWith("n2: donor")));
    assert.ok(d.lines.some((l) => l.startsWith("n3: joining")));
  });

  it("no writer, or two writers, is called out", () => {
    assert.ok(
      diagnoseCluster([serving("n1"), serving("n2"), serving("n3")], now).lines.some((l) =>
        l.startsWith("no writer elected"),
      ),
    );
    const two = diagnoseCluster(
      [serving("n1", { writer: true }), serving("n2", { writer: true }), serving("n3")],
      now,
    );
    assert.equal(two.verdict, "degraded");
    assert.ok(two.lines.some((l) => l.includes("2 nodes claim the writer role (n1, n2)")));
  });

  it("after a total outage with one node missing: who has the newest data, and that the others wait for it", () => {
    const d = diagnoseCluster(
      [
        node("n1", status("n1", "waiting"), state("n1", 1790)),
        node("n2", status("n2", "waiting"), state("n2", 1841)),
        node("n3", null, null),
      ],
      now,
    );
    assert.equal(d.verdict, "down");
    assert.match(d.headline, /^down, waiting: /);
    assert.match(d.headline, /n3/);
    assert.ok(
      d.lines.includes("n2 has the newest data known (seqno 1841); 1 node(s) not known yet"),
      d.lines.join("\n"),
    );
    assert.ok(d.lines.includes("n3: no answer from its agent at http://n3:8080 (unreachable): start it"));
  });

  it("after a total outage with every node back: the newest one bootstraps and the others join", () => {
    const d = diagnoseCluster(
      [
        node("n1", status("n1", "waiting"), state("n1", 1790)),
        node("n2", status("n2", "waiting"), state("n2", 1841)),
        node("n3", status("n3", "waiting"), state("n3", 1800)),
      ],
      now,
    );
    assert.equal(d.verdict, "down");
    assert.match(d.headline, /^down: n2 bootstraps the cluster now/);
    assert.ok(
      d.lines.some((l) => l.startsWith("n2 would bootstrap")),
      d.lines.join("\n"),
    );
    assert.ok(!d.lines.some((l) => l.startsWith("n1 would bootstrap") || l.startsWith("n3 would bootstrap")));
  });

  it("with no agent running, it reads the saved positions and says to start the nodes", () => {
    const d = diagnoseCluster(
      [
        node("n1", null, null, { uuid, seqno: 1841, safeToBootstrap: true }),
        node("n2", null, null, { uuid, seqno: 1840, safeToBootstrap: false }),
      ],
      now,
    );
    assert.equal(d.verdict, "down");
    assert.equal(d.headline, "down: no agent answered; start the nodes and they recover by themselves");
    assert.ok(d.lines.includes("n1 has the newest data known (seqno 1841)"));
    assert.ok(
      d.lines.includes("n1: stopped; its grastate.dat says seqno 1841, safe_to_bootstrap 1: start it"),
    );
  });
});
