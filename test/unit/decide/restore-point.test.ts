import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { archiveCoverage, type ArchiveCoverage } from "../../../src/decide/archive-coverage.js";
import { backupForPoint, replayRange, type PointTarget } from "../../../src/decide/restore-point.js";
import type { SegmentSpan } from "../../../src/model/archive-segment-name.js";
import type { CompleteBackup } from "../../../src/model/backup-manifest.js";

const domain = 7216;
/** Transaction N of the fixtures commits N seconds after t0 (2026-12-07T14:00:00Z). */
const t0 = Date.UTC(2026, 11, 7, 14, 0, 0);
const at = (seqno: number) => t0 + seqno * 1000;

const span = (first: number, last: number, spanDomain = domain, node = "n2"): SegmentSpan => ({
  domain: spanDomain,
  first,
  last,
  firstTime: at(first),
  lastTime: at(last),
  node,
});

/** A complete backup called `id` that ended at `endedAtMs`. */
function backup(id: string, endedAtMs: number): CompleteBackup {
  const endedAt = new Date(endedAtMs).toISOString();
  return {
    manifestVersion: 1,
    id,
    clusterUuid: "adb45e98-e8fc-11f1-96fe-721d16e53e1b",
    node: "n2",
    startedAt: new Date(endedAtMs - 60_000).toISOString(),
    mariadbVersion: "10.11.14-MariaDB-deb12",
    galeraPilotVersion: "0.1.0",
    compression: "gzip",
    destination: "directory",
    bytesStreamed: 100,
    bytesStored: 40,
    updatedAt: endedAt,
    state: "complete",
    endedAt,
    position: { uuid: "adb45e98-e8fc-11f1-96fe-721d16e53e1b", seqno: 7 },
    gtid: null,
    sha256: "0".repeat(64),
  };
}

/** The archive of `spans`, as restore-to-point.ts reads it: the coverage of each domain in it. */
function archive(spans: SegmentSpan[]): { coverages: ArchiveCoverage[]; spans: SegmentSpan[] } {
  const domains = [...new Set(spans.map((s) => s.domain))];
  return { coverages: domains.map((d) => archiveCoverage(spans, d)), spans };
}

function choose(backups: CompleteBackup[], spans: SegmentSpan[], target: PointTarget) {
  const a = archive(spans);
  return backupForPoint(backups, a.coverages, a.spans, target);
}

const time = (ms: number): PointTarget => ({ kind: "time", ms });
const gtid = (seqno: number, gtidDomain = domain): PointTarget => ({
  kind: "gtid",
  domain: gtidDomain,
  seqno,
});
const latest: PointTarget = { kind: "latest" };

const NOTHING = "nothing was written";
const GAP_ADVICE = `${NOTHING}; choose a point before the gap, or one after it restored from a backup taken after it`;
const notArchivedAfter = (seqno: number) =>
  `the archive does not hold the transactions right after the backup (7216-…-${seqno + 1} on): it began later, or they fell in a gap; ${NOTHING}; restore a later backup, or this one as it is (restore --from ID)`;

const backups = [
  backup("20261207T140000Z-n2", at(5)),
  backup("20261207T140100Z-n1", at(30)),
  backup("20261207T140030Z-n3", at(18)),
  backup("20261207T140010Z-n2", at(12)),
];

void describe("backupForPoint: refusals", () => {
  void it("refuses an archive that holds no transaction", () => {
    const refusal = {
      refuse: `the archive holds no transaction; ${NOTHING}; archiving starts once a backup destination is set and a member is synced`,
    };
    for (const target of [time(at(3)), gtid(3), latest]) {
      assert.deepEqual(backupForPoint(backups, [], [], target), refusal);
      assert.deepEqual(backupForPoint(backups, [archiveCoverage([], domain)], [], target), refusal);
    }
  });

  void it("refuses a GTID of a domain the archive does not hold: another cluster's GTID", () => {
    assert.deepEqual(choose(backups, [span(1, 20)], gtid(5, 999)), {
      refuse: `GTID 999-…-5 is of domain 999, but the archive holds domain 7216 only: it is another cluster's GTID; ${NOTHING}; give a GTID of this cluster (its domain is in the archive's segment names)`,
    });
    assert.deepEqual(choose(backups, [span(1, 20), span(1, 9, 1234)], gtid(5, 999)), {
      refuse: `GTID 999-…-5 is of domain 999, but the archive holds domain 7216, 1234 only: it is another cluster's GTID; ${NOTHING}; give a GTID of this cluster (its domain is in the archive's segment names)`,
    });
  });

  void it("refuses a time or --to-latest when the archive holds several domains, and takes the GTID's domain", () => {
    const spans = [span(1, 20), span(1, 9, 1234)];
    const refusal = {
      refuse: `the archive holds the transactions of 2 clusters (domains 7216, 1234); ${NOTHING}; name the point with --to-gtid DOMAIN-SERVER-SEQNO, which says the cluster`,
    };
    assert.deepEqual(choose(backups, spans, time(at(15))), refusal);
    assert.deepEqual(choose(backups, spans, latest), refusal);
    const chosen = choose([backup("b-at-0", at(0)), ...backups], spans, gtid(8, 1234));
    assert.ok("backup" in chosen);
    assert.equal(chosen.domain, 1234);
    assert.equal(chosen.backup.id, "b-at-0");
  });

  void it("refuses a time after the newest archived transaction's second, and takes one within it", () => {
    const spans = [span(1, 10), span(11, 20)];
    assert.deepEqual(choose(backups, spans, time(at(21))), {
      refuse: `2026-12-07T14:00:21Z is after the newest archived transaction (7216-…-20, committed 2026-12-07T14:00:20Z); ${NOTHING}; choose a point at or before it, or --to-latest`,
    });
    assert.deepEqual(choose(backups, spans, time(at(21) + 250)), {
      refuse: `2026-12-07T14:00:21.250Z is after the newest archived transaction (7216-…-20, committed 2026-12-07T14:00:20Z); ${NOTHING}; choose a point at or before it, or --to-latest`,
    });
    assert.ok("backup" in choose(backups, spans, time(at(20) + 999)));
  });

  void it("refuses a GTID after the newest archived transaction", () => {
    assert.deepEqual(choose(backups, [span(1, 10), span(11, 20)], gtid(21)), {
      refuse: `GTID 7216-…-21 is after the newest archived transaction (7216-…-20); ${NOTHING}; choose one at or before it, or --to-latest`,
    });
    assert.ok("backup" in choose(backups, [span(1, 10), span(11, 20)], gtid(20)));
  });

  void it("refuses a GTID inside a gap, naming the missing numbers and the times around them", () => {
    const spans = [span(1, 10), span(15, 20)];
    const refusal = {
      refuse: `the archive has a gap: transactions 7216-…-11 to 14 (between 2026-12-07T14:00:10Z and 2026-12-07T14:00:15Z) were never archived, and the point needs them; ${GAP_ADVICE}`,
    };
    for (const seqno of [11, 12, 14]) assert.deepEqual(choose(backups, spans, gtid(seqno)), refusal);
  });

  void it("refuses a GTID before the oldest archived transaction", () => {
    assert.deepEqual(choose(backups, [span(5, 10), span(11, 20)], gtid(3)), {
      refuse: `GTID 7216-…-3 is before the oldest archived transaction (7216-…-5); ${NOTHING}; restore a backup as it is (restore --from ID)`,
    });
  });

  void it("refuses a point before the oldest complete backup, naming it, or saying there is none", () => {
    const spans = [span(1, 40)];
    const later = [backup("20261207T140100Z-n1", at(30)), backup("20261207T140020Z-n3", at(25))];
    assert.deepEqual(choose(later, spans, time(at(20))), {
      refuse: `the point is before the oldest complete backup (20261207T140020Z-n3, ended 2026-12-07T14:00:25.000Z): no backup can be replayed forward to it; ${NOTHING}; choose a later point`,
    });
    assert.deepEqual(choose(later, spans, gtid(20)), {
      refuse: `the point is before the oldest complete backup (20261207T140020Z-n3, ended 2026-12-07T14:00:25.000Z): no backup can be replayed forward to it; ${NOTHING}; choose a later point`,
    });
    for (const target of [time(at(20)), gtid(20), latest]) {
      assert.deepEqual(choose([], spans, target), {
        refuse: `the point is before the oldest complete backup (there is none): no backup can be replayed forward to it; ${NOTHING}; choose a later point`,
      });
    }
  });
});

void describe("backupForPoint: the backup chosen", () => {
  const spans = [span(1, 10), span(11, 25), span(26, 40)];

  void it("takes the newest backup that ended at or before a time, whatever the order given", () => {
    assert.deepEqual(choose(backups, spans, time(at(20))), {
      backup: backups[2],
      domain,
      reason:
        "restoring backup 20261207T140030Z-n3 (ended 2026-12-07T14:00:18.000Z), the newest complete one that ended before the point",
    });
    const chosen = (target: PointTarget) => {
      const result = choose(backups, spans, target);
      return "backup" in result ? result.backup.id : result.refuse;
    };
    assert.equal(chosen(time(at(18))), "20261207T140030Z-n3");
    assert.equal(chosen(time(at(18) - 1)), "20261207T140010Z-n2");
    assert.equal(chosen(time(at(40))), "20261207T140100Z-n1");
    assert.equal(chosen(time(at(5))), "20261207T140000Z-n2");
  });

  void it("takes the newest backup for --to-latest, even one that ended after the newest archived transaction", () => {
    const newer = [...backups, backup("20261207T141000Z-n2", at(90))];
    const result = choose(newer, spans, latest);
    assert.ok("backup" in result);
    assert.equal(result.backup.id, "20261207T141000Z-n2");
    assert.equal(result.domain, domain);
  });

  void it("for a GTID, takes the newest backup that ended by the first time of the segment holding it", () => {
    // Transaction 15 is in segment 11-25 (first commit at 14:00:11) and in n3's copy 14-16
    // (14:00:14): a backup that ended before 14:00:11 holds none of those segments' transactions.
    const withCopy = [...spans, span(14, 16, domain, "n3")];
    const candidates = [backup("b-at-11", at(11)), backup("b-at-12", at(12)), backup("b-at-5", at(5))];
    const result = choose(candidates, withCopy, gtid(15));
    assert.ok("backup" in result);
    assert.equal(result.backup.id, "b-at-11");
    const without = choose([backup("b-at-12", at(12)), backup("b-at-5", at(5))], withCopy, gtid(15));
    assert.ok("backup" in without);
    assert.equal(without.backup.id, "b-at-5");
  });
});

void describe("replayRange", () => {
  const coverage = (...spans: SegmentSpan[]) => archiveCoverage(spans, domain);

  void it("refuses a GTID before the backup's last transaction, and has nothing to replay at it", () => {
    const whole = coverage(span(1, 20));
    assert.deepEqual(replayRange(whole, 10, gtid(7)), {
      refuse: `the backup holds transactions up to 7216-…-10, after GTID 7216-…-7: it cannot be taken back to it; ${NOTHING}; name an older backup with --from`,
    });
    assert.deepEqual(replayRange(whole, 10, gtid(10)), {
      after: 10,
      through: 10,
      notAfterSecond: null,
      reason: "the backup holds every archived transaction up to the point: nothing to replay",
    });
  });

  void it("refuses a GTID beyond a gap after the backup, naming the missing numbers", () => {
    assert.deepEqual(replayRange(coverage(span(1, 20), span(26, 40)), 10, gtid(30)), {
      refuse: `the archive has a gap: transactions 7216-…-21 to 25 (between 2026-12-07T14:00:20Z and 2026-12-07T14:00:26Z) were never archived, and the point needs them; ${GAP_ADVICE}`,
    });
    assert.deepEqual(replayRange(coverage(span(1, 20), span(26, 40)), 20, gtid(26)), {
      refuse: `the archive has a gap: transactions 7216-…-21 to 25 (between 2026-12-07T14:00:20Z and 2026-12-07T14:00:26Z) were never archived, and the point needs them; ${GAP_ADVICE}`,
    });
  });

  void it("refuses when the archive begins after the backup: the transactions right after it are not archived", () => {
    const later = coverage(span(20, 40));
    assert.deepEqual(replayRange(later, 10, time(at(30))), { refuse: notArchivedAfter(10) });
    assert.deepEqual(replayRange(later, 10, latest), { refuse: notArchivedAfter(10) });
    assert.deepEqual(replayRange(later, 10, gtid(15)), { refuse: notArchivedAfter(10) });
  });

  void it("refuses --to-latest when a later run lies beyond a gap", () => {
    assert.deepEqual(replayRange(coverage(span(1, 20), span(26, 40)), 10, latest), {
      refuse: `the archive has a gap: transactions 7216-…-21 to 25 (between 2026-12-07T14:00:20Z and 2026-12-07T14:00:26Z) were never archived, and the point needs them; ${GAP_ADVICE}`,
    });
  });

  void it("refuses a time whose transactions run past a gap, but replays to a time before the gap", () => {
    const gapped = coverage(span(1, 20), span(26, 40));
    const refusal = {
      refuse: `the archive has a gap: transactions 7216-…-21 to 25 (between 2026-12-07T14:00:20Z and 2026-12-07T14:00:26Z) were never archived, and the point needs them; ${GAP_ADVICE}`,
    };
    assert.deepEqual(replayRange(gapped, 10, time(at(30))), refusal);
    assert.deepEqual(replayRange(gapped, 10, time(at(26))), refusal);
    // The gap lies wholly after T: transaction 20 committed after T's second, so the prefix
    // ends before it (within what is archived).
    assert.deepEqual(replayRange(gapped, 10, time(at(15) + 300)), {
      after: 10,
      through: 20,
      notAfterSecond: at(15),
      reason:
        "replaying the archived transactions 7216-…-11 to the last committed at or before 2026-12-07T14:00:15Z (at most 20)",
    });
    assert.ok(!("refuse" in replayRange(gapped, 10, time(at(19) + 999))));
  });

  void it("refuses a time inside a gap: the missing transactions may have committed at or before it", () => {
    const gapped = coverage(span(1, 20), span(26, 40));
    const refusal = {
      refuse: `the archive has a gap: transactions 7216-…-21 to 25 (between 2026-12-07T14:00:20Z and 2026-12-07T14:00:26Z) were never archived, and the point needs them; ${GAP_ADVICE}`,
    };
    // Transaction 20 committed at 14:00:20: 21 to 25 committed at or after it, before 14:00:26.
    for (const ms of [at(20), at(20) + 500, at(22), at(25) + 999]) {
      assert.deepEqual(replayRange(gapped, 10, time(ms)), refusal, new Date(ms).toISOString());
    }
    // The archive begins after the backup, at transaction 20 (14:00:20): 11 to 19 may have
    // committed at 14:00:15 or before.
    assert.deepEqual(replayRange(coverage(span(20, 40)), 10, time(at(15))), { refuse: notArchivedAfter(10) });
  });

  void it("has nothing to replay for a backup at the archive's end", () => {
    const whole = coverage(span(1, 10), span(11, 40));
    const nothing = "the backup holds every archived transaction up to the point: nothing to replay";
    assert.deepEqual(replayRange(whole, 40, latest), {
      after: 40,
      through: 40,
      notAfterSecond: null,
      reason: nothing,
    });
    assert.deepEqual(replayRange(whole, 40, time(at(40) + 10)), {
      after: 40,
      through: 40,
      notAfterSecond: at(40),
      reason: nothing,
    });
    assert.deepEqual(replayRange(whole, 40, gtid(40)), {
      after: 40,
      through: 40,
      notAfterSecond: null,
      reason: nothing,
    });
  });

  void it("replays from the transaction after the backup's to the point", () => {
    // Overlapping segments (two archivers for a moment) make one run.
    const whole = coverage(span(1, 10), span(11, 25), span(20, 40), span(41, 50));
    assert.deepEqual(replayRange(whole, 10, gtid(30)), {
      after: 10,
      through: 30,
      notAfterSecond: null,
      reason: "replaying the archived transactions 7216-…-11 to 30",
    });
    assert.deepEqual(replayRange(whole, 10, latest), {
      after: 10,
      through: 50,
      notAfterSecond: null,
      reason: "replaying the archived transactions 7216-…-11 to 50",
    });
    assert.deepEqual(replayRange(whole, 10, time(at(30) + 400)), {
      after: 10,
      through: 50,
      notAfterSecond: at(30),
      reason:
        "replaying the archived transactions 7216-…-11 to the last committed at or before 2026-12-07T14:00:30Z (at most 50)",
    });
    // A backup whose last transaction is the end of one segment continues with the next.
    assert.deepEqual(replayRange(whole, 25, gtid(26)), {
      after: 25,
      through: 26,
      notAfterSecond: null,
      reason: "replaying the archived transactions 7216-…-26 to 26",
    });
  });
});

void describe("restore-point properties", () => {
  /** An archive of up to 6 segments over 1..60, a backup's last transaction and a point. */
  const spansArbitrary = fc
    .array(fc.tuple(fc.integer({ min: 1, max: 60 }), fc.nat(12)), { minLength: 1, maxLength: 6 })
    .map((pairs) => pairs.map(([first, length]) => span(first, first + length)));
  const targetArbitrary: fc.Arbitrary<PointTarget> = fc.oneof(
    fc.integer({ min: 0, max: 80_000 }).map((ms) => time(t0 + ms)),
    fc.integer({ min: 0, max: 80 }).map((seqno) => gtid(seqno)),
    fc.constant(latest),
  );

  void it("replays only sequence numbers that one run of the archive holds, from the one after the backup's", () => {
    fc.assert(
      fc.property(spansArbitrary, fc.nat(80), targetArbitrary, (spans, backupSeqno, target) => {
        const covered = archiveCoverage(spans, domain);
        const plan = replayRange(covered, backupSeqno, target);
        if ("refuse" in plan) return;
        assert.equal(plan.after, backupSeqno);
        assert.ok(plan.through >= plan.after);
        if (plan.through > plan.after) {
          const run = covered.runs.find((r) => r.first <= plan.after + 1 && plan.through <= r.last);
          assert.ok(run !== undefined, `no run holds ${plan.after + 1} to ${plan.through}`);
        }
        if (target.kind === "gtid") assert.equal(plan.through, target.seqno);
        assert.equal(
          plan.notAfterSecond,
          target.kind === "time" ? Math.floor(target.ms / 1000) * 1000 : null,
        );
      }),
    );
  });

  void it("for a time, never stops at the edge of what is archived while the point may go on past it", () => {
    fc.assert(
      fc.property(
        spansArbitrary,
        fc.nat(80),
        fc.integer({ min: 0, max: 80_000 }),
        (spans, backupSeqno, ms) => {
          const covered = archiveCoverage(spans, domain);
          const plan = replayRange(covered, backupSeqno, time(t0 + ms));
          if ("refuse" in plan) return;
          const newest = covered.runs.at(-1)!;
          if (plan.through >= newest.last) return;
          // Transactions after `through` exist in the archive, so ones right after it were
          // not archived: the replay may stop there only if the point ends before them, i.e.
          // the archived transaction at `through` committed after the point's second.
          const end = covered.runs.find((r) => r.last === plan.through);
          assert.ok(end !== undefined && end.lastTime > plan.notAfterSecond!);
        },
      ),
    );
  });

  void it("never chooses a backup that ended after a --to-time point, and chooses the newest that did not", () => {
    fc.assert(
      fc.property(
        spansArbitrary,
        fc.array(fc.integer({ min: 0, max: 80_000 }), { maxLength: 6 }),
        fc.integer({ min: 0, max: 80_000 }),
        (spans, ends, ms) => {
          const candidates = ends.map((end, i) => backup(`b${i}`, t0 + end));
          const result = choose(candidates, spans, time(t0 + ms));
          if ("refuse" in result) return;
          const ended = Date.parse(result.backup.endedAt);
          assert.ok(ended <= t0 + ms);
          assert.ok(
            candidates.every((b) => Date.parse(b.endedAt) <= ended || Date.parse(b.endedAt) > t0 + ms),
          );
        },
      ),
    );
  });
});
