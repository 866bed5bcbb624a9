// The safety rules of src/decide/recovery-decision.ts, first half (the report helpers, the view
// analysis, S1 and the different-clusters rule): one situation per test, each asserting the
// exact decision and the sentence a person reads.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ZERO_UUID } from "../../../src/model/galera-state.js";
import type { NodeReport } from "../../../src/model/peer-report.js";
import type { RecoveryFacts } from "../../../src/decide/recovery-facts.js";
import {
  compareNames,
  compareRank,
  decideRecovery,
  hasReportedPosition,
  mayHoldData,
  presentPeers,
  rankCandidates,
  type RecoveryDecision,
} from "../../../src/decide/recovery-decision.js";
import {
  A,
  B,
  C,
  G1,
  G2,
  G3,
  G4,
  NOW,
  crashed,
  decideEach,
  empty,
  facts,
  node,
} from "./recovery-fixtures.js";

const awaitingAll = (names: string, n: number): RecoveryDecision => ({
  action: "await-pc-recovery",
  reason: `awaiting Galera's pc.recovery: all ${n} members of the last primary component (${names}) are back, so Galera restores the primary by itself`,
});

describe("what a report says about a node's data", () => {
  it("an empty datadir counts as reported whatever its position field says", () => {
    assert.equal(hasReportedPosition(empty("n1", { position: null })), true);
    assert.equal(hasReportedPosition(empty("n1", { position: { uuid: A, seqno: -1 } })), true);
    assert.equal(hasReportedPosition(node("n1", -1, { position: null })), false);
    assert.equal(hasReportedPosition(node("n1", -1)), false);
    assert.equal(hasReportedPosition(node("n1", -1, { position: { uuid: ZERO_UUID, seqno: -1 } })), true);
    assert.equal(hasReportedPosition(node("n1", 0)), true);
  });

  it("a zero UUID holds no data; an unknown position may", () => {
    assert.equal(mayHoldData(node("n1", -1, { position: { uuid: ZERO_UUID, seqno: -1 } })), false);
    assert.equal(mayHoldData(node("n1", -1, { position: null })), true);
    assert.equal(mayHoldData(node("n1", -1)), true);
    assert.equal(mayHoldData(empty("n1")), false);
    assert.equal(mayHoldData(empty("n1", { position: { uuid: A, seqno: 3 } })), false);
  });

  it("names compare by code unit, equal names are equal", () => {
    assert.equal(compareNames("n1", "n2"), -1);
    assert.equal(compareNames("n2", "n1"), 1);
    assert.equal(compareNames("n1", "n1"), 0);
    assert.equal(compareNames("Z", "a"), -1);
    assert.equal(compareNames("n10", "n9"), -1);
  });

  it("an unknown position ranks below seqno 0", () => {
    const unknown = node("n1", -1, { position: null });
    assert.ok(compareRank(node("n2", 0), unknown) < 0);
    assert.ok(compareRank(unknown, node("n2", 0)) > 0);
  });

  it("equal seqnos, both marked safe_to_bootstrap: the first name ranks higher", () => {
    const n1 = node("n1", 7, { safeToBootstrap: true });
    const n2 = node("n2", 7, { safeToBootstrap: true });
    assert.equal(compareRank(n2, n1), 1);
    assert.equal(compareRank(n1, n2), -1);
    assert.deepEqual(
      rankCandidates([n2, n1, node("n3", 7)]).map((n) => n.name),
      ["n1", "n2", "n3"],
    );
  });
});

describe("presentPeers: one report per name, whatever the arrival order", () => {
  const ofN2 = (f: RecoveryFacts): NodeReport | undefined => presentPeers(f).find((p) => p.name === "n2");

  it("two reports of n2 received the same millisecond: content settles it, not the order", () => {
    const lower = node("n2", 1840, { reportedAt: NOW - 500 });
    const higher = node("n2", 1841, { reportedAt: NOW - 500 });
    assert.equal(ofN2(facts(node("n1", 1), [lower, higher])), higher);
    assert.equal(ofN2(facts(node("n1", 1), [higher, lower])), higher);
  });

  it("the later report wins even when the earlier one sorts higher by content", () => {
    const early = node("n2", 9999, { reportedAt: NOW - 900 });
    const late = node("n2", 1000, { reportedAt: NOW - 100 });
    assert.equal(ofN2(facts(node("n1", 1), [early, late])), late);
    assert.equal(ofN2(facts(node("n1", 1), [late, early])), late);
  });

  it("an identical copy received the same millisecond does not replace the report kept", () => {
    const first = node("n2", 1841);
    const copy = node("n2", 1841);
    assert.equal(ofN2(facts(node("n1", 1), [first, copy])), first);
  });
});

describe("the expected set", () => {
  it("a stranger's announcement names the expected nodes sorted, this node included, once each", () => {
    const stranger = node("x9", 5, { bootstrapIntentAt: NOW - 1000 });
    const reason =
      "waiting: x9 announced it bootstraps but is not an expected node (n1, n2 and n3); neither following it nor bootstrapping beside it";
    for (const expected of [
      ["n3", "n2", "n1"],
      ["n3", "n1"],
      ["n3", "n1", "n3", "n1"],
    ]) {
      assert.deepEqual(decideRecovery(facts(node("n2", 5), [stranger], { expected })), {
        action: "wait",
        reason,
      });
    }
  });
});

describe("the last primary view", () => {
  it("the same view with its members listed in different orders is restored by Galera", () => {
    const d = decideEach([
      crashed("n1", 1839, G1, [G1, G2, G3]),
      crashed("n2", 1841, G2, [G3, G1, G2]),
      crashed("n3", 1840, G3, [G2, G3, G1]),
    ]);
    for (const name of ["n1", "n2", "n3"]) assert.deepEqual(d[name], awaitingAll("n1, n2 and n3", 3));
  });

  it("member ids that only run together alike (a + bc, ab + c) are different views: no pc.recovery", () => {
    const n1 = node("n1", 20, { lastPrimaryView: { myUuid: "a", members: ["a", "bc"] } });
    const n2 = node("n2", 10, { lastPrimaryView: { myUuid: "bc", members: ["ab", "c"] } });
    assert.deepEqual(decideRecovery(facts(n1, [n2], { expected: ["n1", "n2"] })), {
      action: "announce-bootstrap",
      reason:
        "announcing a bootstrap from n1: it holds the newest data (seqno 20; n2 10); bootstrapping once the intent has stood 15 s unchallenged",
      bootstrapper: "n1",
    });
  });

  it("a member of the view still recovering its position does not hold pc.recovery back: Galera restores it too", () => {
    const d = decideEach([
      crashed("n1", 1839, G1),
      crashed("n2", 1841, G2),
      node("n3", -1, { lastPrimaryView: { myUuid: G3, members: [G1, G2, G3] } }),
    ]);
    assert.deepEqual(d.n1, awaitingAll("n1, n2 and n3", 3));
    assert.deepEqual(d.n2, awaitingAll("n1, n2 and n3", 3));
  });

  it("missing members are named in UUID order, whatever the order of the view", () => {
    const view = [G1, G2, G4, G3];
    const expected = ["n1", "n2", "n3", "n4"];
    assert.deepEqual(
      decideRecovery(facts(crashed("n1", 10, G1, view), [crashed("n2", 11, G2, view)], { expected })),
      {
        action: "wait",
        reason: `waiting: 2 members of the last primary component (${G3} and ${G4}, in n1's and n2's gvwstate.dat) have not reported and may hold the newest writes; waiting for n3 and n4`,
      },
    );
  });
});

describe("the last primary view that must not be restored", () => {
  /** kill -9 of the primary {n1, n2}; n3 had stopped cleanly with a seqno of its own. */
  const n1n2Crashed = (n3: NodeReport): NodeReport[] => [
    crashed("n1", 1839, G1, [G1, G2]),
    crashed("n2", 1840, G2, [G1, G2]),
    n3,
  ];

  it("one newer node outside: it bootstraps, and says nothing about a view it is not in", () => {
    const d = decideEach(n1n2Crashed(node("n3", 1845)));
    assert.deepEqual(d.n3, {
      action: "announce-bootstrap",
      reason:
        "announcing a bootstrap from n3: it holds the newest data (seqno 1845; n2 1840, n1 1839); bootstrapping once the intent has stood 15 s unchallenged",
      bootstrapper: "n3",
    });
    assert.deepEqual(d.n1, {
      action: "wait",
      reason:
        "n3 holds the newest data (seqno 1845); waiting for it to bootstrap; not awaiting Galera's pc.recovery: n3 seqno 1845 outside the last primary component (n1 and n2) holds newer data than n2 (seqno 1840), which Galera's pc.recovery would drop",
      bootstrapper: "n3",
    });
  });

  it("a node outside with the same seqno as the view's best loses nothing: pc.recovery", () => {
    const d = decideEach(n1n2Crashed(node("n3", 1840)));
    assert.deepEqual(d.n1, awaitingAll("n1 and n2", 2));
    assert.deepEqual(d.n2, awaitingAll("n1 and n2", 2));
  });

  it("a zero-UUID node outside holds no data of the cluster, whatever seqno it says: pc.recovery", () => {
    const d = decideEach(n1n2Crashed(node("n3", 5000, { position: { uuid: ZERO_UUID, seqno: 5000 } })));
    assert.deepEqual(d.n1, awaitingAll("n1 and n2", 2));
    assert.deepEqual(d.n2, awaitingAll("n1 and n2", 2));
  });

  it("two expected nodes outside the view have not reported: both named, and the view waits for them", () => {
    const [n1, n2] = n1n2Crashed(node("n3", 1)) as [NodeReport, NodeReport];
    assert.deepEqual(decideRecovery(facts(n1, [n2], { expected: ["n1", "n2", "n3", "n4"] })), {
      action: "wait",
      reason:
        "waiting: 2 of 4 members reported; newest seqno 1840 on n2; waiting for n3 and n4; not awaiting Galera's pc.recovery: n3 and n4 are outside the last primary component (n1 and n2) and have not reported their positions yet; they may hold newer data than n2 (seqno 1840)",
    });
  });

  it("one expected node outside the view has not reported: named alone", () => {
    const [n1, n2] = n1n2Crashed(node("n3", 1)) as [NodeReport, NodeReport];
    assert.deepEqual(decideRecovery(facts(n1, [n2])), {
      action: "wait",
      reason:
        "waiting: 2 of 3 members reported; newest seqno 1840 on n2; waiting for n3; not awaiting Galera's pc.recovery: n3 is outside the last primary component (n1 and n2) and has not reported a position yet; it may hold newer data than n2 (seqno 1840)",
    });
  });
});

describe("S1: a reachable primary", () => {
  it("this node in a primary that names no cluster: nothing to recover", () => {
    assert.deepEqual(decideRecovery(facts(node("n1", 5, { inPrimary: true }), [])), {
      action: "join",
      reason: "no recovery needed: this node is in the primary component",
    });
    assert.deepEqual(decideRecovery(facts(node("n1", 5, { inPrimary: true, primaryUuid: A }), [])), {
      action: "join",
      reason: `no recovery needed: this node is in the primary component of cluster ${A}`,
    });
  });

  it("an empty node joins a primary of one cluster beside a primary that names none: no side to pick", () => {
    const peers = [node("n2", 10, { inPrimary: true, primaryUuid: A }), node("n3", 10, { inPrimary: true })];
    assert.deepEqual(decideRecovery(facts(empty("n1"), peers)), {
      action: "join",
      reason: "joining the primary component that n2 and n3 are in",
    });
  });

  it("a datadir of cluster A beside primaries of B and C refuses, naming both clusters once", () => {
    const peers = [
      node("n2", 10, { inPrimary: true, primaryUuid: B, position: { uuid: B, seqno: 10 } }),
      node("n3", 10, { inPrimary: true, primaryUuid: C, position: { uuid: C, seqno: 10 } }),
      node("n4", 10, { inPrimary: true, primaryUuid: B, position: { uuid: B, seqno: 10 } }),
    ];
    assert.deepEqual(decideRecovery(facts(node("n1", 5), peers, { expected: ["n1", "n2", "n3", "n4"] })), {
      action: "refuse",
      reason: `refusing to join: n2, n3 and n4 are in a primary component of cluster ${B} and ${C}, but this datadir holds cluster ${A} (seqno 5); joining would replace it with the other cluster's data by a full state transfer. Move this datadir aside to join that cluster, or start this node with its own cluster's nodes`,
    });
  });

  it("two primaries that report no cluster UUID: a datadir with data waits", () => {
    const peers = [node("n2", 9, { inPrimary: true }), node("n3", 9, { inPrimary: true })];
    assert.deepEqual(decideRecovery(facts(node("n1", 5), peers)), {
      action: "wait",
      reason: `waiting: n2 and n3 are in a primary component but report no cluster UUID, and this datadir holds cluster ${A} (seqno 5); joining an unknown cluster could replace this data`,
    });
  });

  it("one primary that reports no cluster UUID: a datadir with data waits", () => {
    assert.deepEqual(decideRecovery(facts(node("n1", 5), [node("n2", 9, { inPrimary: true })])), {
      action: "wait",
      reason: `waiting: n2 is in a primary component but reports no cluster UUID, and this datadir holds cluster ${A} (seqno 5); joining an unknown cluster could replace this data`,
    });
  });
});
