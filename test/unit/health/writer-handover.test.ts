import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { writerHandover, type HandoverState } from "../../../src/health/writer-handover.js";

const none: HandoverState = { rightSince: null };

describe("the writer handover: a node answers 200 on /writer only once its right has held for the handover time", () => {
  it("a node whose right just began does not claim yet: HAProxy may still count the old writer UP", () => {
    assert.deepEqual(writerHandover(none, true, 10_000, 750), {
      state: { rightSince: 10_000 },
      claim: false,
    });
  });

  it("claims at exactly the handover time into its right, not a millisecond before", () => {
    const s = { rightSince: 10_000 };
    assert.equal(writerHandover(s, true, 10_749, 750).claim, false);
    assert.deepEqual(writerHandover(s, true, 10_750, 750), { state: { rightSince: 10_000 }, claim: true });
  });

  it("a break in the right starts the wait again: a node that lost its right for one evaluation waits the whole time", () => {
    const lost = writerHandover({ rightSince: 10_000 }, false, 10_500, 750);
    assert.deepEqual(lost, { state: { rightSince: null }, claim: false });
    const again = writerHandover(lost.state, true, 10_600, 750);
    assert.deepEqual(again, { state: { rightSince: 10_600 }, claim: false });
    assert.equal(writerHandover(again.state, true, 11_349, 750).claim, false);
    assert.equal(writerHandover(again.state, true, 11_350, 750).claim, true);
  });

  it("a claiming node that loses its right stops at once", () => {
    assert.deepEqual(writerHandover({ rightSince: 0 }, false, 60_000, 750), { state: none, claim: false });
  });

  it("with a clock stepped back before the right began, the wait starts again instead of being cut short", () => {
    assert.deepEqual(writerHandover({ rightSince: 10_000 }, true, 9_000, 750), {
      state: { rightSince: 9_000 },
      claim: false,
    });
  });

  it("a handover of 0 (no HAProxy in front) claims with the right", () => {
    assert.deepEqual(writerHandover(none, true, 5, 0), { state: { rightSince: 5 }, claim: true });
  });

  it("property: a claim at time t means the right held at every evaluation in [t − handover, t]", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2000 }),
        fc.array(fc.record({ step: fc.integer({ min: 0, max: 400 }), right: fc.boolean() }), {
          maxLength: 60,
        }),
        (handoverMs, turns) => {
          let state = none;
          let now = 0;
          const seen: { at: number; right: boolean }[] = [];
          for (const turn of turns) {
            now += turn.step;
            seen.push({ at: now, right: turn.right });
            const result = writerHandover(state, turn.right, now, handoverMs);
            state = result.state;
            if (!result.claim) continue;
            // The oracle, written independently: the run of evaluations with the right that ends
            // now began no later than t − handover.
            const lastWithout = seen.map((s) => s.right).lastIndexOf(false);
            const began = seen[lastWithout + 1]!.at;
            assert.ok(turn.right);
            assert.ok(
              began <= now - handoverMs,
              `right began at ${began}, claimed at ${now}, handover ${handoverMs}`,
            );
          }
        },
      ),
    );
  });

  it("property: a right held longer than the handover time always claims", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 0, max: 10_000 }),
        (handoverMs, extra) => {
          const first = writerHandover(none, true, 1000, handoverMs);
          assert.equal(writerHandover(first.state, true, 1000 + handoverMs + extra, handoverMs).claim, true);
        },
      ),
    );
  });
});
