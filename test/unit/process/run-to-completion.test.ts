import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runToCompletion } from "../../../src/process/child-exit.js";

describe("running a command to completion", () => {
  it("keeps the last output of a child that prints and exits at once, even twenty side by side", async () => {
    // Before: "exit" was taken for the end, and most of these read as silent.
    for (let round = 0; round < 5; round++) {
      const runs = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          runToCompletion("/bin/sh", ["-c", `printf 'line of %s\\n' "$0"`, String(i)]),
        ),
      );
      runs.forEach((run, i) => {
        assert.equal(run.exitCode, 0);
        assert.equal(run.stdout, `line of ${i}\n`, `round ${round}, child ${i}`);
      });
    }
  });

  it("keeps what the child wrote on stderr too", async () => {
    const run = await runToCompletion("/bin/sh", ["-c", "printf 'on stderr\\n' >&2; exit 1"]);
    assert.equal(run.exitCode, 1);
    assert.equal(run.stderr, "on stderr\n");
  });

  it("does not wait for a grandchild that keeps the output open longer than the drain bound", async () => {
    const started = Date.now();
    const run = await runToCompletion("/bin/sh", ["-c", "echo done; (sleep 4 &) ; exit 3"]);
    assert.equal(run.exitCode, 3);
    assert.equal(run.stdout, "done\n");
    assert.ok(Date.now() - started < 10_000, "bounded by the drain time, not the grandchild");
  });

  it("a command that does not exist ends as exit 127 with the spawn error", async () => {
    const run = await runToCompletion("/nonexistent/command", []);
    assert.equal(run.exitCode, 127);
    assert.match(run.stderr, /ENOENT/);
  });
});
