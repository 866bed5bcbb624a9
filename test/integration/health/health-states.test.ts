import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { failureAwareSteps } from "../../support/failure-aware-steps.js";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { allSynced, sql, testCluster } from "../../support/local-cluster-harness.js";
import { healthCodes, probe } from "../../support/http-probe.js";

/**
 * The health table of docs/http-api.md, each row driven into its real state on real mariadbd + galera-4:
 * synced, donor (wsrep_desync) with and without the option, read-only with and without,
 * mariadbd killed under the agent, a joiner in a rate-limited mariabackup SST, and a node
 * left non-Primary when its peers crash.
 */
describe(
  "given a 3-node cluster, n3 configured to refuse donors and accept read-only",
  { timeout: 900_000 },
  () => {
    const { cluster, events } = testCluster("health", "127.0.13.2", {
      agentEnv: { GALERA_PILOT_SAMPLE_INTERVAL: "500", GALERA_PILOT_SST_RATE_LIMIT: "4m" },
      nodeEnv: { n3: { GALERA_PILOT_DONOR_AVAILABLE: "no", GALERA_PILOT_READ_ONLY_AVAILABLE: "yes" } },
    });
    const node = (name: string) => cluster.layout.find((n) => n.name === name)!;
    const codes = (name: string) => healthCodes(node(name).address);
    const { step, failed } = failureAwareSteps();

    /** Polls until the node's answers equal `expected`; returns how long it took. */
    const expectCodes = async (name: string, expected: number[], timeoutMs = 10_000): Promise<void> => {
      const deadline = Date.now() + timeoutMs;
      let last: number[] = [];
      while (Date.now() < deadline) {
        last = await codes(name);
        if (last.join() === expected.join()) return;
        await sleep(200);
      }
      assert.deepEqual(last, expected, `${name}: [/, /ready, /live, /writer]`);
    };

    before(async () => {
      await cluster.up();
      await cluster.waitFor(allSynced(3), 240_000, "3 of 3 synced");
    });
    after(async () => {
      await cluster.down();
      if (failed()) console.error(events.join("\n"));
    });

    step(
      "when all are synced, then / /ready /live answer 200 everywhere and /writer on exactly one node",
      async () => {
        const deadline = Date.now() + 10_000;
        let writers: string[] = [];
        do {
          const all = await Promise.all(["n1", "n2", "n3"].map(async (n) => [n, await codes(n)] as const));
          for (const [, c] of all) assert.deepEqual(c.slice(0, 3), [200, 200, 200]);
          writers = all.filter(([, c]) => c[3] === 200).map(([n]) => n);
          assert.ok(writers.length <= 1, `two writers at once: ${writers.join(", ")}`);
          if (writers.length === 1) break;
          await sleep(200);
        } while (Date.now() < deadline);
        assert.equal(writers.length, 1, `one writer, got ${writers.join(", ") || "none"}`);
        const status = await cluster.status();
        assert.deepEqual(
          status.filter((n) => n.writer).map((n) => n.name),
          writers,
        );
      },
    );

    step(
      "when n2 is a donor (wsrep_desync), then it stays available by default and loses the writer role",
      async () => {
        await sql(node("n2").socket, "SET GLOBAL wsrep_desync=ON");
        await expectCodes("n2", [200, 200, 200, 503]);
        await sql(node("n2").socket, "SET GLOBAL wsrep_desync=OFF");
      },
    );

    step("when n3 is a donor with donors refused, then / and /ready answer 503", async () => {
      await sql(node("n3").socket, "SET GLOBAL wsrep_desync=ON");
      await expectCodes("n3", [503, 503, 200, 503]);
      await sql(node("n3").socket, "SET GLOBAL wsrep_desync=OFF");
      await expectCodes("n3", [200, 200, 200, (await codes("n3"))[3]]);
    });

    step(
      "when n2 is read-only, then it is not available; n3 read-only with the option still is",
      async () => {
        await sql(node("n2").socket, "SET GLOBAL read_only=ON");
        await sql(node("n3").socket, "SET GLOBAL read_only=ON");
        await expectCodes("n2", [503, 503, 200, 503]);
        const n3 = await codes("n3");
        assert.deepEqual(n3.slice(0, 3), [200, 200, 200]);
        await sql(node("n2").socket, "SET GLOBAL read_only=OFF");
        await sql(node("n3").socket, "SET GLOBAL read_only=OFF");
      },
    );

    step("then /metrics shows the sampled state without any SQL of its own", async () => {
      const response = await fetch(`${node("n1").healthUrl}/metrics`);
      const text = await response.text();
      assert.match(text, /^galera_pilot_wsrep_cluster_size 3$/m);
      assert.match(text, /^galera_pilot_phase\{phase="synced"\} 1$/m);
      assert.match(text, /^galera_pilot_decisions_total\{action="bootstrap-new-cluster"\} 1$/m);
    });

    step(
      "when n2's mariadbd is killed, then / answers 503 and /live 200 while the agent starts it again",
      async () => {
        const before = (await cluster.status()).find((n) => n.name === "n2")!;
        process.kill(before.pid!, "SIGKILL");
        const seen: string[] = [];
        const deadline = Date.now() + 60_000;
        let sawDown = false;
        while (Date.now() < deadline) {
          const c = await codes("n2");
          seen.push(c.join(" "));
          if (c[0] === 503 && c[2] === 200) sawDown = true;
          if (sawDown && c[0] === 200) break;
          await sleep(100);
        }
        assert.ok(sawDown, `saw / 503 with /live 200; answers seen: ${[...new Set(seen)].join(" | ")}`);
        const after = (await cluster.status()).find((n) => n.name === "n2")!;
        assert.equal(after.agentPid, before.agentPid, "the same agent restarted mariadbd");
        assert.notEqual(after.pid, before.pid);
        await cluster.waitFor(allSynced(3), 60_000, "n2 back");
      },
    );

    step(
      "when n3 rejoins by a rate-limited full SST, then it answers 100 on /, 503 on /ready, 200 on /live",
      async () => {
        // Enough data that the SST at 4 MiB/s lasts several seconds.
        await sql(
          node("n1").socket,
          "CREATE DATABASE IF NOT EXISTS bulk",
          "CREATE TABLE bulk.t (id INT AUTO_INCREMENT PRIMARY KEY, pad LONGBLOB)",
          "INSERT INTO bulk.t (pad) SELECT REPEAT('x', 1024*1024) FROM bulk.seq_1_to_24",
        );
        await cluster.stopNode("n3");
        const datadir = node("n3").datadir;
        for (const entry of readdirSync(datadir))
          rmSync(join(datadir, entry), { recursive: true, force: true });
        cluster.startNode("n3");
        const duringSst = new Set<string>();
        const deadline = Date.now() + 240_000;
        let rawBare100 = "";
        while (Date.now() < deadline) {
          if (existsSync(join(datadir, "sst_in_progress"))) {
            const c = await codes("n3").catch(() => null);
            if (c) duringSst.add(c.slice(0, 3).join(" "));
            const root = await probe(node("n3").address, 8080, "/").catch(() => null);
            if (root?.code === 100) rawBare100 = root.raw;
          }
          const status = (await cluster.status()).find((n) => n.name === "n3")!;
          if (status.phase === "synced") break;
          await sleep(250);
        }
        assert.ok(
          duringSst.has("100 503 200"),
          `answers during SST: ${[...duringSst].join(" | ") || "none seen"}`,
        );
        assert.ok(![...duringSst].some((c) => c.startsWith("200")), "never ready during SST");
        assert.equal(rawBare100, "HTTP/1.1 100 Continue\r\n\r\n", "a raw client receives the bare 100");
        await cluster.waitFor(allSynced(3), 120_000, "n3 synced after SST");
      },
    );

    step(
      "when n2 and n3 crash and stay down, then n1 is non-Primary: / 503, /ready 503, /live 200, /writer 503",
      async () => {
        await cluster.killNode("n2", { restart: false });
        await cluster.killNode("n3", { restart: false });
        await expectCodes("n1", [503, 503, 200, 503], 30_000);
        const n1 = (await cluster.status()).find((n) => n.name === "n1")!;
        assert.equal(n1.clusterStatus, "non-Primary");
        assert.equal(n1.phase, "non-primary");
      },
    );
  },
);
