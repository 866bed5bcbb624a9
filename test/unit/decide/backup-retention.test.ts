import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { abandonedAfterMs } from "../../../src/decide/backup-liveness.js";
import { backupsToPrune, failedKeptMs, type RetentionRules } from "../../../src/decide/backup-retention.js";
import { backupId, type BackupManifest } from "../../../src/model/backup-manifest.js";

const uuid = "adb45e98-e8fc-11f1-96fe-721d16e53e1b";
const other = "0d6e1c3a-e8fc-11f1-8000-000000000001";
const now = Date.parse("2026-12-06T21:00:00.000Z");
const hour = 3_600_000;
const day = 24 * hour;

/** A backup of `state` started `age` ms before now on n2. */
function backup(
  age: number,
  state: BackupManifest["state"] = "complete",
  cluster = uuid,
  node = "n2",
  /** How long ago a running backup's agent last wrote its progress (its heartbeat). */
  heartbeatAge = Math.min(age, 2000),
): BackupManifest {
  const startedAt = new Date(now - age).toISOString();
  const common = {
    manifestVersion: 1 as const,
    id: backupId(now - age, node),
    clusterUuid: cluster,
    node,
    startedAt,
    mariadbVersion: "10.11.14-MariaDB-deb12",
    galeraPilotVersion: "0.1.0",
    compression: "gzip" as const,
    destination: "directory" as const,
    bytesStreamed: 100,
    bytesStored: 40,
    updatedAt: startedAt,
  };
  if (state === "running") return { ...common, state, updatedAt: new Date(now - heartbeatAge).toISOString() };
  if (state === "failed") return { ...common, state, endedAt: startedAt, failure: "the destination is full" };
  return {
    ...common,
    state,
    endedAt: startedAt,
    position: { uuid: cluster, seqno: 7 },
    gtid: null,
    sha256: "0".repeat(64),
  };
}

const ids = (verdicts: { id: string }[]) => verdicts.map((v) => v.id);

describe("backupsToPrune", () => {
  const week = [0.5, 1.5, 2.5, 3.5, 8.5, 9.5].map((d) => backup(d * day));

  it("keeps the last N complete backups, newest included, and prunes the rest", () => {
    const { prune, keep } = backupsToPrune(week, { keepLast: 3, now });
    assert.deepEqual(prune, [
      {
        id: week[5]!.id,
        reason: "pruned: complete, but not one of the 3 newest complete backups of its cluster",
      },
      {
        id: week[4]!.id,
        reason: "pruned: complete, but not one of the 3 newest complete backups of its cluster",
      },
      {
        id: week[3]!.id,
        reason: "pruned: complete, but not one of the 3 newest complete backups of its cluster",
      },
    ]);
    assert.deepEqual(keep, [
      { id: week[2]!.id, reason: "kept: one of the 3 newest complete backups of its cluster" },
      { id: week[1]!.id, reason: "kept: one of the 3 newest complete backups of its cluster" },
      { id: week[0]!.id, reason: "kept: the newest complete backup of its cluster, which is never pruned" },
    ]);
  });

  it("keeps the complete backups started within D days, and prunes the older ones", () => {
    const { prune, keep } = backupsToPrune(week, { keepDays: 3, now });
    assert.deepEqual(ids(keep), ids(week.slice(0, 3)).reverse());
    assert.deepEqual(keep[1], { id: week[1]!.id, reason: "kept: started 1.5 d ago, within the 3 days kept" });
    assert.deepEqual(prune[0], {
      id: week[5]!.id,
      reason: "pruned: complete, but started 9.5 d ago, before the 3 days kept",
    });
    assert.deepEqual(ids(prune), ids(week.slice(3)).reverse());
  });

  it("keeps what either rule keeps when both are given, and says both reasons of a pruned one", () => {
    const { prune, keep } = backupsToPrune(week, { keepLast: 2, keepDays: 3, now });
    assert.deepEqual(keep, [
      { id: week[2]!.id, reason: "kept: started 2.5 d ago, within the 3 days kept" },
      { id: week[1]!.id, reason: "kept: one of the 2 newest complete backups of its cluster" },
      { id: week[0]!.id, reason: "kept: the newest complete backup of its cluster, which is never pruned" },
    ]);
    assert.equal(
      prune[2]!.reason,
      "pruned: complete, but not one of the 2 newest complete backups of its cluster, and started 3.5 d ago, before the 3 days kept",
    );
    assert.deepEqual(ids(backupsToPrune(week, { keepLast: 5, keepDays: 1, now }).prune), [week[5]!.id]);
  });

  it("prunes at exactly D days, and keeps a moment before", () => {
    const edge = [backup(0), backup(2 * day - 1, "complete", uuid, "n3"), backup(2 * day)];
    assert.deepEqual(ids(backupsToPrune(edge, { keepDays: 2, now }).prune), [edge[2]!.id]);
  });

  it("never prunes the only complete backup, however old, whatever the rules", () => {
    const only = backup(400 * day);
    for (const rules of [{ keepLast: 1 }, { keepDays: 1 }, { keepLast: 0, keepDays: 0 }, { keepLast: -3 }]) {
      assert.deepEqual(backupsToPrune([only], { ...rules, now }), {
        prune: [],
        keep: [
          { id: only.id, reason: "kept: the newest complete backup of its cluster, which is never pruned" },
        ],
      });
    }
  });

  it("keeps every complete backup when no rule is given", () => {
    const { prune, keep } = backupsToPrune(week, { now });
    assert.deepEqual(prune, []);
    assert.equal(
      keep[0]!.reason,
      "kept: no retention rule is given (keep last N, keep D days), so every complete backup is kept",
    );
  });

  it("never prunes a running backup, nor counts it; prunes a failed or abandoned one a day after its start", () => {
    const manifests = [
      backup(3 * hour, "running"),
      backup(2 * day, "running", uuid, "n3"),
      backup(5 * hour, "failed"),
      backup(failedKeptMs - 1, "failed", uuid, "n3"),
      backup(failedKeptMs, "failed", uuid, "n1"),
      backup(6 * day),
      backup(7 * day),
      backup(3 * day, "running", uuid, "n1", 3 * day - 10 * 60_000),
      backup(4 * hour, "running", uuid, "n3", abandonedAfterMs + 1),
    ];
    const { prune, keep } = backupsToPrune(manifests, { keepLast: 1, now });
    assert.deepEqual(prune, [
      {
        id: manifests[6]!.id,
        reason: "pruned: complete, but not the newest complete backup of its cluster",
      },
      {
        id: manifests[7]!.id,
        reason:
          "pruned: abandoned (running, but its progress was last written 2.9 d ago: its agent stopped), started 3.0 d ago; a failed backup is never restored",
      },
      {
        id: manifests[4]!.id,
        reason:
          "pruned: failed (the destination is full), started 1.0 d ago; a failed backup is never restored",
      },
    ]);
    assert.deepEqual(keep, [
      {
        id: manifests[5]!.id,
        reason: "kept: the newest complete backup of its cluster, which is never pruned",
      },
      {
        id: manifests[1]!.id,
        reason:
          "kept: running on n3, started 2.0 d ago, its progress written 2 s ago; a running backup is never pruned",
      },
      {
        id: manifests[3]!.id,
        reason:
          "kept: failed (the destination is full), started 23.9 h ago; a failed backup is kept a day after its start, to be looked at",
      },
      {
        id: manifests[2]!.id,
        reason:
          "kept: failed (the destination is full), started 5.0 h ago; a failed backup is kept a day after its start, to be looked at",
      },
      {
        id: manifests[8]!.id,
        reason:
          "kept: abandoned (running, but its progress was last written 60 s ago: its agent stopped), started 4.0 h ago; a failed backup is kept a day after its start, to be looked at",
      },
      {
        id: manifests[0]!.id,
        reason:
          "kept: running on n2, started 3.0 h ago, its progress written 2 s ago; a running backup is never pruned",
      },
    ]);
  });

  it("applies the rules to each cluster's backups apart: never the last one of another cluster", () => {
    const old = [backup(30 * day, "complete", other), backup(31 * day, "complete", other)];
    const { prune, keep } = backupsToPrune([...week, ...old], { keepLast: 1, keepDays: 7, now });
    assert.deepEqual(ids(keep), [old[0]!.id, ...ids(week.slice(0, 4)).reverse()]);
    assert.deepEqual(ids(prune), [old[1]!.id, week[5]!.id, week[4]!.id]);
  });

  it("says ages in minutes, hours and days, cut rather than rounded, and a start ahead of this clock", () => {
    const reasons = (age: number) =>
      backupsToPrune([backup(age, "failed")], { now }).keep.concat(
        backupsToPrune([backup(age, "failed")], { now }).prune,
      )[0]!.reason;
    assert.match(reasons(0), /started 0 min ago;/);
    assert.match(reasons(59 * 60_000 + 59_999), /started 59 min ago;/);
    assert.match(reasons(hour), /started 1\.0 h ago;/);
    assert.match(reasons(day - 1), /started 23\.9 h ago;/);
    assert.match(reasons(day), /started 1\.0 d ago;/);
    assert.match(reasons(7 * day - 1), /started 6\.9 d ago;/);
    assert.match(reasons(-5 * 60_000), /started in the future by this clock;/);
    // A complete backup from the future is within any number of days kept.
    const ahead = [backup(-2 * hour), backup(-hour)];
    assert.deepEqual(
      backupsToPrune(ahead, { keepDays: 1, now }).keep[0]!.reason,
      "kept: started in the future by this clock, within the 1 day kept",
    );
  });

  it("orders backups started within one second by id, both ways", () => {
    const twins = [backup(day, "complete", uuid, "n1"), backup(day, "complete", uuid, "n2")];
    for (const order of [twins, [...twins].reverse()]) {
      const { prune, keep } = backupsToPrune(order, { keepLast: 1, now });
      assert.deepEqual(ids(keep), [twins[1]!.id]);
      assert.deepEqual(ids(prune), [twins[0]!.id]);
    }
  });
});

describe("backupsToPrune: properties", () => {
  const manifest = fc
    .record({
      age: fc.integer({ min: -2 * day, max: 40 * day }),
      state: fc.constantFrom<BackupManifest["state"]>("complete", "complete", "running", "failed"),
      cluster: fc.constantFrom(uuid, other),
      node: fc.constantFrom("n1", "n2", "n3"),
    })
    .map(({ age, state, cluster, node }) => backup(Math.floor(age / 1000) * 1000, state, cluster, node));
  // One manifest per id, as on a destination.
  const manifests = fc.uniqueArray(manifest, { selector: (m) => m.id, maxLength: 12 });
  const rules = fc.record({
    keepLast: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
    keepDays: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
  });

  it("never prunes a running backup, nor the newest complete one of a cluster; gives every backup one verdict", () => {
    fc.assert(
      fc.property(manifests, rules, (all, r) => {
        const { prune, keep } = backupsToPrune(all, { ...r, now });
        assert.deepEqual([...ids(prune), ...ids(keep)].sort(), ids(all).sort());
        const pruned = new Set(ids(prune));
        for (const m of all) {
          if (m.state === "running") assert.ok(!pruned.has(m.id), "running");
          if (m.state !== "complete") continue;
          const newer = all.filter(
            (o) =>
              o.state === "complete" &&
              o.clusterUuid === m.clusterUuid &&
              (o.startedAt > m.startedAt || (o.startedAt === m.startedAt && o.id > m.id)),
          );
          if (newer.length === 0) assert.ok(!pruned.has(m.id), "newest complete");
          // Oracle: kept exactly when a rule keeps it.
          const byLast = r.keepLast !== undefined && newer.length < r.keepLast;
          const byDays = r.keepDays !== undefined && now - Date.parse(m.startedAt) < r.keepDays * day;
          const noRule = r.keepLast === undefined && r.keepDays === undefined;
          assert.equal(pruned.has(m.id), newer.length > 0 && !noRule && !byLast && !byDays, m.id);
        }
      }),
    );
  });

  it("is idempotent: the kept set, pruned again by the same rules, loses nothing", () => {
    fc.assert(
      fc.property(manifests, rules, (all, r) => {
        const kept = new Set(ids(backupsToPrune(all, { ...r, now }).keep));
        const again = backupsToPrune(
          all.filter((m) => kept.has(m.id)),
          { ...r, now },
        );
        assert.deepEqual(again.prune, []);
      }),
    );
  });

  it("keeps at least the one complete backup of each cluster that had one", () => {
    fc.assert(
      fc.property(manifests, rules, (all, r: Omit<RetentionRules, "now">) => {
        const kept = new Set(ids(backupsToPrune(all, { ...r, now }).keep));
        for (const cluster of [uuid, other]) {
          const complete = all.filter((m) => m.state === "complete" && m.clusterUuid === cluster);
          if (complete.length > 0)
            assert.ok(
              complete.some((m) => kept.has(m.id)),
              cluster,
            );
        }
      }),
    );
  });
});
