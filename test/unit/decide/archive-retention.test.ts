import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { segmentsToPrune } from "../../../src/decide/archive-retention.js";
import { segmentName, type SegmentSpan } from "../../../src/model/archive-segment-name.js";
import type { CompleteBackup } from "../../../src/model/backup-manifest.js";

const t0 = Date.UTC(2026, 11, 7, 0, 0, 0);
const segment = (first: number, last: number, lastSecond: number) => {
  const span: SegmentSpan = {
    domain: 7216,
    first,
    last,
    firstTime: t0,
    lastTime: t0 + lastSecond * 1000,
    node: "n2",
  };
  return { name: segmentName(span), span };
};
const backup = (startedSecond: number): CompleteBackup =>
  ({
    id: `b${startedSecond}`,
    state: "complete",
    startedAt: new Date(t0 + startedSecond * 1000).toISOString(),
  }) as CompleteBackup;

void describe("segmentsToPrune", () => {
  void it("prunes the segments committed before the oldest kept backup started, with a second's margin", () => {
    const segments = [segment(1, 10, 100), segment(11, 20, 198), segment(21, 30, 199), segment(31, 40, 300)];
    assert.deepEqual(segmentsToPrune(segments, [backup(500), backup(200)]), {
      prune: [segments[0]!.name, segments[1]!.name],
      reason:
        "archive: 2 of 4 segments pruned: they hold only transactions committed before 2026-12-07T00:03:20.000Z, when the oldest kept backup started, which every kept backup has",
    });
  });

  void it("keeps every segment while no complete backup is kept, or none is old enough", () => {
    assert.deepEqual(segmentsToPrune([segment(1, 10, 100)], []), {
      prune: [],
      reason: "archive: every segment kept: no complete backup is kept, so a restore may need any of them",
    });
    assert.deepEqual(segmentsToPrune([segment(1, 10, 100)], [backup(50)]).prune, []);
  });

  void it("never prunes a segment holding a transaction committed within a second of a kept backup's start or later", () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(1000), { maxLength: 20 }),
        fc.array(fc.nat(1000), { maxLength: 5 }),
        (lasts, starts) => {
          const segments = lasts.map((l, i) => segment(i * 10 + 1, i * 10 + 10, l));
          const pruned = new Set(segmentsToPrune(segments, starts.map(backup)).prune);
          for (const s of segments) {
            if (pruned.has(s.name)) assert.ok(starts.every((st) => s.span.lastTime + 1000 < t0 + st * 1000));
          }
          if (starts.length === 0) assert.equal(pruned.size, 0);
        },
      ),
    );
  });
});
