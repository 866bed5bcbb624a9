import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ZERO_UUID } from "../../../src/model/galera-state.js";
import type { NodeReport } from "../../../src/model/peer-report.js";
import type { RecoveryFacts } from "../../../src/decide/recovery-facts.js";
import {
  decideRecovery,
  intentSettleMs,
  keepsBootstrapIntent,
  presentPeers,
  rankCandidates,
  type SettleInputs,
} from "../../../src/decide/recovery-decision.js";
import {
  A,
  B,
  G1,
  G2,
  G3,
  NOW,
  SETTLE,
  crashed,
  decideEach,
  empty,
  facts,
  node,
} from "./recovery-fixtures.js";

// Situations -----------------------------------------------------------------------------------

/** `galera_3nodes.galera_safe_to_bootstrap`: stopped one by one, n3 last; only n3 has safe_to_bootstrap: 1. */
const clusterCleanlyStoppedLastOutIsN3 = (): NodeReport[] => [
  node("n1", 1839),
  node("n2", 1840),
  node("n3", 1841, { safeToBootstrap: true }),
];

/** Equal seqnos after a clean shutdown with no writes in between: safe_to_bootstrap decides. */
const cleanlyStoppedEqualSeqnosN2LeftLast = (): NodeReport[] => [
  node("n1", 500),
  node("n2", 500, { safeToBootstrap: true }),
  node("n3", 500),
];

/** `galera.galera_pc_recovery`: kill -9 of all three, every gvwstate.dat kept, all three back. */
const allCrashedAllBack = (): NodeReport[] => [
  crashed("n1", 1839, G1),
  crashed("n2", 1841, G2),
  crashed("n3", 1840, G3),
];

/** kill -9 of all three; n3 does not come back. */
const allCrashedOneMemberMissing = (): NodeReport[] => [crashed("n1", 1839, G1), crashed("n2", 1841, G2)];

/** kill -9 of all three; n3's gvwstate.dat was empty (a crash leftover) and was deleted, so its old UUID is unclaimed. */
const allCrashedN3LostItsGvwstate = (): NodeReport[] => [
  crashed("n1", 1839, G1),
  crashed("n2", 1841, G2),
  node("n3", 1840),
];

/** n3 crashed earlier and came back empty-handed: the primary {n1, n2} was killed later. */
const n1n2CrashedInTheirPrimaryN3StoppedBefore = (): NodeReport[] => [
  crashed("n1", 1839, G1, [G1, G2]),
  crashed("n2", 1841, G2, [G1, G2]),
  node("n3", 1700),
];

/** The 2015 trap: the seed restarts (with its own data) while n2 and n3 carry on as the primary. */
const restartedSeedWhileN2N3Primary = (): RecoveryFacts =>
  facts(
    node("n1", 1800),
    [
      node("n2", 1841, { inPrimary: true, primaryUuid: A }),
      node("n3", 1841, { inPrimary: true, primaryUuid: A }),
    ],
    {
      mode: "seed",
    },
  );

/** A datadir of another cluster (B) started beside cluster A's running primary. */
const datadirOfClusterBBesidePrimaryOfA = (): RecoveryFacts =>
  facts(node("n1", 90, { position: { uuid: B, seqno: 90 } }), [
    node("n2", 1841, { inPrimary: true, primaryUuid: A }),
    node("n3", 1841, { inPrimary: true, primaryUuid: A }),
  ]);

/** Two datadirs of cluster A and one of cluster B, all stopped. */
const twoDatadirsOfDifferentClusters = (): NodeReport[] => [
  node("n1", 10),
  node("n2", 12),
  node("n3", 50, { position: { uuid: B, seqno: 50 } }),
];

/** First start of a cluster without a seed: three empty datadirs. */
const brandNewClusterNoSeed = (): NodeReport[] => [empty("n1"), empty("n2"), empty("n3")];

/** n1 never joined any cluster (zero UUID after --wsrep-recover); n2 and n3 hold cluster A. */
const zeroUuidNodeNeverBootstraps = (): NodeReport[] => [
  node("n1", 9000, { position: { uuid: ZERO_UUID, seqno: -1 } }),
  node("n2", 40),
  node("n3", 41),
];

/** Waiting for n3 since 300 s, with GALERA_PILOT_FORCE_BOOTSTRAP_AFTER=300s. */
const forceAfterDeadline = (): Partial<RecoveryFacts> => ({
  waitingSince: NOW - 300_000,
  forceBootstrapAfterMs: 300_000,
});

// Tests ----------------------------------------------------------------------------------------

describe("decideRecovery: a cleanly stopped cluster", () => {
  it("every node but the last one out waits for it, naming it", () => {
    const d = decideEach(clusterCleanlyStoppedLastOutIsN3());
    const waiting = {
      action: "wait",
      reason: "n3 holds the newest data (seqno 1841); waiting for it to bootstrap",
      bootstrapper: "n3",
    };
    assert.deepEqual(d.n1, waiting);
    assert.deepEqual(d.n2, waiting);
  });

  it("the last one out announces first", () => {
    assert.deepEqual(decideEach(clusterCleanlyStoppedLastOutIsN3()).n3, {
      action: "announce-bootstrap",
      reason:
        "announcing a bootstrap from n3: it holds the newest data (seqno 1841; n2 1840, n1 1839); bootstrapping once the intent has stood 15 s unchallenged",
      bootstrapper: "n3",
    });
  });

  it("and bootstraps only once its intent has stood long enough for every node to see it", () => {
    const [n1, n2, n3] = clusterCleanlyStoppedLastOutIsN3() as [NodeReport, NodeReport, NodeReport];
    assert.deepEqual(decideRecovery(facts({ ...n3, bootstrapIntentAt: NOW - 5000 }, [n1, n2])), {
      action: "wait",
      reason:
        "waiting 10 s more before bootstrapping from n3: the intent stands 15 s so that every node sees it",
      bootstrapper: "n3",
    });
    assert.deepEqual(decideRecovery(facts({ ...n3, bootstrapIntentAt: NOW - (SETTLE - 1) }, [n1, n2])), {
      action: "wait",
      reason:
        "waiting 1 s more before bootstrapping from n3: the intent stands 15 s so that every node sees it",
      bootstrapper: "n3",
    });
    assert.deepEqual(decideRecovery(facts({ ...n3, bootstrapIntentAt: NOW - SETTLE }, [n1, n2])), {
      action: "bootstrap",
      reason:
        "bootstrapping from n3: it holds the newest data (seqno 1841; n2 1840, n1 1839), and the intent stood 15 s unchallenged",
      bootstrapper: "n3",
    });
  });

  it("a node that sees the intent joins the announcer", () => {
    const [n1, n2, n3] = clusterCleanlyStoppedLastOutIsN3() as [NodeReport, NodeReport, NodeReport];
    assert.deepEqual(decideRecovery(facts(n1, [n2, { ...n3, bootstrapIntentAt: NOW - 2000 }])), {
      action: "wait",
      reason:
        "n3 announced it bootstraps (seqno 1841) and outranks this node (seqno 1839): waiting for its primary component to join it",
      bootstrapper: "n3",
    });
  });

  it("equal seqnos: the node marked safe_to_bootstrap bootstraps", () => {
    const d = decideEach(cleanlyStoppedEqualSeqnosN2LeftLast());
    assert.deepEqual(d.n1, {
      action: "wait",
      reason: "n2 holds the newest data (seqno 500, marked safe_to_bootstrap); waiting for it to bootstrap",
      bootstrapper: "n2",
    });
    assert.equal(d.n2?.action, "announce-bootstrap");
  });

  it("equal seqnos and nobody marked safe: the first name", () => {
    const d = decideEach([node("n1", 7), node("n2", 7), node("n3", 6)]);
    assert.deepEqual(d.n3, {
      action: "wait",
      reason: "n1 holds the newest data (seqno 7, tied with n2, first by name); waiting for it to bootstrap",
      bootstrapper: "n1",
    });
  });

  it("a node restarted before the others waits, saying who is missing and who is newest", () => {
    const [n1, n2] = clusterCleanlyStoppedLastOutIsN3() as [NodeReport, NodeReport];
    assert.deepEqual(decideRecovery(facts(n1, [n2])), {
      action: "wait",
      reason: "waiting: 2 of 3 members reported; newest seqno 1840 on n2; waiting for n3",
    });
  });

  it("a report older than the TTL counts as absent", () => {
    const [n1, n2, n3] = clusterCleanlyStoppedLastOutIsN3() as [NodeReport, NodeReport, NodeReport];
    assert.deepEqual(decideRecovery(facts(n1, [n2, { ...n3, reportedAt: NOW - 6001 }])), {
      action: "wait",
      reason: "waiting: 2 of 3 members reported; newest seqno 1840 on n2; waiting for n3",
    });
  });

  it("a node still recovering its position holds everyone back: it may have the newest data", () => {
    const [n1, n2, n3] = clusterCleanlyStoppedLastOutIsN3() as [NodeReport, NodeReport, NodeReport];
    const recovering = { ...n3, position: { uuid: A, seqno: -1 } };
    assert.deepEqual(decideRecovery(facts(n1, [n2, recovering])), {
      action: "wait",
      reason:
        "waiting: 2 of 3 members reported; newest seqno 1840 on n2; waiting for n3 (present, position not recovered yet)",
    });
    assert.equal(decideRecovery(facts(n2, [n1, { ...n3, position: null }])).action, "wait");
  });
});

describe("decideRecovery: after kill -9 of every node", () => {
  it("all back with their gvwstate.dat: every node lets Galera's pc.recovery restore the primary", () => {
    for (const decision of Object.values(decideEach(allCrashedAllBack()))) {
      assert.deepEqual(decision, {
        action: "await-pc-recovery",
        reason:
          "awaiting Galera's pc.recovery: all 3 members of the last primary component (n1, n2 and n3) are back, so Galera restores the primary by itself",
      });
    }
  });

  it("one member missing: wait, even though a node with data is here, since n3 may hold newer writes", () => {
    const d = decideEach(allCrashedOneMemberMissing(), { forceBootstrapAfterMs: 300_000 });
    assert.deepEqual(d.n2, {
      action: "wait",
      reason: `waiting: 1 member of the last primary component (${G3}, in n1's and n2's gvwstate.dat) has not reported and may hold the newest writes; waiting for n3; forcing a bootstrap in 280 s (GALERA_PILOT_FORCE_BOOTSTRAP_AFTER)`,
    });
    assert.equal(d.n1?.action, "wait");
  });

  it("one member missing past the force deadline: the newest reporting node bootstraps, saying loudly what may be lost", () => {
    const d = decideEach(allCrashedOneMemberMissing(), forceAfterDeadline());
    assert.deepEqual(d.n2, {
      action: "announce-bootstrap",
      reason:
        "FORCED after 300 s: n3 never reported; announcing a bootstrap from the newest reporting node (n2, seqno 1841), which may lose n3's newer writes",
      bootstrapper: "n2",
    });
    assert.deepEqual(d.n1, {
      action: "wait",
      reason:
        "FORCED after 300 s: n3 never reported; waiting for the newest reporting node (n2, seqno 1841) to bootstrap, which may lose n3's newer writes",
      bootstrapper: "n2",
    });
  });

  it("an emptied gvwstate.dat on n3: pc.recovery cannot apply, so the newest node bootstraps once all reported", () => {
    const d = decideEach(allCrashedN3LostItsGvwstate());
    assert.equal(d.n2?.action, "announce-bootstrap");
    assert.deepEqual(d.n3, {
      action: "wait",
      reason: "n2 holds the newest data (seqno 1841); waiting for it to bootstrap",
      bootstrapper: "n2",
    });
  });

  it("n3 came back with an empty datadir (its disk was replaced): its old member UUID still counts as missing", () => {
    const [n1, n2] = allCrashedOneMemberMissing() as [NodeReport, NodeReport];
    assert.deepEqual(decideRecovery(facts(n1, [n2, empty("n3")])), {
      action: "wait",
      reason: `waiting: 1 member of the last primary component (${G3}, in n1's and n2's gvwstate.dat) has not reported and may hold the newest writes`,
    });
  });

  it("the primary {n1, n2} restores itself; n3, which was not in it, waits to join", () => {
    const d = decideEach(n1n2CrashedInTheirPrimaryN3StoppedBefore());
    assert.equal(d.n1?.action, "await-pc-recovery");
    assert.equal(d.n2?.action, "await-pc-recovery");
    assert.deepEqual(d.n3, {
      action: "wait",
      reason:
        "waiting: n1 and n2 restore their last primary component through Galera's pc.recovery; this node joins it once it is primary",
    });
  });

  it("a member of a restorable primary that sees a bootstrap intent does not start beside it", () => {
    const [n1, n2, n3] = allCrashedAllBack() as [NodeReport, NodeReport, NodeReport];
    assert.deepEqual(decideRecovery(facts(n1, [{ ...n2, bootstrapIntentAt: NOW - 1000 }, n3])), {
      action: "wait",
      reason:
        "waiting: n2 announced a bootstrap while this node's last primary component (n1, n2 and n3) is back; starting it now could form a second primary",
    });
  });
});

describe("decideRecovery: S1, never beside a primary", () => {
  it("a restarted seed joins the primary that n2 and n3 are in (S5)", () => {
    assert.deepEqual(decideRecovery(restartedSeedWhileN2N3Primary()), {
      action: "join",
      reason: "joining the primary component that n2 and n3 are in",
    });
  });

  it("a restarted seed with an empty datadir joins too", () => {
    const f = restartedSeedWhileN2N3Primary();
    assert.deepEqual(decideRecovery({ ...f, self: empty("n1"), peers: f.peers.slice(0, 1) }), {
      action: "join",
      reason: "joining the primary component that n2 is in",
    });
  });

  it("a datadir of another cluster refuses to be overwritten by the primary's", () => {
    assert.deepEqual(decideRecovery(datadirOfClusterBBesidePrimaryOfA()), {
      action: "refuse",
      reason: `refusing to join: n2 and n3 are in a primary component of cluster ${A}, but this datadir holds cluster ${B} (seqno 90); joining would replace it with the other cluster's data by a full state transfer. Move this datadir aside to join that cluster, or start this node with its own cluster's nodes`,
    });
  });

  it("a primary that reports no cluster UUID is neither joined by a node with data nor bootstrapped beside", () => {
    assert.deepEqual(decideRecovery(facts(node("n1", 5), [node("n2", 9, { inPrimary: true })])), {
      action: "wait",
      reason: `waiting: n2 is in a primary component but reports no cluster UUID, and this datadir holds cluster ${A} (seqno 5); joining an unknown cluster could replace this data`,
    });
  });

  it("an empty node that sees primaries of two different clusters refuses, naming both: joining either would pick a side", () => {
    assert.deepEqual(
      decideRecovery(
        facts(empty("n1"), [
          node("n2", 10, { inPrimary: true, primaryUuid: A }),
          node("n3", 90, { inPrimary: true, primaryUuid: B, position: { uuid: B, seqno: 90 } }),
        ]),
      ),
      {
        action: "refuse",
        reason: `refusing to join: the reachable primary components belong to different clusters (${A} on n2; ${B} on n3); joining either would pick a side. Stop the wrong cluster, then restart this node`,
      },
    );
  });

  it("a node with cluster A's data that sees primaries of A and B joins A's, its own", () => {
    assert.deepEqual(
      decideRecovery(
        facts(node("n1", 5), [
          node("n2", 10, { inPrimary: true, primaryUuid: A }),
          node("n3", 90, { inPrimary: true, primaryUuid: B, position: { uuid: B, seqno: 90 } }),
        ]),
      ),
      { action: "join", reason: "joining the primary component that n2 is in" },
    );
  });

  it("a node already in the primary has nothing to recover", () => {
    assert.deepEqual(decideRecovery(facts(node("n1", 5, { inPrimary: true, primaryUuid: A }), [])), {
      action: "join",
      reason: `no recovery needed: this node is in the primary component of cluster ${A}`,
    });
  });
});

describe("decideRecovery: data of different clusters", () => {
  it("every node refuses, naming the nodes and the clusters, and picks no side", () => {
    const expected = {
      action: "refuse",
      reason: `refusing: the datadirs belong to different clusters (${A} on n1 and n2; ${B} on n3); bootstrapping or joining would discard one cluster's data. Keep the right cluster's datadirs, move the others aside, and restart`,
    };
    for (const decision of Object.values(decideEach(twoDatadirsOfDifferentClusters()))) {
      assert.deepEqual(decision, expected);
    }
  });

  it("even past the force deadline", () => {
    assert.equal(decideEach(twoDatadirsOfDifferentClusters(), forceAfterDeadline()).n1?.action, "refuse");
  });
});

describe("decideRecovery: a brand-new cluster", () => {
  it("without a seed: the first name announces, the others wait for it", () => {
    const d = decideEach(brandNewClusterNoSeed());
    assert.deepEqual(d.n1, {
      action: "announce-bootstrap",
      reason:
        "announcing a new-cluster bootstrap from n1: all 3 expected nodes (n1, n2 and n3) are present with empty datadirs and n1 is first by name; bootstrapping once the intent has stood 15 s unchallenged",
      bootstrapper: "n1",
    });
    assert.deepEqual(d.n3, {
      action: "wait",
      reason:
        "waiting for n1 to bootstrap a new cluster: all 3 expected nodes (n1, n2 and n3) are present with empty datadirs and n1 is first by name",
      bootstrapper: "n1",
    });
  });

  it("the first name bootstraps a new cluster once its intent settled; the others join it", () => {
    const [n1, n2, n3] = brandNewClusterNoSeed() as [NodeReport, NodeReport, NodeReport];
    const announced = { ...n1, bootstrapIntentAt: NOW - SETTLE };
    assert.deepEqual(decideRecovery(facts(announced, [n2, n3])), {
      action: "bootstrap-new-cluster",
      reason:
        "bootstrapping a new cluster from n1: all 3 expected nodes (n1, n2 and n3) are present with empty datadirs, and the intent stood 15 s unchallenged",
      bootstrapper: "n1",
    });
    assert.deepEqual(decideRecovery(facts(n2, [announced, n3])), {
      action: "wait",
      reason: "n1 announced it bootstraps a new cluster: waiting for its primary component to join it",
      bootstrapper: "n1",
    });
  });

  it("an empty node that is not the last to start waits for the others", () => {
    const [n1, n2] = brandNewClusterNoSeed() as [NodeReport, NodeReport];
    assert.deepEqual(decideRecovery(facts(n2, [n1])), {
      action: "wait",
      reason: "waiting: 2 of 3 members reported; no reported node holds data yet; waiting for n3",
    });
  });

  it("a seed on its first start, alone, announces then forms the cluster (the seed post's first step)", () => {
    const seed = empty("n1");
    assert.deepEqual(decideRecovery(facts(seed, [], { mode: "seed" })), {
      action: "announce-bootstrap",
      reason:
        "announcing a new-cluster bootstrap from n1: seed mode, an empty datadir, and no peer reporting; bootstrapping if none reports within 15 s",
      bootstrapper: "n1",
    });
    assert.deepEqual(
      decideRecovery(facts({ ...seed, bootstrapIntentAt: NOW - SETTLE }, [], { mode: "seed" })),
      {
        action: "bootstrap-new-cluster",
        reason:
          "bootstrapping a new cluster from n1: seed mode, an empty datadir, and no peer reporting, and the intent stood 15 s unchallenged",
        bootstrapper: "n1",
      },
    );
  });

  it("an empty seed that sees nodes with data never forms a cluster beside them", () => {
    const d = decideRecovery(
      facts({ ...empty("n1"), bootstrapIntentAt: NOW - SETTLE }, [node("n2", 40), node("n3", 41)], {
        mode: "seed",
      }),
    );
    assert.deepEqual(d, {
      action: "wait",
      reason: "n3 holds the newest data (seqno 41); waiting for it to bootstrap",
      bootstrapper: "n3",
    });
  });

  it("a node with data never joins an empty seed's new cluster", () => {
    const seed = empty("n1", { bootstrapIntentAt: NOW - 1000 });
    assert.deepEqual(decideRecovery(facts(node("n2", 40), [seed])), {
      action: "wait",
      reason: `waiting: n1 announced it bootstraps a new cluster, but this node holds data (${A}:40); never joining an empty cluster`,
    });
  });

  it("two empty nodes that both announced: the first name keeps its claim, the other joins it", () => {
    const n1 = empty("n1", { bootstrapIntentAt: NOW - 3000 });
    const seed = empty("seed", { bootstrapIntentAt: NOW - 9000 });
    const expected = ["n1", "n2", "seed"];
    assert.deepEqual(decideRecovery(facts(seed, [n1, empty("n2")], { mode: "seed", expected })), {
      action: "wait",
      reason: "n1 announced it bootstraps a new cluster: waiting for its primary component to join it",
      bootstrapper: "n1",
    });
    assert.deepEqual(decideRecovery(facts(n1, [seed, empty("n2")], { expected })), {
      action: "wait",
      reason:
        "waiting 12 s more before bootstrapping a new cluster from n1: the intent stands 15 s so that every node sees it",
      bootstrapper: "n1",
    });
  });
});

describe("decideRecovery: nodes that never bootstrap", () => {
  it("a zero-UUID node waits for the newest node of the cluster and is never chosen", () => {
    const d = decideEach(zeroUuidNodeNeverBootstraps());
    assert.deepEqual(d.n1, {
      action: "wait",
      reason: "n3 holds the newest data (seqno 41); waiting for it to bootstrap",
      bootstrapper: "n3",
    });
    assert.equal(d.n3?.action, "announce-bootstrap");
    assert.deepEqual(
      rankCandidates(zeroUuidNodeNeverBootstraps()).map((n) => n.name),
      ["n3", "n2"],
    );
  });

  it("an intent announced by a zero-UUID node is not followed", () => {
    const [n1, n2, n3] = zeroUuidNodeNeverBootstraps() as [NodeReport, NodeReport, NodeReport];
    assert.deepEqual(decideRecovery(facts(n2, [{ ...n1, bootstrapIntentAt: NOW - 1000 }, n3])), {
      action: "wait",
      reason: "waiting: n1 announced it bootstraps but holds no usable position (zero UUID); not joining it",
    });
  });

  it("no node with a usable position: wait, saying what each one holds", () => {
    const nodes = [node("n1", -1, { position: { uuid: ZERO_UUID, seqno: -1 } }), empty("n2"), empty("n3")];
    assert.deepEqual(decideEach(nodes).n2, {
      action: "wait",
      reason:
        "waiting: no node holds a usable position (n1: zero UUID, n2: empty datadir, n3: empty datadir); only a node with a recovered seqno of a real cluster may bootstrap",
    });
  });
});

describe("decideRecovery: a join cut short never restores a cluster by itself", () => {
  /** The cluster of the fault: n1 rejoined by SST after a kill -9, then n3 and n2 stopped cleanly; n1 was killed alone in the primary. */
  const X = "75e9801f-d1c2-11f1-9a3b-2f1e0c6b7a10";
  const n2 = node("n2", 442844, { position: { uuid: X, seqno: 442844 }, safeToBootstrap: true });
  const n3 = node("n3", 442842, { position: { uuid: X, seqno: 442842 } });
  const alone = { myUuid: G1, members: [G1] };
  /** n1 as this agent reports it: the cut-short transfer holds no position, the void view was removed. */
  const n1 = node("n1", -1, { position: { uuid: ZERO_UUID, seqno: -1 } });
  /** n1 as the earlier agent reported it: InnoDB's position from before the transfer, and its view of itself alone. */
  const n1AsBefore = node("n1", 442841, { position: { uuid: X, seqno: 442841 }, lastPrimaryView: alone });

  it("the fault's state: n2, the newest, bootstraps; n1 and n3 wait for it", () => {
    const d = decideEach([n1, n2, n3]);
    assert.deepEqual(d.n2, {
      action: "announce-bootstrap",
      reason: `announcing a bootstrap from n2: it holds the newest data (seqno 442844; n3 442842); bootstrapping once the intent has stood 15 s unchallenged`,
      bootstrapper: "n2",
    });
    assert.deepEqual(d.n1, {
      action: "wait",
      reason: "n2 holds the newest data (seqno 442844); waiting for it to bootstrap",
      bootstrapper: "n2",
    });
    assert.equal(d.n3?.action, "wait");
  });

  it("had n1 kept its view and InnoDB's position, the newer nodes outside that view still stop Galera's pc.recovery", () => {
    const d = decideEach([n1AsBefore, n2, n3]);
    assert.deepEqual(d.n1, {
      action: "wait",
      reason:
        "n2 holds the newest data (seqno 442844); waiting for it to bootstrap; not awaiting Galera's pc.recovery: n2 seqno 442844 and n3 seqno 442842 outside the last primary component (n1) hold newer data than n1 (seqno 442841), which Galera's pc.recovery would drop",
      bootstrapper: "n2",
    });
    assert.equal(d.n2?.action, "announce-bootstrap");
  });

  it("a view whose members hold no position of a cluster is never restored: it would be a new cluster", () => {
    const d = decideEach([{ ...n1, lastPrimaryView: alone }, n2, n3]);
    assert.match(
      d.n1?.reason ?? "",
      /; not awaiting Galera's pc.recovery: the last primary component \(n1\) holds no position of a cluster, and Galera would restore it from the zero position as a new cluster$/,
    );
    assert.equal(d.n2?.action, "announce-bootstrap");
  });

  it("two of three left in the void view: n3, outside it with the newest data, bootstraps", () => {
    const pair = [G1, G2];
    const d = decideEach([
      node("n1", -1, {
        position: { uuid: ZERO_UUID, seqno: -1 },
        lastPrimaryView: { myUuid: G1, members: pair },
      }),
      node("n2", -1, {
        position: { uuid: ZERO_UUID, seqno: -1 },
        lastPrimaryView: { myUuid: G2, members: pair },
      }),
      node("n3", 442842, { position: { uuid: X, seqno: 442842 } }),
    ]);
    assert.equal(d.n3?.action, "announce-bootstrap");
    for (const name of ["n1", "n2"]) {
      assert.equal(d[name]?.action, "wait");
      assert.equal(d[name]?.bootstrapper, "n3");
    }
  });

  it("the void node held the newest InnoDB position before its transfer: it is still never chosen (it reports none)", () => {
    const d = decideEach([n1, node("n2", 442840, { position: { uuid: X, seqno: 442840 } }), n3]);
    assert.equal(d.n3?.action, "announce-bootstrap");
    assert.equal(d.n1?.bootstrapper, "n3");
  });

  it("an IST joiner that never synced holds a prefix of the cluster's history: its view is void, but its newest position counts", () => {
    const d = decideEach([node("n1", 442850, { position: { uuid: X, seqno: 442850 } }), n2, n3]);
    assert.equal(d.n1?.action, "announce-bootstrap");
  });

  it("killed with its synced peers, who saved it in their view: its void view does not leave its member missing; the newest bootstraps", () => {
    const d = decideEach([n1, crashed("n2", 442844, G2), crashed("n3", 442842, G3)]);
    assert.equal(d.n2?.action, "announce-bootstrap");
    assert.equal(d.n3?.bootstrapper, "n2");
    assert.equal(d.n1?.bootstrapper, "n2");
  });

  it("its peers missing: n1 waits for them, whether it reports as now or as before", () => {
    assert.deepEqual(decideRecovery(facts(n1, [])), {
      action: "wait",
      reason: "waiting: 1 of 3 members reported; no reported node holds data yet; waiting for n2 and n3",
    });
    assert.deepEqual(decideRecovery(facts(n1, [n3])).action, "wait");
  });

  it("a node outside the view that has not recovered its position yet holds pc.recovery back: it may be newer", () => {
    const d = decideRecovery(facts(n1AsBefore, [node("n2", -1, { position: null }), n3]));
    assert.equal(d.action, "wait");
    assert.match(
      d.reason,
      /not awaiting Galera's pc.recovery: n2 is outside the last primary component \(n1\) and has not reported a position yet; it may hold newer data than n1 \(seqno 442841\)$/,
    );
  });

  it("an expected node outside the view that has not reported at all holds it back too, so both sides decide on the same reports", () => {
    const older = node("n3", 442800, { position: { uuid: X, seqno: 442800 } });
    const d = decideRecovery(facts(n1AsBefore, [older]));
    assert.deepEqual(d, {
      action: "wait",
      reason:
        "waiting: 2 of 3 members reported; newest seqno 442841 on n1; waiting for n2; not awaiting Galera's pc.recovery: n2 is outside the last primary component (n1) and has not reported a position yet; it may hold newer data than n1 (seqno 442841)",
    });
  });

  it("older nodes outside the view, every one reported: the view is restored (Galera's own rule)", () => {
    const older = (name: string, seqno: number) => node(name, seqno, { position: { uuid: X, seqno } });
    assert.equal(
      decideRecovery(facts(n1AsBefore, [older("n2", 442800), older("n3", 442790)])).action,
      "await-pc-recovery",
    );
  });
});

describe("decideRecovery: the force override (GALERA_PILOT_FORCE_BOOTSTRAP_AFTER)", () => {
  const stoppedN3NeverBack = (): NodeReport[] => [node("n1", 1839), node("n2", 1840)];

  it("before the deadline: wait, with the time left", () => {
    assert.deepEqual(
      decideEach(stoppedN3NeverBack(), { waitingSince: NOW - 240_000, forceBootstrapAfterMs: 300_000 }).n2,
      {
        action: "wait",
        reason:
          "waiting: 2 of 3 members reported; newest seqno 1840 on n2; waiting for n3; forcing a bootstrap in 60 s (GALERA_PILOT_FORCE_BOOTSTRAP_AFTER)",
      },
    );
  });

  it("after it: the newest reporting node announces, then bootstraps, each time saying it may lose data", () => {
    const [n1, n2] = stoppedN3NeverBack() as [NodeReport, NodeReport];
    assert.deepEqual(
      decideRecovery(facts({ ...n2, bootstrapIntentAt: NOW - 4000 }, [n1], forceAfterDeadline())),
      {
        action: "wait",
        reason:
          "FORCED after 300 s: n3 never reported; waiting 11 s more before bootstrapping from the newest reporting node (n2, seqno 1840), which may lose n3's newer writes",
        bootstrapper: "n2",
      },
    );
    assert.deepEqual(
      decideRecovery(facts({ ...n2, bootstrapIntentAt: NOW - SETTLE }, [n1], forceAfterDeadline())),
      {
        action: "bootstrap",
        reason:
          "FORCED after 300 s: n3 never reported; bootstrapping from the newest reporting node (n2, seqno 1840) may lose n3's newer writes",
        bootstrapper: "n2",
      },
    );
  });

  it("never beside a primary, even forced", () => {
    const d = decideRecovery(
      facts(node("n1", 3), [node("n2", 1, { inPrimary: true, primaryUuid: A })], forceAfterDeadline()),
    );
    assert.equal(d.action, "join");
  });

  it("a late node with newer data does not join a forced bootstrap of older data; the announcer yields to it", () => {
    const n2 = node("n2", 1840, { bootstrapIntentAt: NOW - 4000 });
    const n3 = node("n3", 1841);
    assert.deepEqual(decideRecovery(facts(n3, [n2])), {
      action: "wait",
      reason:
        "waiting: n2 announced it bootstraps, but this node (seqno 1841) ranks before it (seqno 1840, older data); not joining it, and not bootstrapping until it withdraws",
    });
    const yielded = decideRecovery(facts(n2, [n3], forceAfterDeadline()));
    assert.equal(yielded.action, "wait");
    assert.equal(yielded.bootstrapper, "n3");
    assert.equal(keepsBootstrapIntent(yielded, "n2"), false);
  });

  it("two announcers: the lower-ranked one joins the higher, which carries on", () => {
    const n2 = node("n2", 1840, { bootstrapIntentAt: NOW - 4000 });
    const n3 = node("n3", 1841, { bootstrapIntentAt: NOW - 2000 });
    assert.deepEqual(decideRecovery(facts(n2, [n3, node("n1", 3)])), {
      action: "wait",
      reason:
        "n3 announced it bootstraps (seqno 1841) and outranks this node (seqno 1840): waiting for its primary component to join it",
      bootstrapper: "n3",
    });
    assert.deepEqual(decideRecovery(facts(n3, [n2, node("n1", 3)])), {
      action: "wait",
      reason:
        "waiting 13 s more before bootstrapping from n3: the intent stands 15 s so that every node sees it",
      bootstrapper: "n3",
    });
  });
});

describe("decideRecovery: the survivor of a majority crash, its mariadbd still running outside a primary", () => {
  /** n1 stayed up, non-Primary, holding seqno 57 live; n2 and n3 were killed at 27 (their appliers lagged). */
  const survivor = (more: Partial<NodeReport> = {}): NodeReport => ({
    ...crashed("n1", 57, G1),
    running: true,
    ...more,
  });

  it("back with the same view, every node awaits Galera's pc.recovery, the survivor included (Galera restores the primary around it as it runs)", () => {
    const d = decideEach([survivor(), crashed("n2", 27, G2), crashed("n3", 27, G3)]);
    for (const name of ["n1", "n2", "n3"])
      assert.equal(d[name]!.action, "await-pc-recovery", d[name]!.reason);
  });

  it("when the views cannot be restored, the survivor holds the newest data and bootstraps in place once its intent has stood", () => {
    const n2 = node("n2", 27);
    const n3 = node("n3", 27);
    const announced = decideRecovery(facts(survivor(), [n2, n3]));
    assert.equal(announced.action, "announce-bootstrap");
    assert.equal(announced.bootstrapper, "n1");
    const acted = decideRecovery(facts(survivor({ bootstrapIntentAt: NOW - SETTLE }), [n2, n3]));
    assert.deepEqual(acted, {
      action: "bootstrap-in-place",
      reason:
        "bootstrapping from n1 in place (pc.bootstrap=YES; its mariadbd runs outside a primary component): it holds the newest data (seqno 57; n2 27, n3 27), and the intent stood 15 s unchallenged",
      bootstrapper: "n1",
    });
    const follower = decideRecovery(facts(n2, [survivor({ bootstrapIntentAt: NOW - 4000 }), n3]));
    assert.equal(follower.action, "wait");
    assert.equal(follower.bootstrapper, "n1");
  });

  it("the restarted nodes never bootstrap from their older data while the survivor reports", () => {
    for (const self of [node("n2", 27), node("n3", 27)]) {
      const d = decideRecovery(facts(self, [survivor(), node(self.name === "n2" ? "n3" : "n2", 27)]));
      assert.equal(d.bootstrapper, "n1", d.reason);
      assert.ok(!["bootstrap", "announce-bootstrap"].includes(d.action), d.reason);
    }
  });

  it("never forced: alone outside a primary it may only be cut off from one that lives on", () => {
    const d = decideRecovery(
      facts(survivor({ lastPrimaryView: null }), [node("n2", 27)], forceAfterDeadline()),
    );
    assert.equal(d.action, "wait");
    assert.doesNotMatch(d.reason, /FORCED|forcing/);
  });

  it("a forced restarted node waiting for it says how to let the override act", () => {
    const d = decideRecovery(
      facts(node("n2", 27), [survivor({ lastPrimaryView: null })], forceAfterDeadline()),
    );
    assert.equal(d.action, "wait");
    assert.equal(d.bootstrapper, "n1");
    assert.match(
      d.reason,
      /a running node never forces a bootstrap.*restart n1 for the override to act there/,
    );
  });
});

describe("decideRecovery: reports that must not count", () => {
  it("an announcer outside the configuration is neither followed nor raced", () => {
    const [n1, n2, n3] = clusterCleanlyStoppedLastOutIsN3() as [NodeReport, NodeReport, NodeReport];
    assert.deepEqual(decideRecovery(facts(n3, [n1, n2, node("n9", 5000, { bootstrapIntentAt: NOW })])), {
      action: "wait",
      reason:
        "waiting: n9 announced it bootstraps but is not an expected node (n1, n2 and n3); neither following it nor bootstrapping beside it",
    });
  });

  it("a node outside the configuration holding the newest data is never the bootstrapper, and its data is not dropped: the expected nodes wait, saying how to add it", () => {
    const [n1, n2, n3] = clusterCleanlyStoppedLastOutIsN3() as [NodeReport, NodeReport, NodeReport];
    assert.deepEqual(decideRecovery(facts(n3, [n1, n2, node("n9", 5000)])), {
      action: "wait",
      reason:
        "waiting: n9 is not an expected node (n1, n2 and n3) but holds newer data of this cluster (seqno 5000) than n3 (seqno 1841); bootstrapping without it would drop that data: add n9 to every node's peers, or move its datadir aside",
    });
  });

  it("a node outside the configuration with older data changes nothing: the newest expected node bootstraps", () => {
    const [n1, n2, n3] = clusterCleanlyStoppedLastOutIsN3() as [NodeReport, NodeReport, NodeReport];
    assert.equal(decideRecovery(facts(n3, [n1, n2, node("n9", 100)])).action, "announce-bootstrap");
  });

  it("a report under this node's own name, and older duplicates, are ignored", () => {
    const f = facts(node("n1", 1), [
      node("n1", 99_999, { inPrimary: true, primaryUuid: B }),
      node("n2", 5, { reportedAt: NOW - 3000 }),
      node("n2", 6, { reportedAt: NOW - 2000 }),
    ]);
    assert.deepEqual(
      presentPeers(f).map((p) => [p.name, p.position?.seqno]),
      [["n2", 6]],
    );
  });

  it("the peers' order does not change the decision", () => {
    const [n1, n2, n3] = clusterCleanlyStoppedLastOutIsN3() as [NodeReport, NodeReport, NodeReport];
    assert.deepEqual(decideRecovery(facts(n3, [n1, n2])), decideRecovery(facts(n3, [n2, n1])));
  });
});

void describe("intentSettleMs: how long a bootstrap intent stands", () => {
  const base: SettleInputs = {
    mode: "node",
    forceConfigured: false,
    fresh: false,
    reportTtlMs: 4000,
    intervalMs: 1000,
    decisionIntervalMs: 150,
  };
  const table: { situation: string; inputs: SettleInputs; ms: number }[] = [
    { situation: "node mode, data, no force: one decision round", inputs: base, ms: 150 },
    { situation: "a seed: twice the TTL plus one interval", inputs: { ...base, mode: "seed" }, ms: 9000 },
    { situation: "force configured", inputs: { ...base, forceConfigured: true }, ms: 9000 },
    { situation: "an empty datadir (a new cluster)", inputs: { ...base, fresh: true }, ms: 9000 },
    {
      situation: "a seed with force and an empty datadir",
      inputs: { ...base, mode: "seed", forceConfigured: true, fresh: true },
      ms: 9000,
    },
    {
      situation: "a longer TTL lengthens only the contested settle",
      inputs: { ...base, reportTtlMs: 10_000 },
      ms: 150,
    },
  ];
  for (const row of table) {
    void it(`${row.situation}: ${row.ms} ms`, () => assert.equal(intentSettleMs(row.inputs), row.ms));
  }

  void it("a contested settle always exceeds twice the report TTL plus one interval", () => {
    for (const reportTtlMs of [1000, 4000, 31_000])
      for (const intervalMs of [100, 1000, 60_000]) {
        const ms = intentSettleMs({ ...base, fresh: true, reportTtlMs, intervalMs });
        assert.ok(ms >= 2 * reportTtlMs + intervalMs);
      }
  });
});
