import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { NodeStatusReport } from "../../../src/model/node-status.js";
import { AgentDashboard } from "../../../src/dashboard/agent-dashboard.js";
import { mainThreadAnswer } from "../../../src/http/health-server.js";
import { Secret } from "../../../src/config/secret.js";

const report = (node: string, extra: Partial<NodeStatusReport> = {}): NodeStatusReport =>
  ({
    node,
    address: `10.0.0.${node.slice(1)}`,
    mode: "node",
    phase: "synced",
    pid: 10,
    state: "Synced",
    clusterStatus: "Primary",
    clusterSize: 3,
    clusterStateUuid: "u",
    seqno: 42,
    readOnly: false,
    clusterConfId: 3,
    incomingAddress: `10.0.0.${node.slice(1)}:3306`,
    members: [],
    syncedSince: null,
    writerEligibleSince: null,
    ready: true,
    writer: false,
    recoveredPosition: null,
    lastDecision: { action: "join", reason: "joining the primary component that n1 is in", at: "x" },
    peers: [],
    sampleAgeMs: 5,
    sampledAt: "x",
    answeredAt: "x",
    sampleError: null,
    startedAt: "x",
    version: "test",
    ...extra,
  }) as NodeStatusReport;

describe("the dashboard an agent serves when asked", () => {
  it("shows itself with its four answers and its view's members with what their reports imply, in name order", () => {
    let peers = [report("n3"), report("n2", { writer: true })];
    const dashboard = new AgentDashboard(() => ({
      self: report("n1"),
      selfAnswers: { root: 200, ready: 200, live: 200, writer: 503 },
      peers,
    }));
    const first = dashboard.state(new Date(1000));
    assert.deepEqual(
      first.nodes.map((n) => [n.name, n.phase, n.writer, n.health]),
      [
        ["n1", "synced", false, { "/": 200, "/ready": 200, "/live": 200, "/writer": 503 }],
        ["n2", "synced", true, { "/ready": 200, "/writer": 200 }],
        ["n3", "synced", false, { "/ready": 200, "/writer": 503 }],
      ],
    );
    assert.deepEqual(first.backends, []);
    assert.equal(first.nodes[0]!.lastDecision, "join: joining the primary component that n1 is in");

    peers = [report("n3", { phase: "donor", ready: false }), report("n2", { writer: true })];
    const second = dashboard.state(new Date(2000));
    assert.deepEqual(
      second.timeline.filter((e) => e.at === new Date(2000).toISOString()).map((e) => [e.node, e.text]),
      [["n3", "synced → donor"]],
    );
  });

  it("is served at /dashboard/ with its state beside it, only when asked for", async () => {
    const base = {
      status: () => report("n1"),
      metrics: () => Promise.resolve(""),
      peerState: () => ({}),
      clusterSecret: new Secret("s"),
    };
    const on = { ...base, dashboard: () => ({ nodes: [] }) };
    assert.equal((await mainThreadAnswer(base, "/dashboard/", null)).code, 404);
    assert.equal((await mainThreadAnswer(base, "/dashboard/api/state", null)).code, 404);
    const redirect = await mainThreadAnswer(on, "/dashboard", null);
    assert.equal(redirect.code, 301);
    assert.equal(redirect.extraHeaders?.["location"], "/dashboard/");
    const page = await mainThreadAnswer(on, "/dashboard/", null);
    assert.equal(page.code, 200);
    assert.match(page.type, /^text\/html/);
    assert.match(page.body, /fetch\("api\/state"/);
    assert.deepEqual(JSON.parse((await mainThreadAnswer(on, "/dashboard/api/state", null)).body), {
      nodes: [],
    });
  });
});
