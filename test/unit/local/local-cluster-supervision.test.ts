import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { LocalCluster } from "../../../src/local/local-cluster.js";
import { closedPort } from "../../support/closed-port.js";

/**
 * The local runner's supervision of its agents (process/supervised-child.ts), with a stand-in
 * for the agent: a node script that runs until SIGTERM, or exits at once with the status in
 * FAKE_AGENT_EXIT. Once it handles SIGTERM it says so with a file ready-PID beside itself (a
 * SIGTERM before that would end it by the signal, not by its own stop). No mariadbd; the
 * lines are the runner's own, as `local up` prints them.
 */
const standIn = `
import { writeFileSync } from "node:fs";
if (process.env.FAKE_AGENT_EXIT) process.exit(Number(process.env.FAKE_AGENT_EXIT));
process.on("SIGTERM", () => setTimeout(() => process.exit(0), 20));
writeFileSync(new URL("ready-" + process.pid, import.meta.url), "");
setInterval(() => {}, 1000);
`;

async function until(
  what: string,
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await sleep(10);
  }
}

describe("the local runner's agents, kept running", () => {
  const dir = mkdtempSync(join(tmpdir(), "gp-local-supervision-"));
  const agentEntry = join(dir, "stand-in-agent.mjs");
  writeFileSync(agentEntry, standIn);
  const clusters: LocalCluster[] = [];
  const lines: string[] = [];
  let healthPort = 0;

  const runner = (name: string, overrides: Partial<ConstructorParameters<typeof LocalCluster>[0]> = {}) => {
    const cluster = new LocalCluster({
      stateDir: join(dir, name),
      nodeCount: 3,
      firstAddress: "127.0.78.2",
      healthPort,
      agentEntry,
      log: (line) => lines.push(line),
      restartDelayMs: 50,
      maxRestartDelayMs: 200,
      ...overrides,
    });
    clusters.push(cluster);
    return cluster;
  };
  const since = (mark: number, node: string): string[] =>
    lines.slice(mark).filter((l) => l.startsWith(`${node}: `) && !l.includes("agent started"));
  const statusOf = async (cluster: LocalCluster, node: string) =>
    (await cluster.status()).find((n) => n.name === node)!;
  /** Every running stand-in handles SIGTERM by now. */
  const allReady = (cluster: LocalCluster) =>
    until("every stand-in handles SIGTERM", async () =>
      (await cluster.status()).every(
        (n) => n.agentPid === null || existsSync(join(dir, `ready-${n.agentPid}`)),
      ),
    );

  before(async () => {
    healthPort = await closedPort();
  });
  after(async () => {
    for (const cluster of clusters) await cluster.down();
    rmSync(dir, { recursive: true, force: true });
  });

  it("starts every agent, and one killed (SIGKILL) is started again after the first wait, saying so", async () => {
    const cluster = runner("kill");
    await cluster.up();
    assert.equal(lines.filter((l) => / agent started \(pid \d+\), log /.test(l)).length, 3, lines.join("\n"));
    const first = await statusOf(cluster, "n2");
    assert.equal(first.phase, "agent-starting");
    const mark = lines.length;
    await cluster.killNode("n2");
    assert.deepEqual(since(mark, "n2"), ["n2: agent exited (SIGKILL)", "n2: restarting in 0.05 s"]);
    await until("n2 restarted", async () => (await statusOf(cluster, "n2")).restarts === 1);
    const again = await statusOf(cluster, "n2");
    assert.notEqual(again.agentPid, first.agentPid);
    const pidFile = join(cluster.options.stateDir, "n2", "agent.pid");
    assert.equal(readFileSync(pidFile, "utf8"), `${again.agentPid}\n`);
  });

  it("kill without restart leaves the node stopped until startNode, which is no restart", async () => {
    const cluster = clusters[0]!;
    const mark = lines.length;
    await cluster.killNode("n3", { restart: false });
    await sleep(150);
    assert.deepEqual(since(mark, "n3"), ["n3: agent exited (SIGKILL)"]);
    const n3 = await statusOf(cluster, "n3");
    assert.deepEqual([n3.phase, n3.agentPid, n3.restarts], ["stopped", null, 0]);
    assert.equal(existsSync(join(cluster.options.stateDir, "n3", "agent.pid")), false);
    cluster.startNode("n3");
    const started = await statusOf(cluster, "n3");
    assert.deepEqual([started.phase, started.restarts], ["agent-starting", 0]);
  });

  it("stopNode sends SIGTERM, waits for the agent's own stop, and keeps the node stopped", async () => {
    const cluster = clusters[0]!;
    await allReady(cluster);
    const mark = lines.length;
    await cluster.stopNode("n1");
    assert.deepEqual(since(mark, "n1"), ["n1: agent exited (status 0)"]);
    await sleep(150);
    assert.equal((await statusOf(cluster, "n1")).phase, "stopped");
    cluster.startNode("n1");
    assert.equal((await statusOf(cluster, "n1")).phase, "agent-starting");
  });

  it("down stops every agent cleanly, the last node first, and none is started again", async () => {
    const cluster = clusters[0]!;
    await allReady(cluster);
    const mark = lines.length;
    await cluster.down();
    await sleep(150);
    assert.deepEqual(lines.slice(mark), [
      "n3: agent exited (status 0)",
      "n2: agent exited (status 0)",
      "n1: agent exited (status 0)",
    ]);
    assert.deepEqual(
      (await cluster.status()).map((n) => n.phase),
      ["stopped", "stopped", "stopped"],
    );
  });

  it("an agent that keeps exiting at once waits longer each time, up to the maximum", async () => {
    const cluster = runner("crash-loop", { nodeCount: 1, agentEnv: { FAKE_AGENT_EXIT: "3" } });
    const mark = lines.length;
    await cluster.up();
    await until("four restarts", () => since(mark, "n1").length >= 10);
    await cluster.down();
    assert.deepEqual(since(mark, "n1").slice(0, 8), [
      "n1: agent exited (status 3)",
      "n1: restarting in 0.05 s",
      "n1: agent exited (status 3)",
      "n1: restarting in 0.1 s",
      "n1: agent exited (status 3)",
      "n1: restarting in 0.2 s",
      "n1: agent exited (status 3)",
      "n1: restarting in 0.2 s",
    ]);
  });
});
