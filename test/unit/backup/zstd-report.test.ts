import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { zstdTotals } from "../../../src/backup/zstd-report.js";

describe("zstd's totals", () => {
  it("reads the exact byte counts of its last totals line", () => {
    const stderr = [
      "*** Zstandard CLI (64-bit) v1.5.4, by Yann Collet ***",
      "Using stdin for input ",
      "Decompression will require 524288 B of memory",
      "/*stdin*\\            : 48.12%   (1288490188 B =>  620021341 B, /*stdout*\\) ",
      "/*stdin*\\            : Completed in 4.12 sec  (cpu load : 180%)",
      "",
    ].join("\n");
    assert.deepEqual(zstdTotals(stderr), { read: 1288490188, written: 620021341 });
  });

  it("is null when zstd printed none (a rounded line, a quiet zstd)", () => {
    assert.equal(zstdTotals("/*stdin*\\ : 48.12%   (  1.20 GiB =>    591 MiB, /*stdout*\\) \n"), null);
    assert.equal(zstdTotals(""), null);
  });

  it("reads what this machine's zstd -vv prints, threads or not", () => {
    const input = Buffer.alloc(3_000_123, "galera ");
    for (const threads of ["-T1", "-T2"]) {
      const run = spawnSync("zstd", ["-vv", "-1", threads, "-c"], { input, maxBuffer: 1 << 26 });
      assert.equal(run.status, 0, run.stderr.toString());
      assert.deepEqual(zstdTotals(run.stderr.toString()), { read: input.length, written: run.stdout.length });
    }
  });
});
