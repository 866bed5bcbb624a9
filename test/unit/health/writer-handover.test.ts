import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { writerHandover, type HandoverState } from "../../../src/health/writer-handover.js";

const none: HandoverState = { eligibleSince: null, rightSince: null };
// This node has been eligible since 5 000 in every example below, unless said otherwise.
const E = 5_000;

describe("the writer handover: a node answers 200 on /writer only once its right has held for the handover time", () => {
  it("a node whose right just began does not claim yet: HAProxy may still count the old writer UP", () => {
    assert.deepEqual(writerHandover(none, E, true, 10_000, 750), {
      state: { eligibleSince: E, rightSince: 10_000 },
      claim: false,
    });
  });

  it("claims at exactly the handover time into its right, not a millisecond before", () => {
    const s = { eligibleSince: E, rightSince: 10_000 };
    assert.equal(writerHandover(s, E, true, 10_749, 750).claim, false);
    assert.deepEqual(writerHandover(s, E, true, 10_750, 750), { state: s, claim: true });
  });

  it("a break in the right while the node stays eligible answers 503, and claims again at once when the right is back", () => {
    // A node joined the view at 20 000 and held the election back until it answered.
    const gap = writerHandover({ eligibleSince: E, rightSince: 10_000 }, E, false, 20_000, 750);
    assert.deepEqual(gap, { state: { eligibleSince: E, rightSince: 10_000 }, claim: false });
    assert.deepEqual(writerHandover(gap.state, E, true, 20_150, 750), {
      state: { eligibleSince: E, rightSince: 10_000 },
      claim: true,
    });
  });

  it("a break in the right before the handover was done does not shorten it", () => {
    const gap = writerHandover({ eligibleSince: E, rightSince: 10_000 }, E, false, 10_300, 750);
    assert.equal(writerHandover(gap.state, E, true, 10_749, 750).claim, false);
    assert.equal(writerHandover(gap.state, E, true, 10_750, 750).claim, true);
  });

  it("a new period of eligibility (a desync, a restart, a stall of the agent) waits the whole handover again", () => {
    const lost = writerHandover({ eligibleSince: E, rightSince: 10_000 }, null, false, 30_000, 750);
    assert.deepEqual(lost, { state: none, claim: false });
    const again = writerHandover(lost.state, 30_100, true, 30_100, 750);
    assert.deepEqual(again, { state: { eligibleSince: 30_100, rightSince: 30_100 }, claim: false });
    assert.equal(writerHandover(again.state, 30_100, true, 30_849, 750).claim, false);
    assert.equal(writerHandover(again.state, 30_100, true, 30_850, 750).claim, true);
    // Even without an evaluation in between: another eligible-since time is another period.
    assert.equal(
      writerHandover({ eligibleSince: E, rightSince: 10_000 }, 30_100, true, 30_200, 750).claim,
      false,
    );
  });

  it("a node never eligible, or with no right yet, never claims", () => {
    assert.deepEqual(writerHandover(none, null, true, 10_000, 0), { state: none, claim: false });
    assert.deepEqual(writerHandover(none, E, false, 10_000, 0), {
      state: { eligibleSince: E, rightSince: null },
      claim: false,
    });
  });

  it("with a clock stepped back before the right began, the wait starts again instead of being cut short", () => {
    assert.deepEqual(writerHandover({ eligibleSince: E, rightSince: 10_000 }, E, true, 9_000, 750), {
      state: { eligibleSince: E, rightSince: 9_000 },
      claim: false,
    });
  });

  it("a handover of 0 (no HAProxy in front) claims with the right", () => {
    assert.deepEqual(writerHandover(none, E, true, 5, 0), {
      state: { eligibleSince: E, rightSince: 5 },
      claim: true,
    });
  });

  it("property: a claim at t means the right now, and a right that first held, in the same period of eligibility, no later than t − handover", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2000 }),
        fc.array(
          fc.record({
            step: fc.integer({ min: 0, max: 400 }),
            right: fc.boolean(),
            // A few periods of eligibility; null: not eligible.
            period: fc.constantFrom(null, 1, 1, 1, 2, 3),
          }),
          { maxLength: 60 },
        ),
        (handoverMs, turns) => {
          let state: HandoverState = { eligibleSince: null, rightSince: null };
          let now = 0;
          const seen: { at: number; right: boolean; period: number | null }[] = [];
          for (const turn of turns) {
            now += turn.step;
            // Each period's eligible-since time: its number, as a time before every evaluation.
            const eligibleSince = turn.period === null ? null : -turn.period;
            seen.push({ at: now, right: turn.right, period: turn.period });
            const result = writerHandover(state, eligibleSince, turn.right, now, handoverMs);
            state = result.state;
            if (!result.claim) continue;
            // The oracle, written independently: the evaluations since the period began, the
            // first of them with the right.
            assert.ok(turn.right && turn.period !== null);
            const lastOther = seen.map((s) => s.period === turn.period).lastIndexOf(false);
            const first = seen.slice(lastOther + 1).find((s) => s.right)!;
            assert.ok(
              first.at <= now - handoverMs,
              `right first at ${first.at}, claimed at ${now}, handover ${handoverMs}`,
            );
          }
        },
      ),
    );
  });

  it("property: a right held longer than the handover time in one period always claims", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 0, max: 10_000 }),
        (handoverMs, extra) => {
          const first = writerHandover(none, E, true, 1000, handoverMs);
          assert.equal(
            writerHandover(first.state, E, true, 1000 + handoverMs + extra, handoverMs).claim,
            true,
          );
        },
      ),
    );
  });
});
