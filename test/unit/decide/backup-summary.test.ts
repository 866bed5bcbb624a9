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
