import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RecoveryRecordKeeper } from "../../../src/agent/recovery-record-keeper.js";
import { runPaths } from "../../../src/agent/run-paths.js";
import type { Logger } from "../../../src/logger.js";

function logger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
  };
}
const wait = { action: "wait" as const, reason: "waiting: 2 of 3 members reported", at: 1_000 };

describe("the agent's keeper of its recovery record", () => {
  it("writes each new decision and intent, resumes them after a restart, and never resumes the intent's time", async () => {
    const runDir = mkdtempSync(join(tmpdir(), "gp-keeper-"));
    try {
      const first = new RecoveryRecordKeeper(runDir, "n1", logger());
      assert.equal((await first.resume(10_000)).fastFailures, 0);
      first.turnChanged({ decision: wait, intent: null, loggedAt: 1_000 });
      first.turnChanged({ decision: wait, intent: { at: 2_000, whileRunning: false }, loggedAt: 1_000 });
      first.serverExited({ fastFailures: 2, nextInLineMs: 4_000 }, Date.now());
      const saved = JSON.parse(readFileSync(runPaths(runDir).recoveryRecord, "utf8"));
      assert.deepEqual(saved.decisions, [{ action: "wait", reason: wait.reason, at: 1_000 }]);
      assert.equal(saved.intentAnnouncedAt, 2_000);

      const log = logger();
      const exits = await new RecoveryRecordKeeper(runDir, "n1", log).resume();
      assert.deepEqual(exits, { fastFailures: 2, nextInLineMs: 4_000 }, "a crash loop under way is resumed");
      assert.equal(log.lines.length, 1);
      assert.match(
        log.lines[0]!,
        /^info resumed the recovery record written [\d.]+ s ago: last decision wait: waiting: 2 of 3 members reported; /,
      );
      assert.match(
        log.lines[0]!,
        /it had announced a bootstrap at .* before its restart: the announcement is made again and settles anew/,
      );
    } finally {
      rmSync(runDir, { recursive: true, force: true });
    }
  });

  it("an unchanged turn writes nothing", async () => {
    const runDir = mkdtempSync(join(tmpdir(), "gp-keeper-"));
    try {
      const keeper = new RecoveryRecordKeeper(runDir, "n1", logger());
      await keeper.resume();
      keeper.turnChanged({ decision: null, intent: null, loggedAt: null });
      assert.throws(() => readFileSync(runPaths(runDir).recoveryRecord), /ENOENT/);
    } finally {
      rmSync(runDir, { recursive: true, force: true });
    }
  });

  it("a run directory it cannot write to is said once, and the agent goes on", async () => {
    const parent = mkdtempSync(join(tmpdir(), "gp-keeper-"));
    const notADirectory = join(parent, "file");
    writeFileSync(notADirectory, "");
    try {
      const log = logger();
      const keeper = new RecoveryRecordKeeper(notADirectory, "n1", log);
      keeper.turnChanged({ decision: wait, intent: null, loggedAt: 1_000 });
      keeper.turnChanged({
        decision: { ...wait, reason: "another", at: 2_000 },
        intent: null,
        loggedAt: 2_000,
      });
      assert.equal(log.lines.length, 1);
      assert.match(
        log.lines[0]!,
        /^warn could not write the recovery record \(.*\): the agent goes on, but a restart of it would not resume this recovery's history; check that the run directory .* is writable$/,
      );
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
