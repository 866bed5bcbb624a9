import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { backupSummary, backupSummaryLine } from "../../../src/decide/backup-summary.js";
import { backupId, type BackupManifest } from "../../../src/model/backup-manifest.js";

const now = Date.parse("2026-12-07T01:00:00.000Z");
const uuid = "b5297b93-f1cc-11f1-9d75-57821ab711f4";

function backup(minutesAgo: number, state: BackupManifest["state"], heartbeatAgoMs = 1000): BackupManifest {
  const startedMs = now - minutesAgo * 60_000;
  const common = {
    manifestVersion: 1 as const,
    id: backupId(startedMs, "n2"),
    clusterUuid: uuid,
    node: "n2",
    startedAt: new Date(startedMs).toISOString(),
    mariadbVersion: "10.11.19-MariaDB",
    galeraPilotVersion: "0.1.0",
    compression: "zstd" as const,
    destination: "directory" as const,
    bytesStreamed: 10,
    bytesStored: 5,
    updatedAt: new Date(now - heartbeatAgoMs).toISOString(),
  };
  const endedAt = new Date(startedMs + 60_000).toISOString();
  if (state === "running") return { ...common, state };
  if (state === "failed") return { ...common, state, endedAt, failure: "ENOSPC" };
  return { ...common, state, endedAt, position: { uuid, seqno: 3 }, gtid: null, sha256: "0".repeat(64) };
}

describe("backupSummary", () => {
  it("names the newest complete backup, those under way, and the failures since it", () => {
    const manifests = [
      backup(300, "complete"),
      backup(200, "failed"),
      backup(100, "complete"),
      backup(50, "failed"),
      backup(40, "running", 5 * 60_000),
      backup(1, "running"),
    ];
    const summary = backupSummary(manifests, now);
    assert.equal(summary.lastComplete?.id, manifests[2]!.id);
    assert.deepEqual(summary.running, [manifests[5]!.id]);
    assert.deepEqual(summary.failedSince, [manifests[3]!.id, manifests[4]!.id]);
    assert.equal(
      backupSummaryLine(summary, now, "/srv/backups"),
      `backups: last complete ${manifests[2]!.id}, ended 99 min ago; running: ${manifests[5]!.id}; failed since: ${manifests[3]!.id}, ${manifests[4]!.id} (galera-pilot backup list says why)`,
    );
  });

  it("says when there is no complete backup at all", () => {
    const summary = backupSummary([backup(10, "failed")], now);
    assert.equal(
      backupSummaryLine(summary, now, "/srv/backups"),
      `backups: no complete backup in /srv/backups; running: none; failed since: ${backupId(now - 600_000, "n2")} (galera-pilot backup list says why)`,
    );
    assert.equal(
      backupSummaryLine(backupSummary([], now), now, "/srv/backups"),
      "backups: no complete backup in /srv/backups; running: none",
    );
  });
});

describe("backupSummary: order and ages", () => {
  it("reads the manifests in any order: the newest complete one is the last by id", () => {
    const manifests = [
      backup(300, "complete"),
      backup(100, "complete"),
      backup(200, "complete"),
      backup(50, "failed"),
    ];
    for (const order of [
      manifests,
      [...manifests].reverse(),
      [manifests[2]!, manifests[0]!, manifests[3]!, manifests[1]!],
    ]) {
      const summary = backupSummary(order, now);
      assert.equal(summary.lastComplete?.id, manifests[1]!.id);
      assert.deepEqual(summary.failedSince, [manifests[3]!.id]);
    }
    const running = [backup(3, "running"), backup(1, "running"), backup(2, "running")];
    assert.deepEqual(backupSummary(running, now).running, [running[0]!.id, running[2]!.id, running[1]!.id]);
    assert.equal(
      backupSummaryLine(backupSummary(running, now), now, "/b"),
      `backups: no complete backup in /b; running: ${running[0]!.id}, ${running[2]!.id}, ${running[1]!.id}`,
    );
  });

  it("says an age in seconds, minutes, hours or days, cut, not rounded", () => {
    const endedAgo = (ms: number): string => {
      const complete = backup(0, "complete");
      const ended = { ...complete, endedAt: new Date(now - ms).toISOString() } as BackupManifest;
      return backupSummaryLine(backupSummary([ended], now), now, "/b")
        .split(", ended ")[1]!
        .split(";")[0]!;
    };
    assert.equal(endedAgo(0), "0 s ago");
    assert.equal(endedAgo(119_999), "119 s ago");
    assert.equal(endedAgo(120_000), "2 min ago");
    assert.equal(endedAgo(7_199_999), "119 min ago");
    assert.equal(endedAgo(7_200_000), "2.0 h ago");
    assert.equal(endedAgo(7_559_999), "2.0 h ago");
    assert.equal(endedAgo(7_560_000), "2.1 h ago");
    assert.equal(endedAgo(172_799_999), "47.9 h ago");
    assert.equal(endedAgo(172_800_000), "2.0 d ago");
    assert.equal(endedAgo(181_439_999), "2.0 d ago");
    assert.equal(endedAgo(181_440_000), "2.1 d ago");
    assert.equal(endedAgo(-1), "in the future by this clock");
  });
});
