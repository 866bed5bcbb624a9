import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  afterServerExit,
  describeExit,
  exitCodeOf,
  freshServerExitRecord,
  type ServerExit,
  type ServerExitRecord,
} from "../../../src/decide/server-exit.js";

const quickFailure: ServerExit = { exitCode: 1, signal: null, durationMs: 2_000, syncedSinceStart: false };

/** Feeds exits in order from a fresh record; the steps taken. */
function run(exits: readonly ServerExit[]): ReturnType<typeof afterServerExit>[] {
  let record: ServerExitRecord = freshServerExitRecord;
  return exits.map((exit) => {
    const next = afterServerExit(record, exit);
    record = next.record;
    return next;
  });
}

describe("afterServerExit", () => {
  it("a server that failed quickly once is started again after 1 s", () => {
    const [first] = run([quickFailure]);
    assert.deepEqual(first, {
      action: "restart",
      reason: "mariadbd exited with status 1; starting it again in 1 s",
      waitMs: 1000,
      record: { fastFailures: 1, nextInLineMs: 2000 },
    });
  });

  it("a server that failed quickly three times in a row, never synced, ends the agent with its status", () => {
    const steps = run([quickFailure, quickFailure, quickFailure]);
    assert.deepEqual(
      steps.map((s) => s.action),
      ["restart", "restart", "give-up"],
    );
    const last = steps[2]!;
    assert.equal(
      last.reason,
      "mariadbd failed 3 times in a row within 30 s of starting: giving up so the scheduler sees it; its log lines above say why",
    );
    assert.equal(last.action === "give-up" && last.exitCode, 1);
    // The record says how many: a supervisor that keeps it sees the count that ended the agent.
    assert.deepEqual(last.record, { fastFailures: 3, nextInLineMs: 4000 });
  });

  it("a crash killed by a signal ends the agent with 128 + the signal's number", () => {
    const killed: ServerExit = { ...quickFailure, exitCode: null, signal: "SIGSEGV" };
    const last = run([killed, killed, killed])[2]!;
    assert.equal(last.action === "give-up" && last.exitCode, 139);
  });

  it("a run just under 30 s counts as quick; one of 30 s resets the count", () => {
    const under = { ...quickFailure, durationMs: 29_999 };
    assert.equal(run([under, under, under])[2]!.action, "give-up");
    const reset = run([under, under, { ...quickFailure, durationMs: 30_000 }, under, under]);
    assert.deepEqual(
      reset.map((s) => s.record.fastFailures),
      [1, 2, 0, 1, 2],
    );
    assert.ok(reset.every((s) => s.action === "restart"));
  });

  it("a quick exit after the node synced resets the count: it worked, so it is restarted", () => {
    const steps = run([
      quickFailure,
      quickFailure,
      { ...quickFailure, syncedSinceStart: true },
      quickFailure,
    ]);
    assert.ok(steps.every((s) => s.action === "restart"));
    assert.equal(steps[2]!.record.fastFailures, 0);
  });

  it("waits 1, 2, 4 s between quick failures and 1 s again after a run of a minute", () => {
    const long: ServerExit = { ...quickFailure, durationMs: 60_000 };
    const waits = run([long, quickFailure, quickFailure, long]).map((s) =>
      s.action === "restart" ? s.waitMs : -1,
    );
    assert.deepEqual(waits, [1000, 2000, 4000, 1000]);
  });

  it("says how the server ended, and maps it to an exit code", () => {
    assert.equal(describeExit({ exitCode: null, signal: "SIGKILL" }), "was killed by SIGKILL");
    assert.equal(describeExit({ exitCode: 7, signal: null }), "exited with status 7");
    assert.equal(exitCodeOf({ exitCode: null, signal: "SIGKILL" }), 137);
    assert.equal(exitCodeOf({ exitCode: null, signal: "SIGUSR2" }), 129);
    assert.equal(exitCodeOf({ exitCode: null, signal: null }), 1);
    assert.equal(exitCodeOf({ exitCode: 0, signal: null }), 0);
  });

  it("gives up exactly when the last three exits were all quick and unsynced (property)", () => {
    const exit = fc.record({
      exitCode: fc.constantFrom(0, 1, 2, null),
      signal: fc.constantFrom(null, "SIGKILL", "SIGSEGV"),
      durationMs: fc.oneof(fc.nat(29_999), fc.integer({ min: 30_000, max: 600_000 })),
      syncedSinceStart: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(exit, { minLength: 1, maxLength: 12 }), (exits) => {
        // The agent stops at its first give-up: only the prefix up to it is ever fed.
        const steps = run(exits);
        const end = steps.findIndex((s) => s.action === "give-up");
        const fed = end < 0 ? steps.length : end + 1;
        for (let i = 0; i < fed; i++) {
          // Oracle: the three exits ending at i exist and none ran 30 s or synced.
          const window = exits.slice(Math.max(0, i - 2), i + 1);
          const expected =
            window.length === 3 && window.every((e) => e.durationMs < 30_000 && !e.syncedSinceStart);
          assert.equal(steps[i]!.action === "give-up", expected, `exit ${i}`);
          const s = steps[i]!;
          if (s.action === "restart") assert.ok(s.waitMs >= 1000 && s.waitMs <= 30_000);
        }
      }),
    );
  });
});
