import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkFreeSpace, checkWritable, parseGaleraSize } from "../../../src/agent/preflight.js";
import { BadInputError } from "../../../src/errors.js";

void describe("parseGaleraSize", () => {
  void it("reads Galera's sizes", () => {
    assert.equal(parseGaleraSize("128M"), 128 * 1024 * 1024);
    assert.equal(parseGaleraSize("1g"), 1024 * 1024 * 1024);
    assert.equal(parseGaleraSize("4096"), 4096);
    assert.equal(parseGaleraSize("lots"), null);
  });
});

void describe("checkFreeSpace", () => {
  void it("asks for more than any file system holds when gcache.size is absurd, in one line", (t) => {
    const dir = mkdtempSync(join(tmpdir(), "gp-preflight-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    assert.throws(
      () => checkFreeSpace(join(dir, "data"), { empty: true, gcachePresent: false }, 2 ** 60),
      (error: unknown) =>
        error instanceof BadInputError &&
        /MiB free, and this start needs \d+ MiB \(128 MiB for the system tables, \d+ MiB for Galera's gcache, 32 MiB spare\)/.test(
          error.message,
        ) &&
        !error.message.includes("\n"),
    );
  });

  void it("passes where the space is there", () => {
    checkFreeSpace(tmpdir(), { empty: false, gcachePresent: true }, 0);
  });
});

void describe("checkWritable", () => {
  void it("walks up from an absent datadir to the folder it would be created in", () => {
    checkWritable(join(tmpdir(), "gp-absent", "deeper"), "datadir", "GALERA_PILOT_DATADIR");
  });
});
