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

  it("a record of another version, or with a field of the wrong kind, is a problem naming it", async () => {
    await withRunDir(async (runDir) => {
      const path = join(runDir, "recovery-record.json");
      writeFileSync(path, JSON.stringify({ ...full, version: 2 }));
      assert.deepEqual(await readRecoveryRecord(runDir), {
        problem: "a recovery record whose version is 2, not 1",
      });
      writeFileSync(
        path,
        JSON.stringify({ ...full, serverExits: { ...full.serverExits, fastFailures: "2" } }),
      );
      assert.deepEqual(await readRecoveryRecord(runDir), {
        problem: 'a recovery record whose serverExits.fastFailures is "2", not a whole number',
      });
      writeFileSync(path, JSON.stringify({ ...full, decisions: undefined }));
      assert.deepEqual(await readRecoveryRecord(runDir), { problem: "a recovery record without decisions" });
      writeFileSync(path, "[]");
      assert.deepEqual(await readRecoveryRecord(runDir), { problem: "a list, not a recovery record" });
    });
  });

  it(
    "a file it may not read is a problem too",
    { skip: process.getuid?.() === 0 && "root reads any file" },
    async () => {
      await withRunDir(async (runDir) => {
        writeFileSync(join(runDir, "recovery-record.json"), JSON.stringify(full), { mode: 0o000 });
        const read = await readRecoveryRecord(runDir);
        assert.ok(read !== null && "problem" in read);
        assert.match(read.problem, /EACCES/);
      });
    },
  );

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
