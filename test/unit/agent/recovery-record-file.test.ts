import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readRecoveryRecord, writeRecoveryRecord } from "../../../src/agent/recovery-record-file.js";
import {
  emptyRecord,
  withDecision,
  withIntent,
  withServerExit,
} from "../../../src/decide/recovery-record.js";

const now = Date.parse("2026-12-06T20:14:03.123Z");

async function withRunDir(check: (runDir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "gp-recovery-record-"));
  try {
    await check(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A record with something in every field. */
const full = withServerExit(
  withIntent(
    withDecision(
      emptyRecord("n1"),
      { action: "wait", reason: "waiting: 2 of 3 members reported" },
      now - 900,
    ),
    now - 100,
  ),
  { fastFailures: 2, nextInLineMs: 4000 },
  now - 3000,
);

describe("the recovery record's file", () => {
  it("reads back what was written, with the time of the write", async () => {
    await withRunDir(async (runDir) => {
      writeRecoveryRecord(runDir, full, now);
      assert.deepEqual(await readRecoveryRecord(runDir), { ...full, writtenAt: now });
    });
  });

  it("is recovery-record.json in the run directory, readable by all (it holds no secret)", async () => {
    await withRunDir(async (runDir) => {
      writeRecoveryRecord(runDir, full, now);
      const path = join(runDir, "recovery-record.json");
      assert.equal(statSync(path).mode & 0o777, 0o644);
      assert.equal(JSON.parse(readFileSync(path, "utf8")).node, "n1");
    });
  });

  it("leaves no temporary file behind, and a temporary file a killed agent left is taken over", async () => {
    await withRunDir(async (runDir) => {
      writeFileSync(join(runDir, "recovery-record.json.tmp"), '{"version":1,"no', { mode: 0o600 });
      writeRecoveryRecord(runDir, full, now);
      writeRecoveryRecord(runDir, withIntent(full, null), now + 50);
      assert.deepEqual(readdirSync(runDir), ["recovery-record.json"]);
      assert.equal(statSync(join(runDir, "recovery-record.json")).mode & 0o777, 0o644);
      assert.deepEqual(await readRecoveryRecord(runDir), { ...withIntent(full, null), writtenAt: now + 50 });
    });
  });

  it("is null when there is none (a first start)", async () => {
    await withRunDir(async (runDir) => {
      assert.equal(await readRecoveryRecord(runDir), null);
      assert.equal(await readRecoveryRecord(join(runDir, "not-created-yet")), null);
    });
  });

  it("a torn file is a problem to report, not a crash", async () => {
    await withRunDir(async (runDir) => {
      writeFileSync(join(runDir, "recovery-record.json"), '{"version":1,"node":"n1","decis');
      const read = await readRecoveryRecord(runDir);
      assert.ok(read !== null && "problem" in read);
      assert.match(read.problem, /^not JSON \(/);
      writeFileSync(join(runDir, "recovery-record.json"), "");
      assert.deepEqual(await readRecoveryRecord(runDir), { problem: "the file is empty" });
    });
  });

  it("a record of another version is a problem naming it (the schema's own test has the others)", async () => {
    await withRunDir(async (runDir) => {
      writeFileSync(join(runDir, "recovery-record.json"), JSON.stringify({ ...full, version: 2 }));
      assert.deepEqual(await readRecoveryRecord(runDir), {
        problem: "a recovery record whose version is 2, not 1",
      });
    });
  });

  it("a record that cannot be read at all is a problem too, saying what the file system said", async () => {
    await withRunDir(async (runDir) => {
      // Whoever runs the test reads any file as root: a directory in the way fails for all.
      mkdirSync(join(runDir, "recovery-record.json"));
      const read = await readRecoveryRecord(runDir);
      assert.ok(read !== null && "problem" in read);
      assert.match(read.problem, /^EISDIR/);
    });
  });

  it("a write that fails throws and leaves the old record as it was", async () => {
    await withRunDir(async (runDir) => {
      writeRecoveryRecord(runDir, full, now);
      // The temporary file cannot be created: a directory of that name is in the way.
      mkdirSync(join(runDir, "recovery-record.json.tmp"));
      assert.throws(() => writeRecoveryRecord(runDir, emptyRecord("n1"), now + 50), /EISDIR/);
      assert.deepEqual(await readRecoveryRecord(runDir), { ...full, writtenAt: now });
    });
  });
});
