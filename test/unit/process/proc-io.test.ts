import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { bytesReadBy } from "../../../src/process/proc-io.js";

describe("bytesReadBy", () => {
  it("counts what a running child read from its stdin (and a little more), and is null once it is gone", async () => {
    // cat keeps running, its stdin open, after it read the megabyte.
    const child = spawn("cat", [], { stdio: ["pipe", "ignore", "ignore"] });
    try {
      child.stdin.write(Buffer.alloc(1_000_000));
      const deadline = Date.now() + 5000;
      while ((bytesReadBy(child.pid) ?? 0) < 1_000_000 && Date.now() < deadline) await sleep(20);
      const read = bytesReadBy(child.pid);
      assert.ok(read !== null && read >= 1_000_000 && read < 1_100_000, `read ${read}`);
    } finally {
      child.kill("SIGKILL");
      await once(child, "exit");
    }
    assert.equal(bytesReadBy(child.pid), null);
    assert.equal(bytesReadBy(undefined), null);
  });
});
