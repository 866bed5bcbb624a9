import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { progressLine, restoreProgress } from "../../../src/backup/progress-line.js";

describe("progress lines", () => {
  it("a backup's: read of the estimate, stored, rate, time left", () => {
    assert.equal(
      progressLine(
        "20261207T010000Z-n2",
        { bytesStreamed: 200_000_000, bytesStored: 80_000_000 },
        2000,
        1_000_000_000,
      ),
      "backup 20261207T010000Z-n2: 200 MB of about 1.0 GB read, 80.0 MB stored, 100 MB/s, about 8 s left",
    );
    assert.equal(
      progressLine("20261207T010000Z-n2", { bytesStreamed: 5_000, bytesStored: 2_000 }, 1000, null),
      "backup 20261207T010000Z-n2: 5.0 kB read, 2.0 kB stored, 5.0 kB/s",
    );
  });

  it("a restore's: at most every 5 s, with the rate and the time left from the stored size", () => {
    let clock = 0;
    const lines: string[] = [];
    const onBytes = restoreProgress(
      "restore X",
      1_000_000_000,
      (line) => lines.push(line),
      () => clock,
    );
    clock = 4_999;
    onBytes(100_000_000);
    assert.deepEqual(lines, []);
    clock = 5_000;
    onBytes(250_000_000);
    clock = 9_000;
    onBytes(400_000_000);
    clock = 10_000;
    onBytes(1_000_000_000);
    assert.deepEqual(lines, [
      "restore X: 250 MB of 1.0 GB read, 50.0 MB/s, about 15 s left",
      "restore X: 1.0 GB of 1.0 GB read, 100 MB/s",
    ]);
  });
});
