import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { archiveCoverage } from "../../../src/decide/archive-coverage.js";
import { archiveLine, archiveSummary } from "../../../src/decide/archive-summary.js";
import type { SegmentSpan } from "../../../src/model/archive-segment-name.js";
import type { CompleteBackup } from "../../../src/model/backup-manifest.js";
import type { ArchiveReport } from "../../../src/model/node-status.js";

const t0 = Date.UTC(2026, 11, 7, 6, 0, 0);
const span = (first: number, last: number): SegmentSpan => ({
  domain: 6424,
  first,
  last,
  firstTime: t0 + first * 1000,
  lastTime: t0 + last * 1000,
  node: "n2",
});
const backup = (id: string, endedSecond: number): CompleteBackup =>
  ({ id, state: "complete", endedAt: new Date(t0 + endedSecond * 1000).toISOString() }) as CompleteBackup;
const report: ArchiveReport = {
  able: true,
  archiving: true,
  reason: "archiving the binlog on n2: the one member applying transactions that is not the writer",
  archivedSeqno: 40,
  waitingTransactions: 3,
  waitingMs: 230,
  lastStoredAt: null,
  segmentsStored: 4,
  gaps: [],
  failure: null,
};

void describe("archiveSummary", () => {
  void it("says a contiguous archive's points and its archiver's lag, with no problem", () => {
    const coverage = archiveCoverage([span(1, 20), span(21, 40)], 6424);
    const summary = archiveSummary(
      [coverage],
      [backup("b-old", -100), backup("b1", 5), backup("b2", 30)],
      [
        { node: "n1", archive: { ...report, archiving: false } },
        { node: "n2", archive: report },
      ],
    );
    assert.deepEqual(summary.lines, [
      "archive: domain 6424, 2 segments, transactions 1 to 40, contiguous",
      "oldest restorable point: backup b1 (ended 2026-12-07T06:00:05.000Z)",
      "newest restorable point: 6424-…-40, committed 2026-12-07T06:00:40Z",
      "archiver: n2, stored to 40, 3 transactions read and not stored yet, lag 0.23 s",
    ]);
    assert.deepEqual(summary.problems, []);
  });

  void it("names each gap, a missing archiver and a failing one as problems", () => {
    const coverage = archiveCoverage([span(1, 20), span(31, 40)], 6424);
    const gapped = archiveSummary([coverage], [backup("b1", 35)], [{ node: "n1" }]);
    assert.deepEqual(gapped.problems, [
      "gap: transactions 6424-…-21 to 30 (between 2026-12-07T06:00:20Z and 2026-12-07T06:00:31Z) are not archived; points in or after it need a backup taken after it",
      "no agent archives now (no agent answered): transactions committed now are not archived",
    ]);
    assert.equal(gapped.contiguous, false);
    const failing = archiveSummary(
      [archiveCoverage([span(1, 5)], 6424)],
      [],
      [{ node: "n2", archive: { ...report, failure: "the archive in /b cannot be listed: ENOENT" } }],
    );
    assert.deepEqual(failing.problems, [
      "no complete backup ended since the archive's last gap or its start: no point can be restored from the archive; take a backup",
      "the archiver on n2 fails: the archive in /b cannot be listed: ENOENT",
    ]);
    assert.equal(failing.newestPoint, null);
  });

  void it("says an empty archive, and an unknown archiver when no agent was asked", () => {
    assert.deepEqual(archiveSummary([], [], null).lines, [
      "archive: empty",
      "oldest restorable point: none",
      "newest restorable point: none",
      "archiver: unknown (no agent was asked)",
    ]);
  });
});

void describe("archiveLine", () => {
  void it("says what a node's archiver does, its gaps and failure, and nothing for a node that has none", () => {
    assert.equal(archiveLine(undefined), null);
    assert.equal(archiveLine({ ...report, archiving: false }), null);
    assert.equal(archiveLine(report), "archiving the binlog: stored to 40, 3 waiting, lag 0.23 s");
    assert.equal(
      archiveLine({ ...report, gaps: [{ first: 5, last: 9 }], failure: "ENOSPC" }),
      "archiving the binlog: stored to 40, 3 waiting, lag 0.23 s; GAP 5–9; failing: ENOSPC",
    );
    assert.equal(archiveLine({ ...report, archiving: false, gaps: [{ first: 5, last: 9 }] }), "GAP 5–9");
  });
});
