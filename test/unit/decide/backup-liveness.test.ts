import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { abandonedAfterMs, backupStanding } from "../../../src/decide/backup-liveness.js";
import type { BackupManifest } from "../../../src/model/backup-manifest.js";

const now = Date.parse("2026-12-06T23:00:00.000Z");
const running = (heartbeatAge: number): BackupManifest => ({
  manifestVersion: 1,
  id: "20261206T225000Z-n2",
  state: "running",
  clusterUuid: "b5297b93-f1cc-11f1-9d75-57821ab711f4",
  node: "n2",
  startedAt: "2026-12-06T22:50:00.000Z",
  mariadbVersion: "10.11.19-MariaDB",
  galeraPilotVersion: "0.1.0",
  compression: "zstd",
  destination: "directory",
  bytesStreamed: 1,
  bytesStored: 1,
  updatedAt: new Date(now - heartbeatAge).toISOString(),
});

describe("backupStanding", () => {
  it("a running backup whose heartbeat is at most 60 s old is running; older, abandoned", () => {
    assert.equal(backupStanding(running(0), now), "running");
    assert.equal(backupStanding(running(abandonedAfterMs), now), "running");
    assert.equal(backupStanding(running(abandonedAfterMs + 1), now), "abandoned");
    assert.equal(abandonedAfterMs, 60_000);
  });

  it("a heartbeat from the future (another clock ahead) is running", () => {
    assert.equal(backupStanding(running(-30_000), now), "running");
  });

  it("complete and failed say what they are, whatever their heartbeat", () => {
    const base = running(10 * abandonedAfterMs);
    assert.equal(
      backupStanding({ ...base, state: "failed", endedAt: base.updatedAt, failure: "x" }, now),
      "failed",
    );
    assert.equal(
      backupStanding(
        {
          ...base,
          state: "complete",
          endedAt: base.updatedAt,
          position: { uuid: base.clusterUuid, seqno: 3 },
          gtid: null,
          sha256: "0".repeat(64),
        },
        now,
      ),
      "complete",
    );
  });
});
