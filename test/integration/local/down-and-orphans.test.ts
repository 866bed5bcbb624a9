import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { makeStateDir, sql } from "../../support/local-cluster-harness.js";
import { startLocalRunner, type LocalRunner } from "../../support/local-runner.js";
import { runCli } from "../../support/run-cli.js";
import {
  grastate,
  listing,
  processesOf,
  stillRunning,
  type FolderProcess,
} from "../../support/cluster-processes.js";

/**
 * `galera-pilot down` waits until everything of the cluster stopped and says so in its
 * exit status; a runner killed with SIGKILL leaves nothing running (its agents and HAProxy
 * stop by themselves, every mariadbd cleanly); leftovers of a runner whose agents could not
 * notice are stopped by the next `local up`, and nothing that is not provably the folder's
 * is touched. Addresses 127.0.29.x (DEVELOPERS.md).
 */
const routerAddress = "127.0.29.1";
const firstAddress = "127.0.29.2";
const nodes = ["n1", "n2", "n3"] as const;

/** The row every scenario writes before its stop, and reads back after. */
const writeRow = async (stateDir: string, id: number): Promise<void> => {
  await sql(
    join(stateDir, "n1", "run", "mysqld.sock"),
    "CREATE DATABASE IF NOT EXISTS t",
    "CREATE TABLE IF NOT EXISTS t.rows (id INT PRIMARY KEY)",
    `INSERT INTO t.rows VALUES (${id})`,
  );
};
const rowsOn = async (stateDir: string, node: string): Promise<number[]> =>
  (
    await sql(
      join(stateDir, node, "run", "mysqld.sock"),
      "SET SESSION wsrep_sync_wait=1",
      "SELECT id FROM t.rows ORDER BY id",
    )
  ).map((r) => Number(r["id"]));

/** The exit code of a child that has exited (its exit event may not have been handled yet). */
const exitOf = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => child.once("exit", (code) => resolve(code)));

/** Waits until nothing of the folder runs; how long it took, or throws listing what still runs. */
async function nothingRuns(stateDir: string, timeoutMs: number, what: string): Promise<number> {
  const startedAt = Date.now();
  for (;;) {
    const left = processesOf(stateDir);
    if (left.length === 0) return Date.now() - startedAt;
    if (Date.now() - startedAt > timeoutMs) {
      assert.fail(`${what}: still running after ${timeoutMs / 1000} s:\n${listing(left)}`);
    }
    await sleep(250);
  }
}

/** Every node's grastate.dat says it stopped cleanly: a real seqno, not -1. */
function assertCleanStops(stateDir: string): void {
  for (const node of nodes) {
    const state = grastate(join(stateDir, node, "data"));
    assert.notEqual(state.seqno, -1, `${node} stopped cleanly (grastate.dat seqno is not -1)`);
    assert.ok(state.seqno > 0, `${node}'s grastate.dat holds the last committed seqno, got ${state.seqno}`);
    assert.notEqual(state.uuid, "00000000-0000-0000-0000-000000000000", `${node} keeps its cluster UUID`);
  }
}

/** Last resort after a failed scenario: stop what is left with the product's own `down`. */
async function cleanUp(stateDir: string, runner: LocalRunner | undefined): Promise<void> {
  if (runner && runner.child.exitCode === null && runner.child.signalCode === null) await runner.stop();
  if (processesOf(stateDir).length > 0) await runCli(["down", "--state-dir", stateDir], {}, 400_000);
  const left = processesOf(stateDir);
  if (left.length > 0) console.error(`left running by ${stateDir}:\n${listing(left)}`);
}

const flagsFor = (stateDir: string): string[] => [
  "--state-dir",
  stateDir,
  "--first-address",
  firstAddress,
  "--router-address",
  routerAddress,
];

// One state folder for the three stories, one after the other: only the first start
// initialises datadirs (the slow part); each story adds its own row and finds all before it.
const sharedStateDir = makeStateDir("down-and-orphans");

describe("given `local up` in the foreground, when `galera-pilot down` runs", { timeout: 900_000 }, () => {
  const stateDir = sharedStateDir;
  let runner: LocalRunner | undefined;
  const cli = (...args: string[]) => runCli([...args, "--state-dir", stateDir], {}, 700_000);

  before(async () => {
    runner = await startLocalRunner(flagsFor(stateDir));
    await writeRow(stateDir, 1);
  });
  after(() => cleanUp(stateDir, runner));

  it("then it returns only once every agent, mariadbd, HAProxy and the runner stopped, with progress lines, and exits 0", async () => {
    const startedAt = Date.now();
    const down = await cli("down");
    const tookMs = Date.now() - startedAt;
    const left = processesOf(stateDir);
    assert.equal(
      left.length,
      0,
      `right after down returned, still running:\n${listing(left)}\n${down.stdout}`,
    );
    assert.equal(down.exitCode, 0, down.stderr);
    assert.match(down.stdout, /^down: \d+ s, still running: n3 \(agent \d+, mariadbd \d+\), n2 .*haproxy/m);
    assert.match(
      down.stdout,
      /^down: stopped after [\d.]+ s: n1, n2, n3 \(agents and mariadbd\) and HAProxy/m,
    );
    assert.equal(await exitOf(runner!.child), 0, runner!.output());
    assertCleanStops(stateDir);
    console.log(`down waited ${(tookMs / 1000).toFixed(1)} s:\n${down.stdout}`);
  });

  it("when a node cannot stop in time, then down exits 1 naming it, and down again waits for the rest", async () => {
    runner = await startLocalRunner(flagsFor(stateDir));
    assert.deepEqual(await rowsOn(stateDir, "n3"), [1], "the row written before down is back");
    // n3 is stopped first; its mariadbd, paused, cannot act on SIGTERM until it is resumed.
    const n3 = Number(readFileSync(join(stateDir, "n3", "run", "mysqld.pid"), "utf8").trim());
    process.kill(n3, "SIGSTOP");
    try {
      const down = await cli("down", "--timeout", "8");
      assert.equal(down.exitCode, 1, `${down.stdout}\n${down.stderr}`);
      const errors = down.stderr.trim().split("\n");
      assert.equal(errors.length, 1, `one line: ${down.stderr}`);
      assert.match(
        errors[0]!,
        new RegExp(
          `^galera-pilot: the local cluster did not stop within 8 s: still running: n3 \\(agent \\d+, mariadbd ${n3}\\).*; this command killed nothing, so no acknowledged write is at risk; the runner goes on stopping them cleanly .*run \`galera-pilot down\` again`,
        ),
      );
    } finally {
      process.kill(n3, "SIGCONT");
    }
    const again = await cli("down");
    assert.equal(again.exitCode, 0, `${again.stdout}\n${again.stderr}`);
    assert.equal(processesOf(stateDir).length, 0, listing(processesOf(stateDir)));
    assertCleanStops(stateDir);
  });

  it("when nothing runs, then down says so and exits 0; --no-wait keeps the old answer", async () => {
    const down = await cli("down");
    assert.equal(down.exitCode, 0, down.stderr);
    assert.match(down.stdout, /is not running: nothing to stop/);
    const noWait = await cli("down", "--no-wait");
    assert.equal(noWait.exitCode, 2);
    assert.match(noWait.stderr, /^galera-pilot: the local cluster is not running/);
  });
});

describe("given `local up`, when its runner is killed with SIGKILL", { timeout: 900_000 }, () => {
  const stateDir = sharedStateDir;
  let runner: LocalRunner | undefined;
  before(async () => {
    runner = await startLocalRunner(flagsFor(stateDir));
    await writeRow(stateDir, 2);
  });
  after(() => cleanUp(stateDir, runner));

  it("then a second `local up` on the same folder is refused while the first runs", async () => {
    const second = await runCli(["local", "up", ...flagsFor(stateDir)], {}, 60_000);
    assert.equal(second.exitCode, 2, `${second.stdout}\n${second.stderr}`);
    assert.match(
      second.stderr,
      new RegExp(
        `^galera-pilot: a runner already runs the local cluster of ${stateDir} \\(pid ${runner!.child.pid}\\)`,
      ),
    );
    const status = JSON.parse((await runCli(["status", "--json", "--state-dir", stateDir], {})).stdout) as {
      nodes: { phase: string }[];
    };
    assert.deepEqual(
      status.nodes.map((n) => n.phase),
      ["synced", "synced", "synced"],
    );
  });

  it("then its agents and HAProxy stop by themselves, every mariadbd cleanly", async () => {
    const before = processesOf(stateDir);
    assert.ok(before.length >= 7, `runner, 3 agents, 3 mariadbd, haproxy:\n${listing(before)}`);
    runner!.child.kill("SIGKILL");
    const tookMs = await nothingRuns(stateDir, 90_000, "after SIGKILL of the runner");
    console.log(`everything stopped ${(tookMs / 1000).toFixed(1)} s after SIGKILL of the runner`);
    assertCleanStops(stateDir);
    for (const node of nodes) {
      const log = readFileSync(join(stateDir, node, "agent.log"), "utf8");
      assert.match(log, /the local runner that started this agent is gone \(its IPC channel closed\)/);
      assert.match(log, /mariadbd left the cluster and exited cleanly/);
    }
  });

  it("then the next `local up` brings every acknowledged write back", async () => {
    runner = await startLocalRunner(flagsFor(stateDir));
    for (const node of nodes)
      assert.deepEqual(await rowsOn(stateDir, node), [1, 2], `${node} holds the rows`);
    const down = await runCli(["down", "--state-dir", stateDir], {}, 700_000);
    assert.equal(down.exitCode, 0, down.stderr);
  });
});

describe(
  "given leftovers of a runner whose agents and HAProxy could not notice it was killed",
  { timeout: 900_000 },
  () => {
    const stateDir = sharedStateDir;
    const script = fileURLToPath(new URL("../../support/leftover-runner.js", import.meta.url));
    let leftoverRunner: ChildProcess | undefined;
    let decoy: ChildProcess | undefined;
    let runner: LocalRunner | undefined;
    let leftovers: FolderProcess[] = [];
    const elsewhere = mkdtempSync(join(tmpdir(), "gp-decoy-"));

    before(async () => {
      leftoverRunner = spawn(process.execPath, [script, stateDir, firstAddress, routerAddress], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      leftoverRunner.stdout!.on("data", (c: Buffer) => (output += c.toString()));
      leftoverRunner.stderr!.on("data", (c: Buffer) => (output += c.toString()));
      for (const deadline = Date.now() + 300_000; !/^synced$/m.test(output); await sleep(250)) {
        if (Date.now() > deadline || leftoverRunner.exitCode !== null) {
          throw new Error(`the leftover runner did not sync:\n${output}`);
        }
      }
      await writeRow(stateDir, 3);
      // Not the folder's: an agent-like process of another folder, whose pid a stale pid file
      // of this folder names (as after a reboot, or pid reuse).
      writeFileSync(join(elsewhere, "main.js"), "setInterval(() => undefined, 1000);\n");
      decoy = spawn(process.execPath, [join(elsewhere, "main.js"), "node", "127.0.29.99"], {
        env: {
          GALERA_PILOT_DATADIR: join(elsewhere, "n1", "data"),
          GALERA_PILOT_RUN_DIR: join(elsewhere, "n1", "run"),
        },
        stdio: "ignore",
      });
      leftoverRunner.kill("SIGKILL");
      await new Promise((resolve) => leftoverRunner!.once("exit", resolve));
      writeFileSync(join(stateDir, "n1", "agent.pid"), `${decoy.pid}\n`);
    });

    after(async () => {
      decoy?.kill("SIGKILL");
      leftoverRunner?.kill("SIGKILL");
      await cleanUp(stateDir, runner);
      rmSync(elsewhere, { recursive: true, force: true });
    });

    it("then they run on after their runner is gone (what the next start must deal with)", async () => {
      await sleep(3000);
      leftovers = processesOf(stateDir);
      const kinds = leftovers.map((p) => p.argv.join(" "));
      assert.equal(
        kinds.filter((a) => /main\.js node /.test(a)).length,
        3,
        `3 agents:\n${listing(leftovers)}`,
      );
      assert.equal(
        kinds.filter((a) => /--defaults-file=/.test(a)).length,
        3,
        `3 mariadbd:\n${listing(leftovers)}`,
      );
      assert.ok(
        kinds.some((a) => /haproxy.* -f /.test(a)),
        `haproxy:\n${listing(leftovers)}`,
      );
    });

    it("when `local up` starts on that folder, then it stops them cleanly, says so, and leaves other processes alone", async () => {
      runner = await startLocalRunner(flagsFor(stateDir));
      const output = runner.output();
      for (const node of nodes) {
        assert.match(
          output,
          new RegExp(
            `\\[local\\] ${node}: a leftover agent \\(pid \\d+\\) of this state folder runs, from a runner that is gone: stopping it cleanly`,
          ),
        );
      }
      assert.ok(
        output.indexOf("n3: a leftover agent") < output.indexOf("n1: a leftover agent"),
        "the last node first, n1 last",
      );
      assert.match(output, /\[local\] n1: the leftover agent stopped after [\d.]+ s/);
      assert.match(output, /\[local\] a leftover haproxy \(pid \d+\) of this state folder runs: stopping it/);
      const survivors = leftovers.filter(stillRunning);
      assert.equal(survivors.length, 0, `leftovers still running:\n${listing(survivors)}`);
      assert.equal(
        decoy!.exitCode,
        null,
        "the process a stale pid file named, of another folder, was left alone",
      );
      assert.equal(
        decoy!.signalCode,
        null,
        "the process a stale pid file named, of another folder, was left alone",
      );
      for (const node of nodes) {
        const log = readFileSync(join(stateDir, node, "agent.log"), "utf8");
        assert.match(log, /received SIGTERM: leaving the cluster cleanly/);
        assert.match(log, /mariadbd left the cluster and exited cleanly/);
        assert.deepEqual(await rowsOn(stateDir, node), [1, 2, 3], `${node} holds the rows`);
      }
    });

    it("then down stops the new cluster and nothing of the folder runs", async () => {
      const down = await runCli(["down", "--state-dir", stateDir], {}, 700_000);
      assert.equal(down.exitCode, 0, down.stderr);
      assert.equal(processesOf(stateDir).length, 0, listing(processesOf(stateDir)));
      assert.equal(decoy!.exitCode, null, "the decoy still runs");
    });
  },
);
