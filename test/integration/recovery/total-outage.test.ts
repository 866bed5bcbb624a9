import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { failureAwareSteps } from "../../support/failure-aware-steps.js";
import { existsSync, renameSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { AckedWriter } from "../../support/acked-writer.js";
import { probe } from "../../support/http-probe.js";
import { agentLog, allSynced, makeStateDir, sql, testCluster } from "../../support/local-cluster-harness.js";
import { fingerprint } from "../../support/datadir-fingerprint.js";
import { spawnCli } from "../../support/run-cli.js";

/** A seeded order, printed so a failing run can be replayed with GALERA_PILOT_TEST_SEED. */
const seed = Number(process.env["GALERA_PILOT_TEST_SEED"] ?? Date.now() % 100_000);
function shuffled<T>(items: readonly T[], salt: number): T[] {
  let state = (seed * 9301 + salt * 49297) % 233280;
  const random = (): number => (state = (state * 9301 + 49297) % 233280) / 233280;
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Total outages on a real 3-node cluster, the agents deciding by themselves (docs/recovery.md),
 * mirroring MariaDB's galera_3nodes.galera_safe_to_bootstrap, galera.galera_pc_recovery and
 * galera_3nodes.galera_pc_bootstrap. n1 runs as a `seed`, as in the 2015 post. Every write
 * acknowledged before a fault must be on every node after it.
 */
describe(`given a 3-node cluster whose n1 is a seed (order seed ${seed})`, { timeout: 1_500_000 }, () => {
  const { cluster, events } = testCluster("recovery", "127.0.15.2", { seedNodes: ["n1"] });
  const names = ["n1", "n2", "n3"];
  const node = (name: string) => cluster.layout.find((n) => n.name === name)!;
  const writer = new AckedWriter(node("n2").socket);
  const { step, failed } = failureAwareSteps();

  const allDown = async (how: "clean" | "kill"): Promise<void> => {
    if (how === "clean") await cluster.down();
    else await Promise.all(names.map((n) => cluster.killNode(n, { restart: false })));
  };
  /** Starts the nodes in this order, pausing between them. */
  const startInOrder = async (order: readonly string[], pauseMs: number): Promise<void> => {
    cluster.resume();
    for (const [i, name] of order.entries()) {
      if (i > 0) await sleep(pauseMs);
      cluster.startNode(name);
    }
  };

  before(async () => {
    await cluster.up();
    await cluster.waitFor(allSynced(3), 240_000, "3 of 3 synced");
    await writer.createTable();
    await writer.writeRows(20);
  });
  after(async () => {
    await writer.stop();
    await cluster.down();
    if (failed()) console.error(`order seed ${seed}\n${events.join("\n")}`);
  });

  for (const [i, order] of [
    ["n1", "n2", "n3"],
    ["n2", "n1", "n3"],
    ["n3", "n2", "n1"],
  ].entries()) {
    step(
      `when the cluster is stopped cleanly and started ${order.join(", ")}, then the last node out bootstraps and nothing is lost`,
      async () => {
        await writer.writeRows(5);
        await allDown("clean"); // n3, n2, then n1: n1 leaves last and holds the newest state
        await startInOrder(order, 1500 * (i + 1));
        await cluster.waitFor(allSynced(3), 180_000, "3 of 3 synced after a clean full stop");
        assert.match(agentLog(cluster, "n1"), /decision: (announce-)?bootstrap: /);
        await writer.assertNoneMissingOn(cluster.layout);
      },
    );
  }

  step(
    "when every node is killed under a write load and restarted in random order, then Galera's pc.recovery restores the primary and no acknowledged write is lost",
    async () => {
      writer.start();
      await sleep(1500);
      await allDown("kill");
      await writer.stop();
      const order = shuffled(names, 1);
      await startInOrder(order, 500 + (seed % 2500));
      await cluster.waitFor(
        allSynced(3),
        180_000,
        `3 of 3 synced after kill -9 of all, started ${order.join(", ")}`,
      );
      assert.ok(writer.acknowledged.length > 25, "the load wrote during the test");
      for (const name of names) assert.match(agentLog(cluster, name), /decision: await-pc-recovery: /);
      await writer.assertNoneMissingOn(cluster.layout);
    },
  );

  step(
    "when every node is killed and one stays down, then the others wait (/ answers 100) and say for whom",
    async () => {
      await writer.writeRows(5);
      await allDown("kill");
      await startInOrder(["n2", "n1"], 300);
      await sleep(8000);
      const status = await cluster.status();
      for (const name of ["n1", "n2"]) {
        const n = status.find((s) => s.name === name)!;
        assert.equal(n.phase, "waiting", `${name} waits`);
        assert.match(n.lastDecision ?? "", /waiting for (n3|127\.0\.15\.4)/, `${name} says it waits for n3`);
        assert.equal((await probe(node(name).address, 8080, "/")).code, 100);
      }
      cluster.startNode("n3");
      await cluster.waitFor(allSynced(3), 180_000, "3 of 3 synced once n3 is back");
      await writer.assertNoneMissingOn(cluster.layout);
    },
  );

  step(
    "when one node stays down past GALERA_PILOT_FORCE_BOOTSTRAP_AFTER, then the others bootstrap, saying it may lose data",
    async () => {
      await writer.writeRows(5);
      await allDown("clean");
      // n3 left first and misses nothing the others have; n1 and n2 force after 5 s.
      for (const name of ["n1", "n2"]) cluster.setNodeEnv(name, { GALERA_PILOT_FORCE_BOOTSTRAP_AFTER: "5" });
      await startInOrder(["n1", "n2"], 300);
      await cluster.waitFor(
        (s) => s.filter((n) => n.phase === "synced" && n.clusterSize === 2).length === 2,
        120_000,
        "n1 and n2 synced without n3",
      );
      assert.match(agentLog(cluster, "n1") + agentLog(cluster, "n2"), /FORCED after 5 s/);
      for (const name of ["n1", "n2"]) cluster.setNodeEnv(name, {});
      cluster.startNode("n3");
      await cluster.waitFor(allSynced(3), 180_000, "n3 back");
      await writer.assertNoneMissingOn(cluster.layout);
    },
  );

  step(
    "when the seed n1 is killed and restarted by the runner, then it joins the running cluster instead of forming a second one",
    async () => {
      await writer.writeRows(5);
      const logBefore = agentLog(cluster, "n1").length;
      await cluster.killNode("n1");
      await cluster.waitFor(allSynced(3), 120_000, "n1 restarted and joined");
      const uuids = await Promise.all(
        names.map(
          async (n) =>
            (await sql(node(n).socket, "SHOW GLOBAL STATUS LIKE 'wsrep_cluster_state_uuid'"))[0]?.["Value"],
        ),
      );
      assert.equal(new Set(uuids).size, 1, `one cluster: ${uuids.join(", ")}`);
      const afterRestart = agentLog(cluster, "n1").slice(logBefore);
      assert.match(afterRestart, /decision: join: joining the primary component that n2 and n3 are in/);
      assert.doesNotMatch(afterRestart, /decision: (announce-)?bootstrap/);
      await writer.assertNoneMissingOn(cluster.layout);
    },
  );

  step(
    "when every node is killed, n2's gvwstate.dat is left empty and n3 holds a stale SST's files, then the agents remove them and the cluster recovers",
    async () => {
      await writer.writeRows(5);
      await allDown("kill");
      truncateSync(join(node("n2").datadir, "gvwstate.dat"), 0);
      // What a kill in the middle of an SST leaves: the SST scripts' marker and pid file.
      writeFileSync(join(node("n3").datadir, "sst_in_progress"), "");
      writeFileSync(join(node("n3").datadir, "wsrep_sst.pid"), "4194303\n");
      await startInOrder(names, 200);
      await cluster.waitFor(allSynced(3), 180_000, "3 of 3 synced after crash leftovers");
      assert.match(agentLog(cluster, "n2"), /removed an empty gvwstate\.dat left by a crash/);
      assert.match(agentLog(cluster, "n3"), /removed a stale sst_in_progress left by a crash/);
      assert.match(agentLog(cluster, "n3"), /removed a stale wsrep_sst\.pid left by a crash/);
      for (const leftover of ["sst_in_progress", "wsrep_sst.pid"]) {
        assert.ok(!existsSync(join(node("n3").datadir, leftover)), `${leftover} is gone`);
      }
      await writer.assertNoneMissingOn(cluster.layout);
    },
  );

  step(
    "when n3's datadir is swapped for one of another cluster, then n3 refuses to join and the datadir is kept",
    async () => {
      // Another cluster's datadir: a seed started alone, then stopped.
      const other = makeStateDir("other-cluster");
      const otherData = join(other, "data");
      const env = {
        MYSQL_ROOT_PASSWORD: "x",
        XTRABACKUP_PASSWORD: "y",
        GALERA_PILOT_CLUSTER_SECRET: "z",
        GALERA_PILOT_ADDRESS: "127.0.16.2",
        GALERA_PILOT_HEALTH_ADDRESS: "127.0.16.2",
        GALERA_PILOT_DATADIR: otherData,
        GALERA_PILOT_RUN_DIR: join(other, "run"),
      };
      const seedRun = spawnCli(["seed"], env);
      const deadline = Date.now() + 90_000;
      while (
        (await probe("127.0.16.2", 8080, "/ready").catch(() => null))?.code !== 200 &&
        Date.now() < deadline
      ) {
        await sleep(500);
      }
      seedRun.child.kill("SIGTERM");
      assert.equal((await seedRun.result).exitCode, 0, "the other cluster's seed stopped cleanly");
      await cluster.stopNode("n3");
      const n3data = node("n3").datadir;
      renameSync(n3data, `${n3data}.mine`);
      renameSync(otherData, n3data);
      const foreign = fingerprint(n3data);
      cluster.startNode("n3");
      await cluster.waitFor(() => /refusing to join/.test(agentLog(cluster, "n3")), 60_000, "n3 refuses");
      await cluster.stopNode("n3");
      assert.equal(fingerprint(n3data), foreign, "the other cluster's datadir was kept as it was");
      rmSync(n3data, { recursive: true });
      renameSync(`${n3data}.mine`, n3data);
      cluster.startNode("n3");
      await cluster.waitFor(allSynced(3), 120_000, "n3 back with its own datadir");
      await writer.assertNoneMissingOn(cluster.layout);
    },
  );
});
