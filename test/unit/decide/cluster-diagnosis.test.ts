import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { NodeStatusReport } from "../../../src/model/node-status.js";
import { diagnoseCluster, type DoctorNode } from "../../../src/decide/cluster-diagnosis.js";
import type { NodeReport } from "../../../src/model/peer-report.js";

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
    const wait = "waiting: 2 of 3 members reported; newest seqno 1841 on n2; waiting for n3";
    assert.equal(d.verdict, "down");
    assert.equal(d.headline, `down, ${wait}`);
    assert.deepEqual(d.lines, [
      "n2 has the newest data known (seqno 1841); 1 node(s) not known yet",
      "n1: answered; seqno 1790",
      "n2: answered; seqno 1841",
      "n3: no answer from its agent at http://n3:8080 (unreachable): start it",
      `n1: ${wait}`,
      `n2: ${wait}`,
    ]);
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

const otherUuid = "5f1c2a10-0b7e-11f2-8a3d-0242ac120002";
const writerLine = (name: string) => `writer: ${name} (its /writer answers 200; HAProxy sends writes there)`;
const noWriter =
  "no writer elected right now: writes through the router fail until one is (see /status of each node)";
const withProblem = (n: DoctorNode, problem: string | null): DoctorNode => ({ ...n, problem });

describe("diagnoseCluster with a primary component: every line", () => {
  it("3 synced nodes at different seqnos: the newest seqno is the component's, and each node is listed", () => {
    const d = diagnoseCluster(
      [serving("n1", { writer: true, seqno: 1841 }), serving("n2", { seqno: 1839 }), serving("n3")],
      now,
    );
    assert.equal(d.verdict, "healthy");
    assert.deepEqual(d.lines, [
      "primary component: n1, n2, n3 (3 of 3 nodes, seqno 1841)",
      writerLine("n1"),
      "n1: synced, seqno 1841",
      "n2: synced, seqno 1839",
      "n3: synced, seqno 1841",
    ]);
  });

  it("a member whose /peer/state fails but whose /status says Primary still counts in the primary component", () => {
    const d = diagnoseCluster(
      [
        serving("n1", { writer: true }),
        withProblem(node("n2", status("n2", "synced", { seqno: 1842 }), null), "peer state: HTTP 401"),
      ],
      now,
    );
    assert.equal(d.verdict, "healthy");
    assert.equal(d.headline, "healthy: 2 of 2 nodes synced, writes go to n1");
    assert.deepEqual(d.lines, [
      "primary component: n1, n2 (2 of 2 nodes, seqno 1842)",
      writerLine("n1"),
      "n1: synced, seqno 1841",
      "n2: synced, seqno 1842",
    ]);
  });

  it("a member whose /status does not answer but whose /peer/state says it is in the primary component", () => {
    const d = diagnoseCluster(
      [
        serving("n1", { writer: true }),
        node("n2", null, state("n2", 1841, { inPrimary: true, primaryUuid: uuid })),
      ],
      now,
    );
    assert.equal(d.verdict, "degraded");
    assert.equal(d.headline, "serving with 1 of 2 nodes synced, writes go to n1");
    assert.deepEqual(d.lines, [
      "primary component: n1, n2 (2 of 2 nodes, seqno 1841)",
      writerLine("n1"),
      "n1: synced, seqno 1841",
      "n2: its agent answers /peer/state but not /status: see its log",
    ]);
  });

  it("a lone member known only by its /peer/state, which names no cluster: no seqno, no cluster conflict", () => {
    const d = diagnoseCluster([node("n1", null, state("n1", null, { inPrimary: true }))], now);
    assert.equal(d.verdict, "degraded");
    assert.equal(d.headline, "serving with 0 of 1 nodes synced");
    assert.deepEqual(d.lines, [
      "primary component: n1 (1 of 1 nodes)",
      noWriter,
      "n1: its agent answers /peer/state but not /status: see its log",
    ]);
  });

  it("two primaries told only by /peer/state (their /status names no cluster): still two clusters", () => {
    const d = diagnoseCluster(
      [
        node(
          "n1",
          status("n1", "synced", { clusterStateUuid: null, writer: true }),
          state("n1", 1841, { inPrimary: true, primaryUuid: uuid }),
        ),
        node(
          "n2",
          status("n2", "synced", { clusterStateUuid: null }),
          state("n2", 12, { inPrimary: true, primaryUuid: otherUuid }),
        ),
      ],
      now,
    );
    assert.ok(
      d.lines.some((line) =>
        line.startsWith(`two primary components of different clusters (${uuid}, ${otherUuid})`),
      ),
      d.lines.join("\n"),
    );
  });

  it("a member in the primary whose cluster UUID did not come through is no second cluster", () => {
    const d = diagnoseCluster(
      [
        serving("n1", { writer: true }),
        serving("n2"),
        node(
          "n3",
          status("n3", "synced", { clusterStateUuid: null }),
          state("n3", 1841, { inPrimary: true }),
        ),
      ],
      now,
    );
    assert.equal(d.verdict, "healthy");
    assert.ok(
      d.lines.every((line) => !line.includes("different clusters")),
      d.lines.join("\n"),
    );
  });

  it("members of two different clusters, each in a primary component: keep one cluster's data", () => {
    const d = diagnoseCluster(
      [
        serving("n1", { writer: true }),
        node(
          "n2",
          status("n2", "synced", { clusterStateUuid: otherUuid, seqno: 12 }),
          state("n2", null, { inPrimary: true, primaryUuid: otherUuid }),
        ),
      ],
      now,
    );
    assert.equal(d.verdict, "degraded");
    assert.equal(d.headline, "serving with 2 of 2 nodes synced, writes go to n1");
    assert.deepEqual(d.lines, [
      "primary component: n1, n2 (2 of 2 nodes, seqno 1841)",
      writerLine("n1"),
      "n1: synced, seqno 1841",
      "n2: synced, seqno 12",
      `two primary components of different clusters (${uuid}, ${otherUuid}): the nodes were started with different data; keep the one with your data and re-create the others' datadirs`,
    ]);
  });

  it("synced nodes without a writer, one not ready and without a seqno: degraded, the missing writer last", () => {
    const d = diagnoseCluster([serving("n1", { ready: false, seqno: null }), serving("n2")], now);
    assert.equal(d.verdict, "degraded");
    assert.equal(d.headline, "serving with 2 of 2 nodes synced");
    assert.deepEqual(d.lines, [
      "primary component: n1, n2 (2 of 2 nodes, seqno 1841)",
      "n1: synced but not ready (read-only or draining)",
      "n2: synced, seqno 1841",
      noWriter,
    ]);
  });

  it("primary members that report no seqno: the component's line names none", () => {
    const d = diagnoseCluster(
      [serving("n1", { writer: true, seqno: null }), serving("n2", { seqno: null })],
      now,
    );
    assert.equal(d.verdict, "healthy");
    assert.equal(d.lines[0], "primary component: n1, n2 (2 of 2 nodes)");
  });

  it("an unreachable agent with a known problem: the problem is quoted", () => {
    const d = diagnoseCluster(
      [serving("n1", { writer: true }), withProblem(node("n2", null, null), "connect ECONNREFUSED")],
      now,
    );
    assert.equal(
      d.lines.at(-1),
      "n2: no answer from its agent at http://n2:8080 (connect ECONNREFUSED): start it",
    );
  });

  it("a member that is not synced is listed with the problems, after the synced ones", () => {
    const d = diagnoseCluster(
      [node("n1", status("n1", "donor"), null), serving("n2", { writer: true })],
      now,
    );
    assert.equal(d.verdict, "degraded");
    assert.equal(d.headline, "serving with 1 of 2 nodes synced, writes go to n2");
    assert.deepEqual(d.lines, [
      "primary component: n1, n2 (2 of 2 nodes, seqno 1841)",
      writerLine("n2"),
      "n2: synced, seqno 1841",
      "n1: donor (sending a state transfer to a joiner); out of the read pool until done",
    ]);
  });

  it("each phase of a member that is not synced, in its own words", () => {
    const decision = (action: "wait" | "refuse", reason: string) => ({
      action,
      reason,
      at: "2025-01-01T00:00:00Z",
    });
    const cases: [NodeStatusReport["phase"], Partial<NodeStatusReport>, string][] = [
      ["starting", {}, "n2: joining (state transfer or catching up); it serves once synced"],
      ["waiting", {}, "n2: waiting"],
      [
        "waiting",
        { lastDecision: decision("wait", "waiting: 2 of 3 members reported") },
        "n2: waiting — wait: waiting: 2 of 3 members reported",
      ],
      ["preparing", {}, "n2: preparing"],
      [
        "non-primary",
        {},
        "n2: cut off from the primary component (non-Primary): check the network between it and the others",
      ],
      ["refused", {}, "n2: refused to start — see its log"],
      [
        "refused",
        { lastDecision: decision("refuse", "refusing: the datadirs belong to different clusters") },
        "n2: refused to start — refusing: the datadirs belong to different clusters",
      ],
      ["desynced", {}, "n2: desynced, seqno 1841"],
      ["server-down", { seqno: null }, "n2: server-down"],
    ];
    for (const [phase, extra, line] of cases) {
      const d = diagnoseCluster(
        [serving("n1", { writer: true }), node("n2", status("n2", phase, extra), null)],
        now,
      );
      assert.equal(d.verdict, "degraded", phase);
      assert.equal(d.lines.at(-1), line);
    }
  });
});

describe("diagnoseCluster without a primary component: every line", () => {
  const waitingNode = (name: string, seqno: number | null, extra: Partial<NodeReport> = {}) =>
    node(name, status(name, "waiting"), state(name, seqno, extra));

  it("two nodes tie on the newest seqno: both are named, and the first by name bootstraps", () => {
    const d = diagnoseCluster(
      [waitingNode("n1", 1841), waitingNode("n2", 1841), waitingNode("n3", 1790)],
      now,
    );
    assert.deepEqual(d.lines, [
      "n1 and n2 have the newest data known (seqno 1841)",
      "n1: answered; seqno 1841",
      "n2: answered; seqno 1841",
      "n3: answered; seqno 1790",
      "n1 would bootstrap (announcing it first): announcing a bootstrap from n1: it holds the newest data (seqno 1841, tied with n2, first by name; n2 1841, n3 1790); bootstrapping once the intent has stood 0 s unchallenged",
      "n2: n1 holds the newest data (seqno 1841, tied with n2, first by name); waiting for it to bootstrap",
      "n3: n1 holds the newest data (seqno 1841, tied with n2, first by name); waiting for it to bootstrap",
    ]);
    assert.equal(d.headline, "down: n1 bootstraps the cluster now; the others join it");
  });

  it("a seed with an empty datadir and no peer reporting: no position is known, and the seed starts a new cluster", () => {
    const d = diagnoseCluster(
      [
        node("n1", status("n1", "waiting", { mode: "seed" }), state("n1", null, { fresh: true })),
        node("n2", null, null),
      ],
      now,
    );
    assert.deepEqual(d.lines, [
      "no node's position is known yet",
      "n1: answered; position unknown (empty datadir)",
      "n2: no answer from its agent at http://n2:8080 (unreachable): start it",
      "n1 would bootstrap (announcing it first): announcing a new-cluster bootstrap from n1: seed mode, an empty datadir, and no peer reporting; bootstrapping if none reports within 0 s",
    ]);
    assert.equal(d.headline, "down: n1 bootstraps the cluster now; the others join it");
  });

  it("an empty node that is not a seed, with a peer missing, waits for it", () => {
    const d = diagnoseCluster(
      [node("n1", status("n1", "waiting"), state("n1", null, { fresh: true })), node("n2", null, null)],
      now,
    );
    const wait = "waiting: 1 of 2 members reported; no reported node holds data yet; waiting for n2";
    assert.deepEqual(d.lines, [
      "no node's position is known yet",
      "n1: answered; position unknown (empty datadir)",
      "n2: no answer from its agent at http://n2:8080 (unreachable): start it",
      `n1: ${wait}`,
    ]);
    assert.equal(d.headline, `down, ${wait}`);
  });

  it("a node that answers /peer/state but not /status, its position not recovered yet: it is not counted as known", () => {
    const d = diagnoseCluster([node("n1", null, state("n1", -1)), waitingNode("n2", 1841)], now);
    const wait =
      "waiting: 1 of 2 members reported; newest seqno 1841 on n2; waiting for n1 (present, position not recovered yet)";
    assert.deepEqual(d.lines, [
      "n2 has the newest data known (seqno 1841); 1 node(s) not known yet",
      "n1: answered; seqno -1",
      "n2: answered; seqno 1841",
      `n1: ${wait}`,
      `n2: ${wait}`,
    ]);
    assert.equal(d.headline, `down, ${wait}`);
  });

  it("the newest node's intent has stood: it bootstraps, and the other waits for it", () => {
    const d = diagnoseCluster(
      [waitingNode("n1", 1790), waitingNode("n2", 1841, { bootstrapIntentAt: now })],
      now,
    );
    assert.deepEqual(d.lines, [
      "n2 has the newest data known (seqno 1841)",
      "n1: answered; seqno 1790",
      "n2: answered; seqno 1841",
      "n1: n2 announced it bootstraps (seqno 1841) and outranks this node (seqno 1790): waiting for its primary component to join it",
      "n2 would bootstrap: bootstrapping from n2: it holds the newest data (seqno 1841; n1 1790), and the intent stood 0 s unchallenged",
    ]);
    assert.equal(d.headline, "down: n2 bootstraps the cluster now; the others join it");
  });

  it("the newest node's mariadbd runs outside a primary component: it is bootstrapped in place", () => {
    const d = diagnoseCluster(
      [waitingNode("n1", 1790), waitingNode("n2", 1841, { bootstrapIntentAt: now, running: true })],
      now,
    );
    assert.equal(
      d.lines.at(-1),
      "n2 would bootstrap in place (pc.bootstrap=YES on its running mariadbd): bootstrapping from n2 in place (pc.bootstrap=YES; its mariadbd runs outside a primary component): it holds the newest data (seqno 1841; n1 1790), and the intent stood 0 s unchallenged",
    );
    assert.equal(d.headline, "down: n2 bootstraps the cluster now; the others join it");
  });

  it("every node empty and the first one's intent has stood: it bootstraps a new cluster", () => {
    const d = diagnoseCluster(
      [
        waitingNode("n1", null, { fresh: true, bootstrapIntentAt: now }),
        waitingNode("n2", null, { fresh: true }),
      ],
      now,
    );
    assert.deepEqual(d.lines, [
      "no node's position is known yet",
      "n1: answered; position unknown (empty datadir)",
      "n2: answered; position unknown (empty datadir)",
      "n1 would bootstrap a new cluster: bootstrapping a new cluster from n1: all 2 expected nodes (n1 and n2) are present with empty datadirs, and the intent stood 0 s unchallenged",
      "n2: n1 announced it bootstraps a new cluster: waiting for its primary component to join it",
    ]);
    assert.equal(d.headline, "down: n1 bootstraps the cluster now; the others join it");
  });

  it("the last primary view is back on two nodes: Galera's pc.recovery restores it, and the third waits for it", () => {
    const view = (myUuid: string) => ({ myUuid, members: ["g1", "g2"] });
    const d = diagnoseCluster(
      [
        waitingNode("n1", 1841, { lastPrimaryView: view("g1") }),
        waitingNode("n2", 1841, { lastPrimaryView: view("g2") }),
        waitingNode("n3", 1700),
      ],
      now,
    );
    const restores =
      "awaiting Galera's pc.recovery: all 2 members of the last primary component (n1 and n2) are back, so Galera restores the primary by itself";
    assert.deepEqual(d.lines, [
      "n1 and n2 have the newest data known (seqno 1841)",
      "n1: answered; seqno 1841",
      "n2: answered; seqno 1841",
      "n3: answered; seqno 1700",
      `n1 would await Galera's pc.recovery: ${restores}`,
      `n2 would await Galera's pc.recovery: ${restores}`,
      "n3: waiting: n1 and n2 restore their last primary component through Galera's pc.recovery; this node joins it once it is primary",
    ]);
    assert.equal(
      d.headline,
      "down: every member of the last primary view is back; Galera's own pc.recovery restores it",
    );
  });

  it("a node with newer data came back after an older one announced: everyone waits, and the headline says it is waiting", () => {
    const d = diagnoseCluster(
      [waitingNode("n1", 1790), waitingNode("n2", 1841, { bootstrapIntentAt: now }), waitingNode("n3", 1900)],
      now,
    );
    const follows =
      "n2 announced it bootstraps (seqno 1841) and outranks this node (seqno 1790): waiting for its primary component to join it";
    assert.deepEqual(d.lines, [
      "n3 has the newest data known (seqno 1900)",
      "n1: answered; seqno 1790",
      "n2: answered; seqno 1841",
      "n3: answered; seqno 1900",
      `n1: ${follows}`,
      "n2: n3 holds the newest data (seqno 1900); waiting for it to bootstrap",
      "n3: waiting: n2 announced it bootstraps, but this node (seqno 1900) ranks before it (seqno 1841, older data); not joining it, and not bootstrapping until it withdraws",
    ]);
    assert.equal(d.headline, `down, waiting: ${follows}`);
  });

  it("datadirs of two different clusters: every node refuses, and the headline quotes the first", () => {
    const d = diagnoseCluster(
      [waitingNode("n1", 1841), waitingNode("n2", 12, { position: { uuid: otherUuid, seqno: 12 } })],
      now,
    );
    const refusal = `refusing: the datadirs belong to different clusters (${otherUuid} on n2; ${uuid} on n1); bootstrapping or joining would discard one cluster's data. Keep the right cluster's datadirs, move the others aside, and restart`;
    assert.deepEqual(d.lines.slice(3), [
      `n1 would refuse to start: ${refusal}`,
      `n2 would refuse to start: ${refusal}`,
    ]);
    assert.equal(d.headline, `down: n1 would refuse to start: ${refusal}`);
  });

  it("an agent that answers /status but whose /peer/state fails is running: no advice to start it", () => {
    const d = diagnoseCluster(
      [
        waitingNode("n1", 1841),
        {
          ...node("n2", status("n2", "waiting"), null),
          problem: "401 unauthorized (a wrong cluster secret?)",
        },
      ],
      now,
    );
    assert.ok(
      d.lines.includes(
        "n2: its agent runs (phase waiting) but its /peer/state could not be read (401 unauthorized (a wrong cluster secret?)): check that it was given the same cluster secret as this command",
      ),
      d.lines.join("\n"),
    );
  });

  it("an agent whose /peer/state answer came but could not be read: the answer's fault is quoted, and the advice is one version everywhere", () => {
    const malformed =
      'malformed answer: peer 10.0.0.2 answered /peer/state with a report whose position.seqno is "x", not a whole number';
    const d = diagnoseCluster(
      [waitingNode("n1", 1841), { ...node("n2", status("n2", "waiting"), null), problem: malformed }],
      now,
    );
    assert.ok(
      d.lines.includes(
        `n2: its agent runs (phase waiting) but its /peer/state could not be read (${malformed}): run the same version of galera-pilot on every node`,
      ),
      d.lines.join("\n"),
    );
  });

  it("an agent whose /status answer came but could not be read: the answer's fault is quoted, not 'see its log'", () => {
    const d = diagnoseCluster(
      [
        serving("n1", { writer: true }),
        {
          ...node("n2", null, state("n2", 1841, { inPrimary: true, primaryUuid: uuid })),
          statusProblem:
            'peer 10.0.0.2 answered /status with a status whose seqno is "x", not a whole number or null',
        },
      ],
      now,
    );
    assert.equal(
      d.lines.at(-1),
      'n2: its agent answers /peer/state but its /status could not be read (peer 10.0.0.2 answered /status with a status whose seqno is "x", not a whole number or null): run the same version of galera-pilot on every node',
    );
  });

  it("datadirs of two clusters: no node is called the newest, each cluster's nodes are named", () => {
    const d = diagnoseCluster(
      [
        waitingNode("n1", 1841),
        waitingNode("n2", 12, { position: { uuid: otherUuid, seqno: 12 } }),
        waitingNode("n3", 1840),
      ],
      now,
    );
    assert.equal(
      d.lines[0],
      `the datadirs hold data of 2 different clusters (${uuid} on n1, n3; ${otherUuid} on n2)`,
    );
    assert.ok(d.lines.every((line) => !line.includes("newest data")));
  });

  it("stopped nodes at seqno 0 and at an unknown seqno, and two unreachable agents", () => {
    const d = diagnoseCluster(
      [
        node("n1", null, null, { uuid, seqno: 0, safeToBootstrap: true }),
        node("n2", null, null, { uuid, seqno: -1, safeToBootstrap: false }),
        withProblem(node("n3", null, null), null),
        withProblem(node("n4", null, null), "connect ECONNREFUSED"),
      ],
      now,
    );
    assert.deepEqual(d.lines, [
      "n1 has the newest data known (seqno 0); 3 node(s) not known yet",
      "n1: stopped; its grastate.dat says seqno 0, safe_to_bootstrap 1: start it",
      "n2: stopped; its grastate.dat says seqno -1: start it",
      "n3: no answer from its agent at http://n3:8080 (unreachable): start it",
      "n4: no answer from its agent at http://n4:8080 (connect ECONNREFUSED): start it",
    ]);
    assert.equal(d.headline, "down: no agent answered; start the nodes and they recover by themselves");
  });
});
