import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { whenRunnerGone } from "../../../src/agent/runner-watch.js";

describe("whenRunnerGone", () => {
  it("does nothing without an IPC channel (an agent under a scheduler or a shell)", () => {
    const owner = new EventEmitter() as EventEmitter & { channel?: { unref(): void } };
    let called = 0;
    assert.equal(
      whenRunnerGone(() => called++, owner),
      false,
    );
    owner.emit("disconnect");
    assert.equal(called, 0);
  });

  it("calls back once when the channel closes, and does not let the channel hold the process", () => {
    let unrefs = 0;
    const owner = Object.assign(new EventEmitter(), { channel: { unref: () => unrefs++ } });
    let called = 0;
    assert.equal(
      whenRunnerGone(() => called++, owner),
      true,
    );
    assert.equal(unrefs, 1);
    owner.emit("disconnect");
    owner.emit("disconnect");
    assert.equal(called, 1);
  });

  it("hears a parent killed with SIGKILL, in a real child", async () => {
    // parent (killed) -> child (watching): the child reports to this test over a file.
    const dir = mkdtempSync(join(tmpdir(), "gp-runner-watch-"));
    const watch = fileURLToPath(new URL("../../../src/agent/runner-watch.js", import.meta.url));
    const report = join(dir, "report");
    writeFileSync(
      join(dir, "child.mjs"),
      `import { writeFileSync } from "node:fs";
import { whenRunnerGone } from ${JSON.stringify(watch)};
whenRunnerGone(() => { writeFileSync(${JSON.stringify(report)}, "gone"); process.exit(0); });
setTimeout(() => process.exit(3), 20000);
`,
    );
    writeFileSync(
      join(dir, "parent.mjs"),
      `import { spawn } from "node:child_process";
spawn(process.execPath, [${JSON.stringify(join(dir, "child.mjs"))}], { stdio: ["ignore", "inherit", "inherit", "ipc"], detached: true });
setTimeout(() => process.kill(process.pid, "SIGKILL"), 300);
`,
    );
    try {
      const parent = spawn(process.execPath, [join(dir, "parent.mjs")], { stdio: "inherit" });
      await new Promise((resolve) => parent.once("exit", resolve));
      for (let i = 0; i < 100; i++) {
        try {
          assert.equal(readFileSync(report, "utf8"), "gone");
          return;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      assert.fail("the child did not hear, within 10 s, that its parent was killed");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
