import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { restartDelay, schedulerBackoff } from "../../../src/decide/restart-backoff.js";

/** The default the runner and the agent use. */
const policy = schedulerBackoff;

describe("restartDelay", () => {
  it("doubles the wait after each quick exit, up to the maximum: 1, 2, 4, 8, 16, 30, 30 s", () => {
    const waits: number[] = [];
    let next = policy.initialMs;
    for (let i = 0; i < 7; i++) {
      const d = restartDelay(policy, 500, next);
      waits.push(d.waitMs);
      next = d.nextInLineMs;
    }
    assert.deepEqual(waits, [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });

  it("starts from the initial wait again after a run that lasted healthyRunMs", () => {
    assert.deepEqual(restartDelay(policy, 60_000, 16_000), { waitMs: 1000, nextInLineMs: 2000 });
    assert.deepEqual(restartDelay(policy, 59_999, 16_000), { waitMs: 16_000, nextInLineMs: 30_000 });
  });

  it("never waits less than the initial wait nor more than the maximum", () => {
    fc.assert(
      fc.property(fc.nat(10 * 60_000), fc.integer({ min: 1000, max: 30_000 }), (ranFor, next) => {
        const d = restartDelay(policy, ranFor, next);
        assert.ok(d.waitMs >= policy.initialMs && d.waitMs <= policy.maxMs);
        assert.ok(d.nextInLineMs >= d.waitMs && d.nextInLineMs <= policy.maxMs);
      }),
    );
  });
});
