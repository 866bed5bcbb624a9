import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { JoinProgress } from "../../../src/agent/join-progress.js";
import { folderBytes, formatBytes } from "../../../src/system/byte-sizes.js";

describe("join progress", () => {
  it("counts the bytes under a folder, hidden transfer folders included", () => {
    const dir = mkdtempSync(join(tmpdir(), "gp-progress-"));
    try {
      mkdirSync(join(dir, ".sst"));
      writeFileSync(join(dir, "a"), Buffer.alloc(1000));
      writeFileSync(join(dir, ".sst", "b"), Buffer.alloc(2500));
      assert.equal(folderBytes(dir), 3500);
      assert.equal(folderBytes(join(dir, "missing")), 0);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
  it("formats sizes for a person", () => {
    assert.deepEqual([0, 999, 12_345, 340_000_000, 1_234_000_000].map(formatBytes), [
      "0 B",
      "999 B",
      "12.3 kB",
      "340 MB",
      "1.2 GB",
    ]);
  });
  it("logs how long it has joined and how much the datadir grew, every interval, until stopped", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gp-progress-"));
    const lines: string[] = [];
    const progress = new JoinProgress(dir, (l) => lines.push(l), 100);
    try {
      progress.start();
      writeFileSync(join(dir, "ibdata1"), Buffer.alloc(5000));
      await sleep(250);
      progress.stop();
      const count = lines.length;
      await sleep(250);
      assert.equal(lines.length, count, "no line after stop()");
      assert.ok(count >= 1);
      assert.match(
        lines[0]!,
        /^joining for \d+ s: the datadir holds 5\.0 kB \(\+5\.0 kB in the last 0\.1 s\); \/ready answers 503 until synced$/,
      );
    } finally {
      progress.stop();
      rmSync(dir, { recursive: true });
    }
  });
});
