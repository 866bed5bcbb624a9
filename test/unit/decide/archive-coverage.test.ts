import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { archiveCoverage, archiveCoverages, newestArchived } from "../../../src/decide/archive-coverage.js";
import {
  namedSegments,
  parseSegmentName,
  segmentName,
  type SegmentSpan,
} from "../../../src/model/archive-segment-name.js";

const t0 = Date.UTC(2026, 11, 7, 14, 3, 0);
const span = (first: number, last: number, domain = 7216): SegmentSpan => ({
  domain,
  first,
  last,
  firstTime: t0 + first * 1000,
  lastTime: t0 + last * 1000,
  node: "n2",
});

void describe("segment names", () => {
  void it("say domain, first and last sequence numbers and times, and sort by the first", () => {
    const name = segmentName(span(41, 57));
    assert.equal(
      name,
      "7216-00000000000000000041-00000000000000000057_20261207T140341Z-20261207T140357Z_n2.binlog",
    );
    assert.deepEqual(parseSegmentName(name), span(41, 57));
    assert.ok(segmentName(span(9, 10)) < segmentName(span(10, 11)));
  });

  void it("read back what they wrote, to the second", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.nat(1_000_000),
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        fc.nat(10_000_000),
        fc.string({ minLength: 1, maxLength: 40, unit: fc.constantFrom(..."abz09.-") }),
        (domain, first, length, firstTime, duration, node) => {
          const last = Math.min(first + length, Number.MAX_SAFE_INTEGER);
          const written = { domain, first, last, firstTime, lastTime: firstTime + duration, node };
          const read = parseSegmentName(segmentName(written));
          assert.deepEqual(read, {
            ...written,
            firstTime: Math.floor(firstTime / 1000) * 1000,
            lastTime: Math.floor((firstTime + duration) / 1000) * 1000,
          });
        },
      ),
    );
  });

  void it("carry the node a segment was read from, made safe for a file name", () => {
    assert.match(segmentName({ ...span(1, 2), node: "db/node 1_x" }), /_db-node-1-x\.binlog$/);
    assert.match(
      segmentName({ ...span(1, 2), node: "n".repeat(60) }),
      new RegExp(`_${"n".repeat(40)}\\.binlog$`),
    );
  });

  void it("are not found in other names", () => {
    for (const name of [
      "7216-00000000000000000041-00000000000000000057_20261207T140341Z-20261207T140357Z_n2.binlog.partial",
      "7216-00000000000000000057-00000000000000000041_20261207T140341Z-20261207T140357Z_n2.binlog",
      "7216-41-57_20261207T140341Z-20261207T140357Z_n2.binlog",
      "7216-00000000000000000041-00000000000000000057_20261207T250341Z-20261207T140357Z_n2.binlog",
      "7216-00000000000000000041-00000000000000000057_20261207T140341Z-20261207T140357Z.binlog",
      "7216-00000000000000000041-00000000000000000057_20261207T140341Z-20261207T140357Z_n_2.binlog",
      "manifest.json",
    ]) {
      assert.equal(parseSegmentName(name), null, name);
    }
  });
});

void describe("archiveCoverage", () => {
  void it("joins consecutive segments into one run and counts overlaps once", () => {
    const coverage = archiveCoverage([span(11, 20), span(1, 10), span(15, 25), span(21, 22)], 7216);
    assert.deepEqual(coverage.runs, [{ first: 1, last: 25, firstTime: t0 + 1000, lastTime: t0 + 25_000 }]);
    assert.deepEqual(coverage.gaps, []);
    assert.deepEqual(newestArchived(coverage), { seqno: 25, time: t0 + 25_000 });
  });

  void it("names a gap by the sequence numbers missing and the times around them", () => {
    const coverage = archiveCoverage([span(1, 10), span(14, 20), span(30, 31, 999)], 7216);
    assert.deepEqual(coverage.gaps, [
      { first: 11, last: 13, sinceTime: t0 + 10_000, untilTime: t0 + 14_000 },
    ]);
    assert.equal(coverage.runs.length, 2);
    assert.equal(coverage.foreignSegments, 1);
    assert.equal(coverage.segments, 2);
  });

  void it("is empty for an empty archive", () => {
    const coverage = archiveCoverage([], 7216);
    assert.deepEqual([coverage.runs, coverage.gaps, newestArchived(coverage)], [[], [], null]);
  });

  void it("covers exactly the sequence numbers some segment holds: runs and gaps partition the range", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 60 }), fc.nat(8)), { maxLength: 15 }),
        (pairs) => {
          const spans = pairs.map(([first, length]) => span(first, first + length));
          const coverage = archiveCoverage(spans, 7216);
          const held = new Set(
            spans.flatMap((s) => Array.from({ length: s.last - s.first + 1 }, (_, i) => s.first + i)),
          );
          const inRuns = new Set(
            coverage.runs.flatMap((r) => Array.from({ length: r.last - r.first + 1 }, (_, i) => r.first + i)),
          );
          assert.deepEqual(
            [...inRuns].sort((a, b) => a - b),
            [...held].sort((a, b) => a - b),
          );
          assert.equal(coverage.gaps.length, Math.max(0, coverage.runs.length - 1));
          coverage.gaps.forEach((gap, i) => {
            assert.equal(gap.first, coverage.runs[i]!.last + 1);
            assert.equal(gap.last, coverage.runs[i + 1]!.first - 1);
            assert.ok(gap.first <= gap.last);
          });
        },
      ),
    );
  });
});

void describe("namedSegments and archiveCoverages", () => {
  void it("keep the names that are segments' with their spans, and cover each domain apart", () => {
    const names = [
      segmentName(span(1, 5)),
      "manifest.json",
      segmentName(span(3, 4, 999)),
      `${segmentName(span(6, 6))}.partial`,
    ];
    const segments = namedSegments(names);
    assert.deepEqual(segments, [
      { name: names[0], span: span(1, 5) },
      { name: names[2], span: span(3, 4, 999) },
    ]);
    const coverages = archiveCoverages(segments.map((s) => s.span));
    assert.deepEqual(
      coverages.map((c) => [c.domain, c.runs.length, c.segments, c.foreignSegments]),
      [
        [7216, 1, 1, 1],
        [999, 1, 1, 1],
      ],
    );
  });
});
