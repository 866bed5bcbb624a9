import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { watchDisconnected, type ConnectionSample } from "../../../src/decide/stuck-joiner.js";

const restartSentence =
  'mariadbd has been running for 20 s without a connection to the cluster (Galera says so after a failed IST/SST: "node restart required"): restarting it';

const sample = (
  takenAt: number,
  clusterStatus: string | null,
  error: string | null = null,
): ConnectionSample => ({
  takenAt,
  clusterStatus,
  error,
});

/** Feeds the samples in order; the restart sentence of each (null: none). */
function watch(samples: readonly ConnectionSample[], synced = false): (string | null)[] {
  let since: number | null = null;
  return samples.map((s) => {
    const verdict = watchDisconnected(since, s, synced);
    since = verdict.since;
    return verdict.restart;
  });
}

describe("watchDisconnected", () => {
  it("a joiner Disconnected for 20 s after a failed transfer is restarted, with the sentence logged", () => {
    const verdicts = watch([
      sample(0, "Disconnected"),
      sample(19_999, "Disconnected"),
      sample(20_000, "Disconnected"),
    ]);
    assert.deepEqual(verdicts, [null, null, restartSentence]);
  });

  it("a Primary sample in between starts the 20 s over", () => {
    const verdicts = watch([
      sample(0, "Disconnected"),
      sample(15_000, "Primary"),
      sample(16_000, "Disconnected"),
      sample(35_000, "Disconnected"),
      sample(36_000, "Disconnected"),
    ]);
    assert.deepEqual(verdicts, [null, null, null, null, restartSentence]);
  });

  it("a failed sample (mariadbd not answering) is no verdict on the connection, and starts the watch over", () => {
    const verdicts = watch([
      sample(0, "Disconnected"),
      sample(10_000, null, "ECONNREFUSED"),
      sample(25_000, "Disconnected"),
    ]);
    assert.deepEqual(verdicts, [null, null, null]);
  });

  it("a failed sample counts for nothing even when it still carries a Disconnected status", () => {
    const verdicts = watch([
      sample(0, "Disconnected"),
      sample(10_000, "Disconnected", "query timed out"),
      sample(25_000, "Disconnected"),
      sample(44_999, "Disconnected"),
      sample(45_000, "Disconnected"),
    ]);
    assert.deepEqual(verdicts, [null, null, null, null, restartSentence]);
  });

  it("a node that synced since its start is never a stuck joiner: Galera rejoins it by itself", () => {
    assert.deepEqual(watch([sample(0, "Disconnected"), sample(60_000, "Disconnected")], true), [null, null]);
  });

  it("restarts exactly when some run of consecutive Disconnected samples spans 20 s (property)", () => {
    const step = fc.record({
      gap: fc.integer({ min: 0, max: 12_000 }),
      status: fc.constantFrom("Disconnected", "Primary", "non-Primary", null),
      failed: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 20 }), fc.boolean(), (steps, synced) => {
        let at = 0;
        const samples = steps.map((s) => {
          at += s.gap;
          return sample(at, s.status, s.failed ? "gone" : null);
        });
        const verdicts = watch(samples, synced);
        samples.forEach((s, i) => {
          // Oracle: walk back over the Disconnected samples that end at i.
          const counts = (x: ConnectionSample): boolean =>
            x.error === null && x.clusterStatus === "Disconnected";
          let first = i;
          while (first > 0 && counts(samples[first - 1]!)) first--;
          const expected = !synced && counts(s) && s.takenAt - samples[first]!.takenAt >= 20_000;
          assert.equal(verdicts[i], expected ? restartSentence : null, `sample ${i}`);
        });
      }),
    );
  });
});
