import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { makeStateDir } from "../../support/local-cluster-harness.js";
import { startLocalRunner, type LocalRunner } from "../../support/local-runner.js";
import { clientCredentials, RouterClientLoop } from "../../support/router-client.js";
import { runCli } from "../../support/run-cli.js";
import { haproxyRuntime } from "../../../src/router/haproxy-process.js";
import { WriterOverlapWatch } from "../../support/writer-overlap-watch.js";

/**
 * HAProxy in front of a real local cluster (issue P): one writer, a read pool without
 * donors, failover after kill -9 of the writer, and planned work — a rolling restart and
 * scaling 3 → 5 → 3 — under a client loop that must see zero failed statements. All along,
 * from before HAProxy starts, HAProxy's writer backend is read every 10 ms through its runtime
 * API: never two servers taking writes, or holding sessions, at once (issue F).
 */
describe("given the local cluster behind HAProxy", { timeout: 1_200_000 }, () => {
  const stateDir = makeStateDir("routing");
  const flags = ["--state-dir", stateDir];
  const router = "127.0.18.1";
  let runner: LocalRunner;
  const cli = (...args: string[]) => runCli([...args, ...flags], {}, 900_000);
  const credentials = () => clientCredentials(join(stateDir, "client.cnf"));
  const status = async () =>
    (
      JSON.parse((await cli("status", "--json")).stdout) as {
        nodes: { name: string; phase: string; writer: boolean; agentPid: number | null }[];
      }
    ).nodes;
  /** One command on HAProxy's admin socket. */
  const haproxy = (command: string): Promise<string> =>
    haproxyRuntime(join(stateDir, "haproxy.sock"), command);
  const serverState = async (backend: string, server: string): Promise<string | undefined> =>
    (await haproxy("show stat"))
      .split("\n")
      .find((l) => l.startsWith(`${backend},${server},`))
      ?.split(",")[17];

  const watch = new WriterOverlapWatch(join(stateDir, "haproxy.sock"));

  before(async () => {
    watch.phase("startup");
    watch.start();
    runner = await startLocalRunner([...flags, "--first-address", "127.0.18.2", "--router-address", router]);
    await new RouterClientLoop(router, 3306, credentials()).prepare();
  });

  after(async () => {
    await watch.stop();
    await runner.stop();
  });

  it("when clients write through the writer port, then every write lands on the one elected writer", async () => {
    watch.phase("steady writes");
    const loop = new RouterClientLoop(router, 3306, credentials());
    loop.start();
    await sleep(3000);
    const result = await loop.stop();
    assert.deepEqual(result.failed, []);
    assert.ok(result.writers.length > 20, `${result.writers.length} writes`);
    const writers = new Set(result.writers);
    assert.equal(writers.size, 1, `writes landed on ${[...writers].join(", ")}`);
    const elected = (await status()).filter((n) => n.writer).map((n) => n.name);
    assert.deepEqual([...writers], elected);
  });

  it("when a node becomes a donor, then the read pool drops it until it is synced again", async () => {
    watch.phase("donor");
    const n3 = join(stateDir, "n3", "run", "mysqld.sock");
    const mariadb = (statement: string) =>
      new Promise<void>((resolve, reject) => {
        const child = spawn("mariadb", ["-S", n3, "-e", statement]);
        child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`mariadb exited ${code}`))));
      });
    await mariadb("SET GLOBAL wsrep_desync=ON");
    const deadline = Date.now() + 15_000;
    while ((await serverState("galera_readers", "n3")) !== "DOWN" && Date.now() < deadline) await sleep(250);
    assert.equal(await serverState("galera_readers", "n3"), "DOWN", "a donor is out of the read pool");
    await mariadb("SET GLOBAL wsrep_desync=OFF");
    const back = Date.now() + 15_000;
    while ((await serverState("galera_readers", "n3")) !== "UP" && Date.now() < back) await sleep(250);
    assert.equal(await serverState("galera_readers", "n3"), "UP");
  });

  it("when the writer is killed (-9), then writes resume on another node", async () => {
    watch.phase("failover (kill -9 of the writer)");
    const loop = new RouterClientLoop(router, 3306, credentials());
    loop.start();
    await sleep(1500);
    const writer = (await status()).find((n) => n.writer)!.name;
    const killedAt = Date.now();
    assert.equal((await cli("kill", writer)).exitCode, 0);
    const deadline = Date.now() + 60_000;
    while (!loop.result.writers.slice(-1).some((w) => w !== writer) && Date.now() < deadline)
      await sleep(100);
    const result = await loop.stop();
    const resumedAt = result.ackedAt.find((t, i) => t > killedAt && result.writers[i] !== writer);
    assert.ok(
      resumedAt,
      `writes resumed on another node; writers: ${[...new Set(result.writers)].join(", ")}`,
    );
    // A statement in flight on the killed node is lost with its connection: at most one.
    assert.ok(result.failed.length <= 1, `failed: ${JSON.stringify(result.failed)}`);
    // The write gap, as the failover benchmark measures it: from the last write acknowledged by
    // the killed writer to the first on another node. (The time from the kill command also
    // counts the CLI's own start, a second or more on a loaded machine.)
    const lastOnOld = Math.max(
      ...result.ackedAt.filter((t, i) => t <= resumedAt && result.writers[i] === writer),
    );
    const gap = resumedAt - lastOnOld;
    console.log(
      `# writes resumed ${resumedAt - killedAt} ms after the kill command for the writer ${writer}; write gap ${gap} ms`,
    );
    // Our failover defaults (docs/routing.md) give a gap of about 1.5–2 s in the benchmark;
    // Galera's default evs timings alone stall writes 5 s and more. 5 s leaves room for a
    // loaded machine.
    assert.ok(gap < 5000, `the writes stopped for ${gap} ms`);
    await waitAllSynced(3);
  });

  it("when the writer's agent is paused (SIGSTOP) for 6 s, then another node takes writes and the resumed agent does not take them back", async () => {
    watch.phase("writer's agent paused");
    const loop = new RouterClientLoop(router, 3306, credentials());
    loop.start();
    await sleep(1000);
    const writer = (await status()).find((n) => n.writer)!;
    assert.ok(writer.agentPid, "the writer's agent pid is known");
    process.kill(writer.agentPid, "SIGSTOP");
    try {
      await sleep(6000);
    } finally {
      process.kill(writer.agentPid, "SIGCONT");
    }
    await sleep(3000);
    const result = await loop.stop();
    const after = new Set(result.writers.slice(-5));
    assert.ok(
      after.size === 1 && !after.has(writer.name),
      `writes ended on ${[...after].join(", ")}, not ${writer.name}`,
    );
    assert.equal((await status()).filter((n) => n.writer).length, 1);
  });

  it("when every node is restarted one by one (restart --rolling), then the client loop sees zero failed statements", async () => {
    watch.phase("rolling restart");
    const loop = new RouterClientLoop(router, 3306, credentials());
    loop.start();
    const restart = await cli("restart", "--rolling");
    const result = await loop.stop();
    assert.equal(restart.exitCode, 0, restart.stderr);
    assert.deepEqual(result.failed, [], "no statement failed");
    assert.ok(new Set(result.writers).size >= 2, "the writer role moved while its node restarted");
  });

  it("when the cluster is scaled 3 → 5 → 3, then the client loop sees zero failed statements", async () => {
    watch.phase("scale 3 → 5 → 3");
    const loop = new RouterClientLoop(router, 3306, credentials());
    loop.start();
    const up = await cli("scale", "5");
    assert.equal(up.exitCode, 0, up.stderr);
    assert.match(up.stdout, /the local cluster runs 5 nodes/);
    const five = await status();
    assert.deepEqual(
      five.map((n) => n.phase),
      ["synced", "synced", "synced", "synced", "synced"],
    );
    const down = await cli("scale", "3");
    assert.equal(down.exitCode, 0, down.stderr);
    const result = await loop.stop();
    assert.deepEqual(result.failed, [], "no statement failed");
    assert.equal((await status()).length, 3);
    assert.equal(await serverState("galera_writer", "n5"), undefined, "n5 left HAProxy's config");
  });

  it("then, through all of the above, HAProxy never had two servers taking writes at once", async () => {
    await watch.stop();
    console.log(watch.report().replace(/^/gm, "# "));
    assert.ok(watch.reads.get("startup")?.oneWriter, "the watch read HAProxy during the startup");
    assert.deepEqual(watch.overlaps.slice(0, 5), [], `${watch.overlaps.length} reads found two writers`);
  });

  async function waitAllSynced(size: number): Promise<void> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const nodes = await status();
      if (nodes.length === size && nodes.every((n) => n.phase === "synced")) return;
      if (Date.now() > deadline) throw new Error(`not all synced: ${JSON.stringify(nodes)}`);
      await sleep(500);
    }
  }
});
