/**
 * decideRecovery, rules 4 to 9 and the sentences an operator reads: following a bootstrap
 * intent, Galera's pc.recovery, a brand-new cluster, the S2 choice, the settle of an intent,
 * the force override, and the words of each. Every test asserts the exact action, reason and
 * bootstrapper of one situation.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ZERO_UUID } from "../../../src/model/galera-state.js";
import type { NodeReport } from "../../../src/model/peer-report.js";
import type { RecoveryFacts } from "../../../src/decide/recovery-facts.js";
import { decideRecovery, type RecoveryDecision } from "../../../src/decide/recovery-decision.js";
import { A, B, G1, G2, G3, G4, NOW, SETTLE, crashed, empty, facts, node } from "./recovery-fixtures.js";

const FORCE_AFTER = 300_000;

/** A node whose state transfer was cut short: grastate.dat holds the zero UUID. */
function zero(name: string, more: Partial<NodeReport> = {}): NodeReport {
  return node(name, -1, { position: { uuid: ZERO_UUID, seqno: -1 }, ...more });
}

const decide = (self: NodeReport, peers: NodeReport[], more: Partial<RecoveryFacts> = {}): RecoveryDecision =>
  decideRecovery(facts(self, peers, more));

/** The force deadline configured and passed: GALERA_PILOT_FORCE_BOOTSTRAP_AFTER=300 s, waiting for 400 s. */
const forced: Partial<RecoveryFacts> = { forceBootstrapAfterMs: FORCE_AFTER, waitingSince: NOW - 400_000 };

/** An intent announced `ms` ago. */
const announcedAgo = (ms: number): Partial<NodeReport> => ({ bootstrapIntentAt: NOW - ms });

describe("decideRecovery: following a peer's bootstrap intent (S3)", () => {
  it("a node outside the expected set announced: neither followed nor bootstrapped beside", () => {
    assert.deepEqual(decide(node("n1", 1841), [node("n2", 1840), node("n4", 1900, announcedAgo(2000))]), {
      action: "wait",
      reason:
        "waiting: n4 announced it bootstraps but is not an expected node (n1, n2 and n3); neither following it nor bootstrapping beside it",
    });
  });

  it("an announcer whose grastate.dat holds the zero UUID is not followed", () => {
    assert.deepEqual(decide(node("n1", 1841), [zero("n2", announcedAgo(2000)), node("n3", 1840)]), {
      action: "wait",
      reason: "waiting: n2 announced it bootstraps but holds no usable position (zero UUID); not joining it",
    });
  });

  it("an announcer that does not know its position is not followed", () => {
    assert.deepEqual(
      decide(node("n1", 1841), [node("n2", 1840, { position: null, ...announcedAgo(2000) })]),
      {
        action: "wait",
        reason:
          "waiting: n2 announced it bootstraps but holds no usable position (position unknown); not joining it",
      },
    );
  });

  it("an announcer with a cluster UUID but an unrecovered seqno is not followed", () => {
    assert.deepEqual(decide(node("n1", 1841), [node("n2", -1, announcedAgo(2000))]), {
      action: "wait",
      reason: `waiting: n2 announced it bootstraps but holds no usable position (${A}, seqno unknown); not joining it`,
    });
  });

  it("announcers while this node's own last primary component is back: starting could form a second primary", () => {
    const self = crashed("n1", 1839, G1, [G1, G2]);
    const peers = [crashed("n2", 1841, G2, [G1, G2]), node("n3", 1800)].map((peer) => ({
      ...peer,
      ...announcedAgo(2000),
    }));
    assert.deepEqual(decide(self, peers), {
      action: "wait",
      reason:
        "waiting: n2 and n3 announced a bootstrap while this node's last primary component (n1 and n2) is back; starting it now could form a second primary",
    });
  });

  it("this node has not recovered its seqno: it does not join before knowing whether it holds newer data", () => {
    assert.deepEqual(decide(node("n1", -1), [node("n2", 1841, announcedAgo(2000)), node("n3", 1800)]), {
      action: "wait",
      reason: `waiting: n2 announced it bootstraps (seqno 1841), but this node has not recovered its own position yet (${A}, seqno unknown); not joining before it knows whether it holds newer data`,
    });
  });

  it("this node knows nothing of its position: it does not join either", () => {
    assert.deepEqual(decide(node("n1", 0, { position: null }), [node("n2", 1841, announcedAgo(2000))]), {
      action: "wait",
      reason:
        "waiting: n2 announced it bootstraps (seqno 1841), but this node has not recovered its own position yet (position unknown); not joining before it knows whether it holds newer data",
    });
  });

  it("the announcer holds newer data: this node follows it, saying it is outranked", () => {
    assert.deepEqual(decide(node("n1", 1800), [node("n2", 1841, announcedAgo(2000)), node("n3", 1700)]), {
      action: "wait",
      reason:
        "n2 announced it bootstraps (seqno 1841) and outranks this node (seqno 1800): waiting for its primary component to join it",
      bootstrapper: "n2",
    });
  });

  it("equal seqnos, the announcer marked safe_to_bootstrap: this node follows it", () => {
    const announcer = node("n2", 1841, { safeToBootstrap: true, ...announcedAgo(2000) });
    assert.deepEqual(decide(node("n1", 1841), [announcer]), {
      action: "wait",
      reason:
        "n2 announced it bootstraps (seqno 1841) and outranks this node (seqno 1841): waiting for its primary component to join it",
      bootstrapper: "n2",
    });
  });

  it("an empty node follows an announcer with data, with no claim of its own to compare", () => {
    assert.deepEqual(decide(empty("n1"), [node("n2", 1841, announcedAgo(2000))]), {
      action: "wait",
      reason: "n2 announced it bootstraps (seqno 1841): waiting for its primary component to join it",
      bootstrapper: "n2",
    });
  });

  it("an empty node that had announced a new cluster yields to an announcer with data", () => {
    const self = empty("n1", { position: null, ...announcedAgo(5000) });
    assert.deepEqual(decide(self, [node("n2", 1841, announcedAgo(2000))]), {
      action: "wait",
      reason:
        "n2 announced it bootstraps (seqno 1841) and outranks this node (seqno unknown): waiting for its primary component to join it",
      bootstrapper: "n2",
    });
  });

  it("an empty node that had announced a new cluster, its seqno -1, reads as unknown", () => {
    assert.deepEqual(decide(empty("n1", announcedAgo(5000)), [node("n2", 1841, announcedAgo(2000))]), {
      action: "wait",
      reason:
        "n2 announced it bootstraps (seqno 1841) and outranks this node (seqno unknown): waiting for its primary component to join it",
      bootstrapper: "n2",
    });
  });

  it("this node holds newer data than the announcer: it waits for the announcer to withdraw", () => {
    assert.deepEqual(decide(node("n1", 1900), [node("n2", 1841, announcedAgo(2000)), node("n3", 1700)]), {
      action: "wait",
      reason:
        "waiting: n2 announced it bootstraps, but this node (seqno 1900) ranks before it (seqno 1841, older data); not joining it, and not bootstrapping until it withdraws",
    });
  });

  it("this node ties the announcer's seqno and comes first by name: it waits for the announcer to withdraw, and says it is a tie", () => {
    assert.deepEqual(decide(node("n1", 1841), [node("n2", 1841, announcedAgo(2000)), node("n3", 1700)]), {
      action: "wait",
      reason:
        "waiting: n2 announced it bootstraps, but this node (seqno 1841) ranks before it (seqno 1841, the same: the first name wins the tie); not joining it, and not bootstrapping until it withdraws",
    });
  });

  it("both announced and this node holds newer data: it keeps its claim and bootstraps once it stood", () => {
    const self = node("n1", 1900, announcedAgo(20_000));
    assert.deepEqual(decide(self, [node("n2", 1841, announcedAgo(2000)), node("n3", 1700)]), {
      action: "bootstrap",
      reason:
        "bootstrapping from n1: it holds the newest data (seqno 1900; n2 1841, n3 1700), and the intent stood 15 s unchallenged",
      bootstrapper: "n1",
    });
  });

  it("an empty announcer of a new cluster is never joined by a node holding data", () => {
    assert.deepEqual(decide(node("n1", 1841), [empty("n2", announcedAgo(2000))]), {
      action: "wait",
      reason: `waiting: n2 announced it bootstraps a new cluster, but this node holds data (${A}:1841); never joining an empty cluster`,
    });
  });

  it("seqno 0 is data too: a node at seqno 0 never joins an empty new cluster", () => {
    assert.deepEqual(decide(node("n1", 0), [empty("n2", announcedAgo(2000))]), {
      action: "wait",
      reason: `waiting: n2 announced it bootstraps a new cluster, but this node holds data (${A}:0); never joining an empty cluster`,
    });
  });

  it("a node that does not know its position may hold data: it never joins an empty new cluster", () => {
    assert.deepEqual(decide(node("n1", 0, { position: null }), [empty("n2", announcedAgo(2000))]), {
      action: "wait",
      reason:
        "waiting: n2 announced it bootstraps a new cluster, but this node holds data (position unknown); never joining an empty cluster",
    });
  });

  it("a node with the zero UUID holds nothing to lose: it follows an empty announcer", () => {
    assert.deepEqual(decide(zero("n1"), [empty("n2", announcedAgo(2000))]), {
      action: "wait",
      reason: "n2 announced it bootstraps a new cluster: waiting for its primary component to join it",
      bootstrapper: "n2",
    });
  });

  it("two empty announcers: an empty node follows the first by name", () => {
    assert.deepEqual(
      decide(empty("n1"), [empty("n3", announcedAgo(1000)), empty("n2", announcedAgo(2000))]),
      {
        action: "wait",
        reason: "n2 announced it bootstraps a new cluster: waiting for its primary component to join it",
        bootstrapper: "n2",
      },
    );
  });

  it("an empty node first by name that did not announce still follows an empty announcer (a seed that started alone)", () => {
    assert.deepEqual(decide(empty("n1"), [empty("n2", announcedAgo(2000)), empty("n3")]), {
      action: "wait",
      reason: "n2 announced it bootstraps a new cluster: waiting for its primary component to join it",
      bootstrapper: "n2",
    });
  });

  it("two empty nodes announced: the one later by name yields", () => {
    assert.deepEqual(
      decide(empty("n2", announcedAgo(3000)), [empty("n1", announcedAgo(2000)), empty("n3")]),
      {
        action: "wait",
        reason: "n1 announced it bootstraps a new cluster: waiting for its primary component to join it",
        bootstrapper: "n1",
      },
    );
  });

  it("two empty nodes announced: the first by name keeps its claim and settles it", () => {
    assert.deepEqual(
      decide(empty("n1", announcedAgo(5000)), [empty("n2", announcedAgo(2000)), empty("n3")]),
      {
        action: "wait",
        reason:
          "waiting 10 s more before bootstrapping a new cluster from n1: the intent stands 15 s so that every node sees it",
        bootstrapper: "n1",
      },
    );
  });
});

describe("decideRecovery: Galera's pc.recovery (S4)", () => {
  it("the whole last primary component is back: Galera restores it by itself", () => {
    const nodes = [crashed("n1", 1839, G1), crashed("n2", 1841, G2), crashed("n3", 1840, G3)];
    assert.deepEqual(decide(nodes[0]!, nodes.slice(1)), {
      action: "await-pc-recovery",
      reason:
        "awaiting Galera's pc.recovery: all 3 members of the last primary component (n1, n2 and n3) are back, so Galera restores the primary by itself",
    });
  });

  it("another node restores its primary of one: this node waits to join it", () => {
    const restorer = crashed("n1", 1841, G1, [G1]);
    assert.deepEqual(decide(node("n2", 1800), [restorer, node("n3", 1700)]), {
      action: "wait",
      reason:
        "waiting: n1 restores its last primary component through Galera's pc.recovery; this node joins it once it is primary",
    });
  });

  it("two other nodes restore their primary: this node waits to join it", () => {
    const restorers = [crashed("n1", 1841, G1, [G1, G2]), crashed("n2", 1840, G2, [G1, G2])];
    assert.deepEqual(decide(node("n3", 1700), restorers), {
      action: "wait",
      reason:
        "waiting: n1 and n2 restore their last primary component through Galera's pc.recovery; this node joins it once it is primary",
    });
  });

  it("one member of the last primary component is missing: wait for it, naming the absent node", () => {
    assert.deepEqual(decide(crashed("n1", 1839, G1), [crashed("n2", 1841, G2)]), {
      action: "wait",
      reason: `waiting: 1 member of the last primary component (${G3}, in n1's and n2's gvwstate.dat) has not reported and may hold the newest writes; waiting for n3`,
    });
  });

  it("two members are missing, with a force deadline ahead: the wait says when it forces", () => {
    const more = { forceBootstrapAfterMs: FORCE_AFTER, waitingSince: NOW - 20_999 };
    assert.deepEqual(decide(crashed("n1", 1839, G1), [], more), {
      action: "wait",
      reason: `waiting: 2 members of the last primary component (${G2} and ${G3}, in n1's gvwstate.dat) have not reported and may hold the newest writes; waiting for n2 and n3; forcing a bootstrap in 280 s (GALERA_PILOT_FORCE_BOOTSTRAP_AFTER)`,
    });
  });

  it("a running node never forces: its wait for a missing member has no countdown, even past the deadline", () => {
    const self = { ...crashed("n1", 1839, G1), running: true };
    assert.deepEqual(decide(self, [crashed("n2", 1841, G2)], forced), {
      action: "wait",
      reason: `waiting: 1 member of the last primary component (${G3}, in n1's and n2's gvwstate.dat) has not reported and may hold the newest writes; waiting for n3`,
    });
  });

  it("every expected node is here but a member of the view is not: no expected node to name", () => {
    const view = [G1, G2, G3];
    assert.deepEqual(
      decide(crashed("n1", 1839, G1, view), [crashed("n2", 1841, G2, view)], { expected: ["n1", "n2"] }),
      {
        action: "wait",
        reason: `waiting: 1 member of the last primary component (${G3}, in n1's and n2's gvwstate.dat) has not reported and may hold the newest writes`,
      },
    );
  });
});

describe("decideRecovery: a brand-new cluster", () => {
  const all = (self: NodeReport): NodeReport[] =>
    [empty("n1"), empty("n2"), empty("n3")].filter((n) => n.name !== self.name);

  it("every expected node is here and empty: the first by name announces", () => {
    const self = empty("n1");
    assert.deepEqual(decide(self, all(self)), {
      action: "announce-bootstrap",
      reason:
        "announcing a new-cluster bootstrap from n1: all 3 expected nodes (n1, n2 and n3) are present with empty datadirs and n1 is first by name; bootstrapping once the intent has stood 15 s unchallenged",
      bootstrapper: "n1",
    });
  });

  it("every expected node is here and empty: the others wait for the first by name", () => {
    const self = empty("n2");
    assert.deepEqual(decide(self, all(self)), {
      action: "wait",
      reason:
        "waiting for n1 to bootstrap a new cluster: all 3 expected nodes (n1, n2 and n3) are present with empty datadirs and n1 is first by name",
      bootstrapper: "n1",
    });
  });

  it("the first by name bootstraps once its intent stood exactly the settle time", () => {
    const self = empty("n1", announcedAgo(SETTLE));
    assert.deepEqual(decide(self, all(self)), {
      action: "bootstrap-new-cluster",
      reason:
        "bootstrapping a new cluster from n1: all 3 expected nodes (n1, n2 and n3) are present with empty datadirs, and the intent stood 15 s unchallenged",
      bootstrapper: "n1",
    });
  });

  it("a new cluster is always started by a start, never in place, even with a mariadbd reported running", () => {
    const self = empty("n1", { running: true, ...announcedAgo(SETTLE + 1) });
    assert.deepEqual(decide(self, all(self)), {
      action: "bootstrap-new-cluster",
      reason:
        "bootstrapping a new cluster from n1: all 3 expected nodes (n1, n2 and n3) are present with empty datadirs, and the intent stood 15 s unchallenged",
      bootstrapper: "n1",
    });
  });

  it("a seed alone and empty announces, with the settle in tenths of a second", () => {
    assert.deepEqual(decide(empty("n1"), [], { mode: "seed", intentSettleMs: 12_345 }), {
      action: "announce-bootstrap",
      reason:
        "announcing a new-cluster bootstrap from n1: seed mode, an empty datadir, and no peer reporting; bootstrapping if none reports within 12.3 s",
      bootstrapper: "n1",
    });
  });

  it("a seed alone whose intent stood bootstraps a new cluster", () => {
    assert.deepEqual(decide(empty("n1", announcedAgo(SETTLE)), [], { mode: "seed" }), {
      action: "bootstrap-new-cluster",
      reason:
        "bootstrapping a new cluster from n1: seed mode, an empty datadir, and no peer reporting, and the intent stood 15 s unchallenged",
      bootstrapper: "n1",
    });
  });

  it("a seed whose claim stood while an empty peer came: it keeps its claim", () => {
    assert.deepEqual(decide(empty("n1", announcedAgo(SETTLE)), [empty("n2")], { mode: "seed" }), {
      action: "bootstrap-new-cluster",
      reason:
        "bootstrapping a new cluster from n1: seed mode: it announced first, and the nodes present (n1 and n2) are empty, and the intent stood 15 s unchallenged",
      bootstrapper: "n1",
    });
  });

  it("a seed that did not announce and sees a peer follows the other rules: it waits for the missing node", () => {
    assert.deepEqual(decide(empty("n1"), [empty("n2")], { mode: "seed" }), {
      action: "wait",
      reason: "waiting: 2 of 3 members reported; no reported node holds data yet; waiting for n3",
    });
  });

  it("a node (not a seed) alone and empty never starts a new cluster: it waits for the others", () => {
    assert.deepEqual(decide(empty("n1"), []), {
      action: "wait",
      reason: "waiting: 1 of 3 members reported; no reported node holds data yet; waiting for n2 and n3",
    });
  });

  it("a node (not a seed) whose new-cluster claim lost its grounds waits for the missing node", () => {
    assert.deepEqual(decide(empty("n1", announcedAgo(SETTLE)), [empty("n2")]), {
      action: "wait",
      reason: "waiting: 2 of 3 members reported; no reported node holds data yet; waiting for n3",
    });
  });
});

describe("decideRecovery: the S2 choice among the reported positions", () => {
  it("a present node that has not recovered its position is waited for, and named as present", () => {
    assert.deepEqual(decide(node("n1", 1839), [node("n2", -1)]), {
      action: "wait",
      reason:
        "waiting: 1 of 3 members reported; newest seqno 1839 on n1; waiting for n2 (present, position not recovered yet) and n3",
    });
  });

  it("seqno 0 is a real position, named as the newest", () => {
    assert.deepEqual(decide(node("n1", 0), []), {
      action: "wait",
      reason: "waiting: 1 of 3 members reported; newest seqno 0 on n1; waiting for n2 and n3",
    });
  });

  it("a running node waiting for a missing node shows no countdown: it never forces", () => {
    const self = node("n1", 1839, { running: true });
    assert.deepEqual(decide(self, [node("n2", 1800)], forced), {
      action: "wait",
      reason: "waiting: 2 of 3 members reported; newest seqno 1839 on n1; waiting for n3",
    });
  });

  it("no expected node holds a usable position: nothing to bootstrap from", () => {
    assert.deepEqual(decide(zero("n1"), [empty("n2"), zero("n3")]), {
      action: "wait",
      reason:
        "waiting: no node holds a usable position (n1: zero UUID, n2: empty datadir, n3: zero UUID); only a node with a recovered seqno of a real cluster may bootstrap",
    });
  });

  it("no expected node holds a usable position, but a stranger holds data: it is named", () => {
    const strangers = [node("n4", 1841), zero("n5"), empty("n6")];
    assert.deepEqual(decide(zero("n1"), [empty("n2"), zero("n3"), ...strangers]), {
      action: "wait",
      reason: `waiting: no node holds a usable position (n1: zero UUID, n2: empty datadir, n3: zero UUID); only a node with a recovered seqno of a real cluster may bootstrap; n4 (${A}:1841) holds data but is not an expected node`,
    });
  });

  it("no expected node holds a usable position, but two strangers may hold data: both are named", () => {
    const strangers = [node("n4", 1841), node("n5", 7, { position: null }), empty("n6")];
    assert.deepEqual(decide(zero("n1"), [empty("n2"), zero("n3"), ...strangers]), {
      action: "wait",
      reason: `waiting: no node holds a usable position (n1: zero UUID, n2: empty datadir, n3: zero UUID); only a node with a recovered seqno of a real cluster may bootstrap; n4 (${A}:1841) and n5 (position unknown) hold data but are not expected nodes`,
    });
  });

  it("a stranger holds newer data of this cluster: every node waits, saying to add it", () => {
    assert.deepEqual(decide(node("n1", 1841), [node("n2", 1800), node("n3", 1700), node("n4", 1900)]), {
      action: "wait",
      reason:
        "waiting: n4 is not an expected node (n1, n2 and n3) but holds newer data of this cluster (seqno 1900) than n1 (seqno 1841); bootstrapping without it would drop that data: add n4 to every node's peers, or move its datadir aside",
    });
  });

  it("a stranger at the same seqno as the best expected node holds nothing newer: the best announces", () => {
    assert.deepEqual(decide(node("n1", 1841), [node("n2", 1800), node("n3", 1700), node("n4", 1841)]), {
      action: "announce-bootstrap",
      reason:
        "announcing a bootstrap from n1: it holds the newest data (seqno 1841; n2 1800, n3 1700); bootstrapping once the intent has stood 15 s unchallenged",
      bootstrapper: "n1",
    });
  });

  it("a stranger with the zero UUID holds no data of this cluster, whatever seqno it carries", () => {
    const stranger = node("n4", 5000, { position: { uuid: ZERO_UUID, seqno: 5000 } });
    assert.deepEqual(decide(node("n1", 1841), [node("n2", 1800), node("n3", 1700), stranger]), {
      action: "announce-bootstrap",
      reason:
        "announcing a bootstrap from n1: it holds the newest data (seqno 1841; n2 1800, n3 1700); bootstrapping once the intent has stood 15 s unchallenged",
      bootstrapper: "n1",
    });
  });

  it("forced, a newer stranger does not hold the bootstrap back", () => {
    assert.deepEqual(decide(node("n1", 1841), [node("n2", 1800), node("n4", 1900)], forced), {
      action: "announce-bootstrap",
      reason:
        "FORCED after 300 s: n3 never reported; announcing a bootstrap from the newest reporting node (n1, seqno 1841), which may lose n3's newer writes",
      bootstrapper: "n1",
    });
  });

  it("another node holds the newest data: this node waits for it", () => {
    assert.deepEqual(decide(node("n2", 1800), [node("n1", 1841), node("n3", 1700)]), {
      action: "wait",
      reason: "n1 holds the newest data (seqno 1841); waiting for it to bootstrap",
      bootstrapper: "n1",
    });
  });

  it("another node holds the newest data and its mariadbd runs: without force, this node simply waits for it", () => {
    assert.deepEqual(decide(node("n2", 1800), [node("n1", 1841, { running: true }), node("n3", 1700)]), {
      action: "wait",
      reason: "n1 holds the newest data (seqno 1841); waiting for it to bootstrap",
      bootstrapper: "n1",
    });
  });

  it("equal seqnos: the node marked safe_to_bootstrap wins, and the reason says so", () => {
    assert.deepEqual(
      decide(node("n1", 1841), [node("n2", 1841, { safeToBootstrap: true }), node("n3", 1700)]),
      {
        action: "wait",
        reason:
          "n2 holds the newest data (seqno 1841, marked safe_to_bootstrap); waiting for it to bootstrap",
        bootstrapper: "n2",
      },
    );
  });

  it("equal seqnos, neither marked: the first by name wins, and the reason says so", () => {
    assert.deepEqual(decide(node("n2", 1841), [node("n1", 1841), node("n3", 1700)]), {
      action: "wait",
      reason:
        "n1 holds the newest data (seqno 1841, tied with n2, first by name); waiting for it to bootstrap",
      bootstrapper: "n1",
    });
  });

  it("equal seqnos, both marked: the first by name wins, and the reason says so", () => {
    const self = node("n2", 1841, { safeToBootstrap: true });
    assert.deepEqual(decide(self, [node("n1", 1841, { safeToBootstrap: true }), node("n3", 1700)]), {
      action: "wait",
      reason:
        "n1 holds the newest data (seqno 1841, tied with n2, first by name); waiting for it to bootstrap",
      bootstrapper: "n1",
    });
  });

  it("the only node with data announces, saying no other node holds data", () => {
    assert.deepEqual(decide(node("n1", 1841), [empty("n2")], { expected: ["n1", "n2"] }), {
      action: "announce-bootstrap",
      reason:
        "announcing a bootstrap from n1: it holds the newest data (seqno 1841; no other node holds data); bootstrapping once the intent has stood 15 s unchallenged",
      bootstrapper: "n1",
    });
  });

  it("the newest node's intent has not stood long enough: it waits the rest, rounded up to a second", () => {
    const self = node("n1", 1841, announcedAgo(10_999));
    assert.deepEqual(decide(self, [node("n2", 1800), node("n3", 1700)]), {
      action: "wait",
      reason:
        "waiting 5 s more before bootstrapping from n1: the intent stands 15 s so that every node sees it",
      bootstrapper: "n1",
    });
  });

  it("the newest node's intent stood exactly the settle time: it bootstraps", () => {
    const self = node("n1", 1841, announcedAgo(SETTLE));
    assert.deepEqual(decide(self, [node("n2", 1841), node("n3", 1700)]), {
      action: "bootstrap",
      reason:
        "bootstrapping from n1: it holds the newest data (seqno 1841, tied with n2, first by name; n2 1841, n3 1700), and the intent stood 15 s unchallenged",
      bootstrapper: "n1",
    });
  });

  it("the newest node's mariadbd runs outside a primary: it is bootstrapped in place", () => {
    const self = node("n1", 1841, { running: true, ...announcedAgo(SETTLE) });
    assert.deepEqual(decide(self, [node("n2", 1800), node("n3", 1700)]), {
      action: "bootstrap-in-place",
      reason:
        "bootstrapping from n1 in place (pc.bootstrap=YES; its mariadbd runs outside a primary component): it holds the newest data (seqno 1841; n2 1800, n3 1700), and the intent stood 15 s unchallenged",
      bootstrapper: "n1",
    });
  });
});

describe("decideRecovery: the force override, in capitals", () => {
  it("forced, another node holds the newest data: this node waits for it, naming what may be lost", () => {
    assert.deepEqual(decide(node("n2", 1800), [node("n1", 1841)], forced), {
      action: "wait",
      reason:
        "FORCED after 300 s: n3 never reported; waiting for the newest reporting node (n1, seqno 1841) to bootstrap, which may lose n3's newer writes",
      bootstrapper: "n1",
    });
  });

  it("forced, but the newest node's mariadbd runs: it must be restarted for the override to act there", () => {
    assert.deepEqual(decide(node("n2", 1800), [node("n1", 1841, { running: true })], forced), {
      action: "wait",
      reason:
        "FORCED after 300 s: n3 never reported; n1, seqno 1841 holds the newest data and its mariadbd runs outside a primary component; a running node never forces a bootstrap, since it may only be cut off from a primary that lives on: restart n1 for the override to act there, or bring the missing nodes back",
      bootstrapper: "n1",
    });
  });

  it("forced, one node absent and one without a position: both named, and both may lose writes", () => {
    assert.deepEqual(decide(node("n1", 1841), [node("n2", -1)], forced), {
      action: "announce-bootstrap",
      reason:
        "FORCED after 300 s: n3 never reported, n2 reported no position; announcing a bootstrap from the newest reporting node (n1, seqno 1841), which may lose n2's and n3's newer writes",
      bootstrapper: "n1",
    });
  });

  it("forced, the only gap a member of the last view that no expected node stands for: named by its UUID", () => {
    const view = [G1, G2, G3];
    const more = { ...forced, expected: ["n1", "n2"] };
    assert.deepEqual(decide(crashed("n1", 1841, G1, view), [crashed("n2", 1839, G2, view)], more), {
      action: "announce-bootstrap",
      reason: `FORCED after 300 s: member ${G3} of the last primary component never reported; announcing a bootstrap from the newest reporting node (n1, seqno 1841), which may lose member ${G3}'s newer writes`,
      bootstrapper: "n1",
    });
  });

  it("forced, two members of the last view never reported: both named", () => {
    const view = [G1, G2, G3, G4];
    const more = { ...forced, expected: ["n1", "n2"] };
    assert.deepEqual(decide(crashed("n1", 1841, G1, view), [crashed("n2", 1839, G2, view)], more), {
      action: "announce-bootstrap",
      reason: `FORCED after 300 s: members ${G3} and ${G4} of the last primary component never reported; announcing a bootstrap from the newest reporting node (n1, seqno 1841), which may lose member ${G3}'s and member ${G4}'s newer writes`,
      bootstrapper: "n1",
    });
  });

  it("forced, an absent node and a missing view member: the absent node is named, not the member it most likely is", () => {
    assert.deepEqual(decide(crashed("n1", 1841, G1), [crashed("n2", 1839, G2)], forced), {
      action: "announce-bootstrap",
      reason:
        "FORCED after 300 s: n3 never reported; announcing a bootstrap from the newest reporting node (n1, seqno 1841), which may lose n3's newer writes",
      bootstrapper: "n1",
    });
  });

  it("forced, the intent has not stood long enough: the wait keeps the capitals and the loss", () => {
    const self = node("n1", 1841, announcedAgo(10_500));
    assert.deepEqual(decide(self, [node("n2", 1800)], forced), {
      action: "wait",
      reason:
        "FORCED after 300 s: n3 never reported; waiting 5 s more before bootstrapping from the newest reporting node (n1, seqno 1841), which may lose n3's newer writes",
      bootstrapper: "n1",
    });
  });

  it("forced, the intent stood: the bootstrap keeps the capitals and the loss", () => {
    const self = node("n1", 1841, announcedAgo(SETTLE));
    assert.deepEqual(decide(self, [node("n2", 1800)], { ...forced, forceBootstrapAfterMs: 90_500 }), {
      action: "bootstrap",
      reason:
        "FORCED after 90.5 s: n3 never reported; bootstrapping from the newest reporting node (n1, seqno 1841) may lose n3's newer writes",
      bootstrapper: "n1",
    });
  });
});

describe("decideRecovery: the words naming clusters and nodes", () => {
  it("datadirs of two clusters: clusters listed in UUID order, whatever the names' order", () => {
    const self = node("n1", 500, { position: { uuid: B, seqno: 500 } });
    assert.deepEqual(decide(self, [node("n2", 1841), node("n3", 1840)]), {
      action: "refuse",
      reason: `refusing: the datadirs belong to different clusters (${A} on n2 and n3; ${B} on n1); bootstrapping or joining would discard one cluster's data. Keep the right cluster's datadirs, move the others aside, and restart`,
    });
  });

  it("an empty node sees primaries of two clusters: it refuses, naming both in UUID order", () => {
    const primaries = [
      node("n2", 10, { inPrimary: true, primaryUuid: B, position: { uuid: B, seqno: 10 } }),
      node("n3", 1841, { inPrimary: true, primaryUuid: A }),
    ];
    assert.deepEqual(decide(empty("n1"), primaries), {
      action: "refuse",
      reason: `refusing to join: the reachable primary components belong to different clusters (${A} on n3; ${B} on n2); joining either would pick a side. Stop the wrong cluster, then restart this node`,
    });
  });

  it("two peers in this node's cluster's primary: both named", () => {
    const primaries = [
      node("n2", 1841, { inPrimary: true, primaryUuid: A }),
      node("n3", 1841, { inPrimary: true, primaryUuid: A }),
    ];
    assert.deepEqual(decide(node("n1", 1800), primaries), {
      action: "join",
      reason: "joining the primary component that n2 and n3 are in",
    });
  });
});
