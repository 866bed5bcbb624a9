import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { decideRecovery, keepsBootstrapIntent } from "../../../src/decide/recovery-decision.js";
import {
  beginWait,
  freshTurnRecord,
  intentAfterTurn,
  recoveryTurn,
  repeatDecisionAfterMs,
  runStarted,
  withdrawnInPlace,
  type TurnRecord,
} from "../../../src/decide/recovery-turn.js";
import { NOW, SETTLE, facts, node } from "./recovery-fixtures.js";

/** After a clean stop of all three, n3 left last (safe_to_bootstrap: 1), everyone back. */
const lastOutN3 = (self: "n1" | "n3", now = NOW, intentAt: number | null = null) => {
  const nodes = {
    n1: node("n1", 1839),
    n2: node("n2", 1840),
    n3: node("n3", 1841, { safeToBootstrap: true }),
  };
  const me = { ...nodes[self], bootstrapIntentAt: intentAt };
  // The peers answered just now, every turn.
  const peers = Object.values(nodes)
    .filter((n) => n.name !== self)
    .map((n) => ({ ...n, reportedAt: now }));
  return { facts: facts(me, peers, { now }), server: "stopped" as const };
};

describe("a recovery turn", () => {
  it("n3, last out after a clean stop, announces in its first turn: the decision is logged and its intent published", () => {
    const turn = recoveryTurn(freshTurnRecord, lastOutN3("n3"));
    assert.equal(turn.decision.action, "announce-bootstrap");
    assert.equal(turn.changed, true);
    assert.equal(
      turn.log,
      "decision: announce-bootstrap: announcing a bootstrap from n3: it holds the newest data (seqno 1841; n2 1840, n1 1839); bootstrapping once the intent has stood 15 s unchallenged",
    );
    assert.deepEqual(turn.record, {
      decision: { action: "announce-bootstrap", reason: turn.decision.reason, at: NOW },
      intent: { at: NOW, whileRunning: false },
      loggedAt: NOW,
    });
  });

  it("n3's intent settles from its first announcement, and once settled it bootstraps", () => {
    const first = recoveryTurn(freshTurnRecord, lastOutN3("n3"));
    const settling = recoveryTurn(first.record, lastOutN3("n3", NOW + 50));
    assert.equal(settling.record.intent?.at, NOW, "the settle counts from the first announcement");
    const settled = recoveryTurn(settling.record, lastOutN3("n3", NOW + SETTLE + 1));
    assert.equal(settled.decision.action, "bootstrap");
    assert.equal(settled.record.intent?.at, NOW);
  });

  it("the turn decides with the intent the record holds, whatever the snapshot's own report says", () => {
    const first = recoveryTurn(freshTurnRecord, lastOutN3("n3"));
    const stale = lastOutN3("n3", NOW + SETTLE + 1, null);
    assert.equal(recoveryTurn(first.record, stale).decision.action, "bootstrap");
    assert.notEqual(recoveryTurn(freshTurnRecord, stale).decision.action, "bootstrap");
  });

  it("n1 waits for n3: the same wait a second later is not logged again, and is 30 s later", () => {
    const first = recoveryTurn(freshTurnRecord, lastOutN3("n1"));
    assert.equal(first.record.intent, null);
    assert.equal(
      first.log,
      "decision: wait: n3 holds the newest data (seqno 1841); waiting for it to bootstrap",
    );
    const again = recoveryTurn(first.record, lastOutN3("n1", NOW + 1000));
    assert.equal(again.changed, false);
    assert.equal(again.log, null);
    assert.equal(
      again.record.decision,
      first.record.decision,
      "the decision keeps the time it was first taken",
    );
    const atThirty = recoveryTurn(again.record, lastOutN3("n1", NOW + repeatDecisionAfterMs));
    assert.equal(atThirty.log, null, "30 s to the millisecond is not yet over 30 s");
    const later = recoveryTurn(again.record, lastOutN3("n1", NOW + repeatDecisionAfterMs + 1));
    assert.equal(later.log, first.log);
    assert.equal(later.record.loggedAt, NOW + repeatDecisionAfterMs + 1);
  });

  it("a new wait logs its first decision even when it is the same as the last one", () => {
    const first = recoveryTurn(freshTurnRecord, lastOutN3("n1"));
    const next = recoveryTurn(beginWait(first.record), lastOutN3("n1", NOW + 1000));
    assert.equal(next.changed, false);
    assert.equal(next.log, first.log);
  });

  it("a new wait logs its first decision whatever the clock reads: not by luck of a large epoch", () => {
    const first = recoveryTurn(freshTurnRecord, lastOutN3("n1", 10_000));
    const next = recoveryTurn(beginWait(first.record), lastOutN3("n1", 20_000));
    assert.equal(next.log, first.log);
    assert.equal(next.record.loggedAt, 20_000);
  });

  it("a fresh record holds no decision, no intent, and nothing logged yet", () => {
    assert.deepEqual(freshTurnRecord, { decision: null, intent: null, loggedAt: null });
  });

  it("a node that no longer is the one to bootstrap withdraws its intent", () => {
    const announced = { decision: null, intent: { at: NOW - 100, whileRunning: false }, loggedAt: null };
    const turn = recoveryTurn(announced, lastOutN3("n1"));
    assert.equal(turn.record.intent, null);
  });
});

describe("the intent of a node deciding in place (mariadbd running outside a primary)", () => {
  const waits = { action: "wait", reason: "r" } as const;
  const names = { action: "announce-bootstrap", reason: "r", bootstrapper: "n3" } as const;
  const running = (self: string) => ({
    facts: facts(node(self, 1), [], { now: NOW }),
    server: "running-outside-primary" as const,
  });

  it("one announced before this start of mariadbd stands until the node is primary: its bootstrap may be under way", () => {
    const beforeStart = { at: NOW - 500, whileRunning: false };
    assert.equal(intentAfterTurn(beforeStart, waits, running("n3")), beforeStart);
    assert.equal(withdrawnInPlace(beforeStart), beforeStart);
  });

  it("one announced in place is withdrawn by a turn that does not name the node, or once it no longer decides in place", () => {
    const inPlace = { at: NOW - 500, whileRunning: true };
    assert.equal(intentAfterTurn(inPlace, waits, running("n3")), null);
    assert.equal(withdrawnInPlace(inPlace), null);
    assert.equal(withdrawnInPlace(null), null);
  });

  it("a turn in place that names the node keeps the first announcement and makes the intent this run's", () => {
    assert.deepEqual(intentAfterTurn({ at: NOW - 500, whileRunning: false }, names, running("n3")), {
      at: NOW - 500,
      whileRunning: true,
    });
    assert.deepEqual(intentAfterTurn(null, names, running("n3")), { at: NOW, whileRunning: true });
  });

  it("a start of mariadbd makes a standing intent the start's, even one announced in place by an earlier run", () => {
    const record = { decision: null, intent: { at: NOW - 500, whileRunning: true }, loggedAt: NOW };
    assert.deepEqual(runStarted(record), {
      decision: null,
      intent: { at: NOW - 500, whileRunning: false },
      loggedAt: null,
    });
    assert.equal(runStarted({ ...record, intent: null }).intent, null);
  });

  it("stopped, an intent kept from a run in place is the start's again", () => {
    const stopped = { facts: facts(node("n3", 1), [], { now: NOW }), server: "stopped" as const };
    assert.deepEqual(intentAfterTurn({ at: NOW - 500, whileRunning: true }, names, stopped), {
      at: NOW - 500,
      whileRunning: false,
    });
    assert.equal(intentAfterTurn({ at: NOW - 500, whileRunning: false }, waits, stopped), null);
  });
});

describe("properties of a recovery turn", () => {
  const seqno = fc.integer({ min: -1, max: 5 });
  const report = (name: string) =>
    fc
      .record({ seqno, safe: fc.boolean(), intent: fc.option(fc.integer({ min: NOW - 40_000, max: NOW })) })
      .map((r) => node(name, r.seqno, { safeToBootstrap: r.safe, bootstrapIntentAt: r.intent }));
  const record: fc.Arbitrary<TurnRecord> = fc.record({
    decision: fc.option(
      fc.record({
        action: fc.constant("wait" as const),
        reason: fc.string(),
        at: fc.integer({ min: 0, max: NOW }),
      }),
    ),
    intent: fc.option(
      fc.record({ at: fc.integer({ min: NOW - 40_000, max: NOW }), whileRunning: fc.boolean() }),
    ),
    loggedAt: fc.option(fc.integer({ min: NOW - 60_000, max: NOW })),
  });
  const snapshot = fc
    .record({
      self: report("n1"),
      peers: fc.tuple(report("n2"), report("n3")),
      server: fc.constantFrom("stopped" as const, "running-outside-primary" as const),
    })
    .map(({ self, peers, server }) => ({ facts: facts(self, peers), server }));

  it("decides exactly as the rule does on the same facts, with the record's intent as its own", () => {
    fc.assert(
      fc.property(record, snapshot, (r, s) => {
        const turn = recoveryTurn(r, s);
        const self = { ...s.facts.self, bootstrapIntentAt: r.intent?.at ?? null };
        assert.deepEqual(turn.decision, decideRecovery({ ...s.facts, self }));
      }),
    );
  });

  it("stopped, a node holds an intent exactly while the decision names it, dated from its first announcement", () => {
    fc.assert(
      fc.property(record, snapshot, (r, s) => {
        const turn = recoveryTurn(r, { ...s, server: "stopped" });
        const named = keepsBootstrapIntent(turn.decision, "n1");
        assert.equal(turn.record.intent !== null, named);
        if (named) assert.equal(turn.record.intent!.at, r.intent?.at ?? s.facts.now);
      }),
    );
  });

  it("logs when the decision changed or its last line is over 30 s old, and only then", () => {
    fc.assert(
      fc.property(record, snapshot, (r, s) => {
        const turn = recoveryTurn(r, s);
        const due = r.loggedAt === null || s.facts.now - r.loggedAt > repeatDecisionAfterMs;
        assert.equal(turn.changed, r.decision?.reason !== turn.decision.reason);
        assert.equal(turn.log !== null, turn.changed || due);
        assert.equal(turn.record.loggedAt, turn.log !== null ? s.facts.now : r.loggedAt);
      }),
    );
  });
});
