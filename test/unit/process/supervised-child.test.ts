import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import type { BackoffPolicy } from "../../../src/decide/restart-backoff.js";
import type { ChildExit } from "../../../src/process/child-exit.js";
import { SupervisedChild, type SupervisedChildOptions } from "../../../src/process/supervised-child.js";

/** restart-backoff.ts's shape, in tenths of a second: 0.1 s, doubling to 0.4 s, healthy after 1.5 s. */
const policy: BackoffPolicy = { initialMs: 100, maxMs: 400, healthyRunMs: 1500 };

/** Real short-lived children: `node -e SCRIPT`, the script chosen per run (0 = the first). */
function supervise(
  script: string | ((run: number) => string),
  overrides: Partial<SupervisedChildOptions> = {},
): {
  supervised: SupervisedChild;
  lines: string[];
  spawns: { at: number; child: ChildProcess }[];
  exits: { at: number; exit: ChildExit }[];
} {
  const lines: string[] = [];
  const spawns: { at: number; child: ChildProcess }[] = [];
  const exits: { at: number; exit: ChildExit }[] = [];
  let run = 0;
  const supervised = new SupervisedChild({
    name: "child",
    spawn: () =>
      spawn(process.execPath, ["-e", typeof script === "string" ? script : script(run++)], {
        stdio: ["ignore", "pipe", "inherit"],
        detached: overrides.processGroup ?? false,
      }),
    policy,
    log: (line) => lines.push(line),
    stopTimeoutMs: 5000,
    onSpawn: (child) => spawns.push({ at: Date.now(), child }),
    onExit: (exit) => exits.push({ at: Date.now(), exit }),
    ...overrides,
  });
  running.push(supervised);
  return { supervised, lines, spawns, exits };
}

const running: SupervisedChild[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

async function until(what: string, predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await sleep(5);
  }
}

/** The child's first line on stdout (it says so once its handlers are in place). */
async function firstLine(child: ChildProcess): Promise<string> {
  const [chunk] = (await once(child.stdout!, "data")) as [Buffer];
  return chunk.toString().trim();
}

/** Not running: no such process, or a zombie its new parent has yet to reap. */
function gone(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}

const forever = "setInterval(() => {}, 1000);";
const ignoresSigterm = `process.on("SIGTERM", () => {}); console.log("ready"); ${forever}`;

describe("SupervisedChild (one child kept running, restarted with backoff)", () => {
  it("starts the child again after the policy's first wait, saying how it ended and the wait", async () => {
    const { supervised, lines, spawns, exits } = supervise("process.exit(3)");
    supervised.start();
    await until("a second run", () => spawns.length >= 2);
    assert.equal(lines[0], "child exited with status 3; restarting in 0.1 s");
    assert.deepEqual(exits[0]!.exit.exitCode, 3);
    const waited = spawns[1]!.at - exits[0]!.at;
    assert.ok(waited >= 95, `restarted ${waited} ms after the exit`);
    assert.ok(supervised.restarts >= 1);
  });

  it("doubles the wait after each quick exit, up to the policy's maximum", async () => {
    const { supervised, lines, spawns, exits } = supervise("process.exit(1)");
    supervised.start();
    await until("four restarts", () => spawns.length >= 5, 10_000);
    await supervised.stop();
    assert.deepEqual(lines.slice(0, 4), [
      "child exited with status 1; restarting in 0.1 s",
      "child exited with status 1; restarting in 0.2 s",
      "child exited with status 1; restarting in 0.4 s",
      "child exited with status 1; restarting in 0.4 s",
    ]);
    for (const [i, wait] of [100, 200, 400, 400].entries()) {
      const waited = spawns[i + 1]!.at - exits[i]!.at;
      assert.ok(
        waited >= wait - 5,
        `run ${i + 2} started ${waited} ms after exit ${i + 1}, not before ${wait}`,
      );
    }
    assert.equal(supervised.restarts, 4);
  });

  it("waits the first wait again after a run as long as the policy's healthy run", async () => {
    const { supervised, lines } = supervise((run) =>
      run === 2 ? "setTimeout(() => process.exit(2), 1700);" : "process.exit(1)",
    );
    supervised.start();
    await until("four exits", () => lines.length >= 4, 10_000);
    await supervised.stop();
    assert.deepEqual(lines.slice(0, 4), [
      "child exited with status 1; restarting in 0.1 s",
      "child exited with status 1; restarting in 0.2 s",
      "child exited with status 2; restarting in 0.1 s",
      "child exited with status 1; restarting in 0.2 s",
    ]);
  });

  it("never starts the child again when stopped during the wait before a restart", async () => {
    const { supervised, lines, spawns } = supervise("process.exit(1)");
    supervised.start();
    await until("the restart line", () => lines.length === 1);
    assert.equal(await supervised.stop(), null, "no child ran to be stopped");
    await sleep(policy.maxMs + 200);
    assert.equal(spawns.length, 1);
    assert.equal(supervised.child, null);
    assert.equal(supervised.held, true);
    assert.equal(supervised.restarts, 0);
  });

  it("stops a running child with SIGTERM, says nothing and does not start it again", async () => {
    const { supervised, lines, spawns, exits } = supervise(`console.log("ready"); ${forever}`);
    supervised.start();
    assert.equal(await firstLine(spawns[0]!.child), "ready");
    const exit = await supervised.stop();
    assert.equal(exit?.signal, "SIGTERM");
    assert.equal(exit?.forcedKill, false);
    assert.equal(exits.length, 1, "onExit is told of an exit it asked for too");
    await sleep(policy.maxMs + 100);
    assert.deepEqual(lines, []);
    assert.equal(spawns.length, 1);
  });

  it("kills a child that ignores SIGTERM once the stop timeout has passed", async () => {
    const { supervised, spawns } = supervise(ignoresSigterm, { stopTimeoutMs: 200 });
    supervised.start();
    assert.equal(await firstLine(spawns[0]!.child), "ready");
    const started = Date.now();
    const exit = await supervised.stop();
    assert.equal(exit?.signal, "SIGKILL");
    assert.equal(exit?.forcedKill, true);
    assert.ok(Date.now() - started >= 190, "SIGKILL only after the timeout");
    assert.equal(supervised.child, null);
  });

  it("without a stop timeout, sends SIGTERM only and waits for the child to end its own stop", async () => {
    const { supervised, spawns } = supervise(
      `process.on("SIGTERM", () => setTimeout(() => process.exit(0), 300)); console.log("ready"); ${forever}`,
      { stopTimeoutMs: null },
    );
    supervised.start();
    assert.equal(await firstLine(spawns[0]!.child), "ready");
    const started = Date.now();
    const exit = await supervised.stop();
    assert.equal(exit?.exitCode, 0, "it finished its stop: no SIGKILL");
    assert.equal(exit?.forcedKill, false);
    assert.ok(Date.now() - started >= 290);
  });

  it("kill() is a crash: SIGKILL, then a restart after the wait", async () => {
    const { supervised, lines, spawns } = supervise(`console.log("ready"); ${forever}`);
    supervised.start();
    await firstLine(spawns[0]!.child);
    const exit = await supervised.kill();
    assert.equal(exit?.signal, "SIGKILL");
    await until("a second run", () => spawns.length === 2);
    assert.deepEqual(lines, ["child was killed by SIGKILL; restarting in 0.1 s"]);
    assert.equal(supervised.restarts, 1);
  });

  it("kill({ restart: false }) keeps it down, and SIGKILLs the child's process group with processGroup", async () => {
    const { supervised, lines, spawns } = supervise(
      `const c = require("node:child_process").spawn(process.execPath, ["-e", "${forever}"], { stdio: "ignore" }); console.log(c.pid); ${forever}`,
      { processGroup: true },
    );
    supervised.start();
    const grandchild = Number(await firstLine(spawns[0]!.child));
    assert.ok(grandchild > 0);
    const exit = await supervised.kill({ restart: false });
    assert.equal(exit?.signal, "SIGKILL");
    await until("the grandchild is gone", () => gone(grandchild));
    await sleep(policy.initialMs + 100);
    assert.deepEqual(lines, []);
    assert.equal(spawns.length, 1);
    assert.equal(supervised.held, true);
  });

  it("start() during the wait starts the child at once, and only once; a second start() leaves it be", async () => {
    const { supervised, spawns } = supervise((run) => (run === 0 ? "process.exit(1)" : forever), {
      policy: { initialMs: 5000, maxMs: 5000, healthyRunMs: 60_000 },
    });
    supervised.start();
    await until("the first exit", () => supervised.child === null);
    await sleep(20);
    const asked = Date.now();
    supervised.start();
    supervised.start();
    assert.equal(spawns.length, 2);
    assert.ok(spawns[1]!.at - asked < 1000);
    assert.equal(supervised.restarts, 0, "a start asked for is not a restart");
  });

  it("leaves the child down when the owner's mayRestart says no, telling onExit all the same", async () => {
    let allowed = false;
    const { supervised, lines, spawns, exits } = supervise("process.exit(4)", { mayRestart: () => allowed });
    supervised.start();
    await until("the exit", () => exits.length === 1);
    await sleep(policy.initialMs + 100);
    assert.deepEqual(lines, []);
    assert.equal(spawns.length, 1);
    assert.equal(supervised.held, false);
    allowed = true;
    supervised.start();
    await until("the restart line", () => lines.length === 1);
    // Asked again when the wait ends.
    allowed = false;
    await sleep(policy.initialMs + 100);
    assert.equal(spawns.length, 2);
  });

  it("logs the owner's restart line when it gives one", async () => {
    const { supervised, lines } = supervise("process.exit(5)", {
      restartLine: (exit, waitMs) => `n1: status ${exit.exitCode}, again in ${waitMs} ms`,
    });
    supervised.start();
    await until("the restart line", () => lines.length === 1);
    assert.deepEqual(lines, ["n1: status 5, again in 100 ms"]);
  });
});
