import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  emptyRecord,
  recordedDecisionsLimit,
  resumeExitsWithinMs,
  resumeRecord,
  withDecision,
  withIntent,
  withServerExit,
  type RecoveryRecord,
} from "../../../src/decide/recovery-record.js";
import { afterServerExit, fastFailureLimit, freshServerExitRecord } from "../../../src/decide/server-exit.js";
import { schedulerBackoff } from "../../../src/decide/restart-backoff.js";

/** The restarted agent's clock: 20:14:03.123 UTC. */
const now = Date.parse("2026-12-06T20:14:03.123Z");
const waiting = {
  action: "wait",
  reason: "waiting: 2 of 3 members reported; newest seqno 1841 on n2; waiting for n3",
};

/** n1's record as an agent wrote it 3.2 s before `now`, with one wait decision and no exit. */
function saved(changes: Partial<RecoveryRecord> = {}): RecoveryRecord {
  return {
    ...emptyRecord("n1"),
    writtenAt: now - 3200,
    decisions: [{ ...waiting, at: now - 5000 }],
    ...changes,
  };
}

const resumedAsN1 = (record: Parameters<typeof resumeRecord>[0]) => resumeRecord(record, { node: "n1", now });

describe("resumeRecord", () => {
  it("an agent killed 3 s after its second quick exit resumes the count, so a third ends it", () => {
    const resumed = resumedAsN1(
      saved({ serverExits: { fastFailures: 2, nextInLineMs: 4000, lastExitAt: now - 3000 } }),
    );
    assert.equal(
      resumed.reason,
      "resumed the recovery record written 3.2 s ago: last decision wait: waiting: 2 of 3 members reported; newest seqno 1841 on n2; waiting for n3; 2 quick exits of mariadbd in a row so far, the last 3.0 s ago (3 in a row end the agent); its next restart waits 4 s",
    );
    assert.deepEqual(resumed.serverExits, { fastFailures: 2, nextInLineMs: 4000 });
    const third = afterServerExit(resumed.serverExits, {
      exitCode: 1,
      signal: null,
      durationMs: 2000,
      syncedSinceStart: false,
    });
    assert.equal(third.action, "give-up");
  });

  it("an exit 2 minutes old is forgotten: the count and the backoff start afresh", () => {
    const resumed = resumedAsN1(
      saved({ serverExits: { fastFailures: 2, nextInLineMs: 4000, lastExitAt: now - 120_000 } }),
    );
    assert.equal(
      resumed.reason,
      "resumed the recovery record written 3.2 s ago: last decision wait: waiting: 2 of 3 members reported; newest seqno 1841 on n2; waiting for n3; mariadbd's last exit, 2 min ago, is forgotten: the count of its quick exits and its restart backoff start afresh",
    );
    assert.deepEqual(resumed.serverExits, freshServerExitRecord);
    // When it exited stays on record, as a fact; the count it carried does not.
    assert.deepEqual(resumed.record.serverExits, { ...freshServerExitRecord, lastExitAt: now - 120_000 });
  });

  it("an exit is resumed up to the restart backoff's reset window, a minute, and forgotten from it on", () => {
    assert.equal(resumeExitsWithinMs, schedulerBackoff.healthyRunMs);
    const exits = (age: number) =>
      resumedAsN1(saved({ serverExits: { fastFailures: 1, nextInLineMs: 2000, lastExitAt: now - age } }))
        .serverExits;
    assert.deepEqual(exits(59_999), { fastFailures: 1, nextInLineMs: 2000 });
    assert.deepEqual(exits(60_000), freshServerExitRecord);
  });

  it("an agent that gave up after 3 quick exits and was started again by its scheduler counts from zero", () => {
    const resumed = resumedAsN1(
      saved({ serverExits: { fastFailures: 3, nextInLineMs: 4000, lastExitAt: now - 2000 } }),
    );
    assert.deepEqual(resumed.serverExits, freshServerExitRecord);
    assert.equal(
      resumed.reason,
      "resumed the recovery record written 3.2 s ago: last decision wait: waiting: 2 of 3 members reported; newest seqno 1841 on n2; waiting for n3; mariadbd's last exit, 2.0 s ago, ended the agent after 3 quick exits in a row: this start is a new try, with its quick exits counted from zero",
    );
  });

  it("an agent restarted 10 s after a long run's exit keeps the backoff it had, with no quick exit to count", () => {
    const resumed = resumedAsN1(
      saved({ serverExits: { fastFailures: 0, nextInLineMs: 2000, lastExitAt: now - 10_000 } }),
    );
    assert.equal(
      resumed.reason,
      "resumed the recovery record written 3.2 s ago: last decision wait: waiting: 2 of 3 members reported; newest seqno 1841 on n2; waiting for n3; mariadbd last exited 10.0 s ago; its next restart waits 2 s",
    );
    assert.deepEqual(resumed.serverExits, { fastFailures: 0, nextInLineMs: 2000 });
  });

  it("an exit time later than the clock (the clock was set back) is forgotten: it has no age to trust", () => {
    const resumed = resumedAsN1(
      saved({
        writtenAt: now + 5000,
        serverExits: { fastFailures: 2, nextInLineMs: 4000, lastExitAt: now + 1000 },
      }),
    );
    assert.deepEqual(resumed.serverExits, freshServerExitRecord);
    assert.equal(
      resumed.reason,
      "resumed the recovery record written 5.0 s in the future by this clock: last decision wait: waiting: 2 of 3 members reported; newest seqno 1841 on n2; waiting for n3; mariadbd's last exit, 1.0 s in the future by this clock, is forgotten: the count of its quick exits and its restart backoff start afresh",
    );
  });

  it("an intent is announced again, never resumed, and the line says there was one", () => {
    const resumed = resumedAsN1(
      saved({
        decisions: [
          { ...waiting, at: now - 5000 },
          {
            action: "announce-bootstrap",
            reason: "n1 holds the newest data (seqno 1841): announcing a bootstrap",
            at: now - 1500,
          },
        ],
        intentAnnouncedAt: now - 1500,
      }),
    );
    assert.equal(resumed.record.intentAnnouncedAt, null);
    assert.equal(
      resumed.reason,
      "resumed the recovery record written 3.2 s ago: last decision announce-bootstrap: n1 holds the newest data (seqno 1841): announcing a bootstrap; it had announced a bootstrap at 20:14:01.623 UTC before its restart: the announcement is made again and settles anew, since a peer may have missed it meanwhile",
    );
  });

  it("another node's record is not resumed: this node starts with an empty one", () => {
    const resumed = resumedAsN1(
      saved({ node: "n2", serverExits: { fastFailures: 2, nextInLineMs: 4000, lastExitAt: now - 1000 } }),
    );
    assert.equal(
      resumed.reason,
      "the recovery record in the run directory is node n2's, not n1's: not resumed; it is replaced",
    );
    assert.deepEqual(resumed.record, emptyRecord("n1"));
    assert.deepEqual(resumed.serverExits, freshServerExitRecord);
  });

  it("a file that could not be read is not resumed, and the line says what was wrong", () => {
    const resumed = resumedAsN1({ problem: "not JSON (Unexpected end of JSON input)" });
    assert.equal(
      resumed.reason,
      "the recovery record in the run directory could not be read (not JSON (Unexpected end of JSON input)): not resumed, so the decision history and the count of mariadbd's quick exits start afresh; it is replaced",
    );
    assert.deepEqual(resumed.record, emptyRecord("n1"));
  });

  it("a first start, with no record, has nothing to resume or say", () => {
    assert.deepEqual(resumedAsN1(null), {
      record: emptyRecord("n1"),
      serverExits: freshServerExitRecord,
      reason: null,
    });
  });

  it("a record written before any decision says so", () => {
    const resumed = resumedAsN1(saved({ decisions: [], writtenAt: now - 125_000 }));
    assert.equal(
      resumed.reason,
      "resumed the recovery record written 2 min ago: no decision had been taken yet",
    );
  });

  it("says the record's age as a person reads it, cut rather than rounded at each unit's edge", () => {
    const written = (age: number) =>
      /^resumed the recovery record written (.+?): /.exec(
        resumedAsN1(saved({ writtenAt: now - age })).reason!,
      )![1];
    const ages: [number, string][] = [
      [0, "0.0 s ago"],
      [59_999, "59.9 s ago"],
      [60_000, "1 min ago"],
      [3_599_999, "59 min ago"],
      [3_600_000, "1.0 h ago"],
      [86_399_999, "23.9 h ago"],
      [86_400_000, "1 d ago"],
      [3 * 86_400_000 + 5, "3 d ago"],
      [-1, "0.0 s in the future by this clock"],
    ];
    for (const [age, said] of ages) assert.equal(written(age), said, `age ${age} ms`);
  });

  it("one quick exit is said in the singular, and an exit this very millisecond is resumed", () => {
    const resumed = resumedAsN1(
      saved({ serverExits: { fastFailures: 1, nextInLineMs: 2000, lastExitAt: now } }),
    );
    assert.deepEqual(resumed.serverExits, { fastFailures: 1, nextInLineMs: 2000 });
    assert.match(
      resumed.reason!,
      /; 1 quick exit of mariadbd in a row so far, the last 0\.0 s ago \(3 in a row end the agent\); its next restart waits 2 s$/,
    );
  });

  it("a hand-edited file with more decisions than the record keeps resumes the newest 20", () => {
    const decisions = Array.from({ length: 25 }, (_, i) => ({
      action: "wait",
      reason: `round ${i}`,
      at: now - 25 + i,
    }));
    assert.deepEqual(resumedAsN1(saved({ decisions })).record.decisions, decisions.slice(5));
  });

  it("an intent time no clock can show is said as it is, never thrown over", () => {
    assert.match(
      resumedAsN1(saved({ intentAnnouncedAt: 1e300 })).reason!,
      /; it had announced a bootstrap at 1e\+300 ms after the epoch before its restart: /,
    );
  });

  it("the decision history is resumed, and the same decision taken again after the restart is not added twice", () => {
    const resumed = resumedAsN1(saved());
    assert.deepEqual(resumed.record.decisions, [{ ...waiting, at: now - 5000 }]);
    assert.equal(withDecision(resumed.record, waiting, now + 50), resumed.record);
  });

  it("a backoff edited out of bounds by hand is brought back within the backoff's", () => {
    const exits = (nextInLineMs: number, fastFailures = 1) =>
      resumedAsN1(saved({ serverExits: { fastFailures, nextInLineMs, lastExitAt: now - 1000 } })).serverExits;
    assert.deepEqual(exits(-5), { fastFailures: 1, nextInLineMs: 1000 });
    assert.deepEqual(exits(3_600_000), { fastFailures: 1, nextInLineMs: 30_000 });
    assert.deepEqual(exits(2000, -4), { fastFailures: 0, nextInLineMs: 2000 });
  });
});

describe("keeping the record", () => {
  it("a decision is appended when its reason changed, with its time, and not when it did not", () => {
    const first = withDecision(emptyRecord("n1"), waiting, now);
    assert.deepEqual(first.decisions, [{ ...waiting, at: now }]);
    assert.equal(withDecision(first, waiting, now + 50), first);
    const joining = { action: "join", reason: "joining the primary component that n2 and n3 are in" };
    assert.deepEqual(withDecision(first, joining, now + 100).decisions, [
      { ...waiting, at: now },
      { ...joining, at: now + 100 },
    ]);
  });

  it(`keeps the newest ${recordedDecisionsLimit} decisions`, () => {
    let record = emptyRecord("n1");
    for (let i = 0; i < 25; i++)
      record = withDecision(record, { action: "wait", reason: `round ${i}` }, now + i);
    assert.equal(record.decisions.length, 20);
    assert.equal(record.decisions[0]!.reason, "round 5");
    assert.equal(record.decisions.at(-1)!.reason, "round 24");
  });

  it("the intent is kept as it is now; an unchanged one gives back the same record", () => {
    const announced = withIntent(emptyRecord("n1"), now);
    assert.equal(announced.intentAnnouncedAt, now);
    assert.equal(withIntent(announced, now), announced);
    assert.equal(withIntent(announced, null).intentAnnouncedAt, null);
  });

  it("an exit of mariadbd is kept with its time", () => {
    const record = withServerExit(emptyRecord("n1"), { fastFailures: 1, nextInLineMs: 2000 }, now);
    assert.deepEqual(record.serverExits, { fastFailures: 1, nextInLineMs: 2000, lastExitAt: now });
  });
});

describe("resumeRecord, for any record", () => {
  // Times as a file may hold them: whole milliseconds around now, or any finite number.
  const time = fc.oneof(
    fc.integer({ min: now - 10 * 60_000, max: now + 60_000 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
  );
  const decision = fc.record({
    action: fc.constantFrom("wait", "join", "announce-bootstrap", "bootstrap", "a-newer-action"),
    reason: fc.constantFrom("a", "b", "c"),
    at: time,
  });
  const anyRecord: fc.Arbitrary<RecoveryRecord> = fc.record({
    version: fc.constant(1 as const),
    node: fc.constantFrom("n1", "n2"),
    writtenAt: time,
    // size "max": lists up to maxLength, not only the few elements fast-check draws by default.
    decisions: fc.array(decision, { maxLength: 2 * recordedDecisionsLimit, size: "max" }),
    intentAnnouncedAt: fc.option(time, { nil: null }),
    serverExits: fc.record({
      fastFailures: fc.integer({ min: -2, max: 10 }),
      nextInLineMs: fc.integer({ min: -1000, max: 100_000 }),
      lastExitAt: fc.option(time, { nil: null }),
    }),
  });
  const anySaved = fc.oneof(anyRecord, fc.constant(null), fc.constant({ problem: "the file is empty" }));

  it("never gives back a bootstrap intent's time", () => {
    fc.assert(
      fc.property(anySaved, (record) => assert.equal(resumedAsN1(record).record.intentAnnouncedAt, null)),
    );
  });

  it("starts the exits afresh whenever the last one is not less than a minute old", () => {
    fc.assert(
      fc.property(anyRecord, (record) => {
        const lastExitAt = record.serverExits.lastExitAt;
        fc.pre(lastExitAt === null || !(now - lastExitAt >= 0 && now - lastExitAt < resumeExitsWithinMs));
        assert.deepEqual(resumedAsN1(record).serverExits, freshServerExitRecord);
      }),
    );
  });

  it("gives back a backoff within the backoff's bounds, and a count from zero up to below the give-up limit", () => {
    fc.assert(
      fc.property(anySaved, (record) => {
        const { serverExits } = resumedAsN1(record);
        assert.ok(serverExits.fastFailures >= 0 && serverExits.fastFailures < fastFailureLimit);
        assert.ok(serverExits.nextInLineMs >= schedulerBackoff.initialMs);
        assert.ok(serverExits.nextInLineMs <= schedulerBackoff.maxMs);
      }),
    );
  });

  it(`keeps at most ${recordedDecisionsLimit} decisions, the newest, and only this node's`, () => {
    fc.assert(
      fc.property(anySaved, (record) => {
        const resumed = resumedAsN1(record).record;
        assert.equal(resumed.node, "n1");
        assert.ok(resumed.decisions.length <= recordedDecisionsLimit);
        if (record !== null && "node" in record && record.node === "n1") {
          assert.deepEqual(resumed.decisions, record.decisions.slice(-recordedDecisionsLimit));
        } else assert.deepEqual(resumed.decisions, []);
      }),
    );
  });

  it("says something exactly when there was a record or a file", () => {
    fc.assert(
      fc.property(anySaved, (record) => assert.equal(resumedAsN1(record).reason === null, record === null)),
    );
  });

  it(`withDecision never keeps more than ${recordedDecisionsLimit} decisions, nor the same reason twice in a row`, () => {
    fc.assert(
      fc.property(fc.array(decision, { maxLength: 60 }), (decisions) => {
        let record = emptyRecord("n1");
        for (const d of decisions) record = withDecision(record, d, d.at);
        assert.ok(record.decisions.length <= recordedDecisionsLimit);
        record.decisions.forEach(
          (d, i) => i > 0 && assert.notEqual(d.reason, record.decisions[i - 1]!.reason),
        );
      }),
    );
  });
});
