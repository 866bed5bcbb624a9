import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { failureAwareSteps } from "../../support/failure-aware-steps.js";
import { AckedWriter } from "../../support/acked-writer.js";
import { agentLog, allSynced, sql, testCluster } from "../../support/local-cluster-harness.js";

/**
 * A joiner in the middle of a state transfer has nothing to leave cleanly: stopping it must not
 * wait for the transfer (or for the 120 s stop timeout), and neither a stop nor a crash of its
 * mariadbd may leave the transfer's helpers (the SST script, socat, mbstream) holding its SST
 * port, which made the next start refuse ("SST port … is already in use") until they died.
 *
 * The transfer is kept long on purpose: the donors send at most 2 MiB/s
 * (GALERA_PILOT_SST_RATE_LIMIT, set once the cluster formed, so its own joins stay quick),
 * and a full transfer carries some 35 MiB: about 17 s.
 */
describe("given a node joining by a long state transfer", { timeout: 900_000 }, () => {
  const { cluster, events } = testCluster("joiner-stop", "127.0.32.2");
  const node = (name: string) => cluster.layout.find((n) => n.name === name)!;
  const writer = new AckedWriter(node("n1").socket);
  const { step, failed } = failureAwareSteps();
  const n3 = () => node("n3");

  /**
   * Processes still running for n3's datadir: its cwd or command line names it, or they listen
   * on its SST port (the donor's helpers name n3's address too, but neither its datadir nor a listen).
   */
  const helpersOfN3 = (): string[] => {
    const datadir = n3().datadir;
    const found: string[] = [];
    for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
        let cwd = "";
        try {
          cwd = readlinkSync(`/proc/${pid}/cwd`);
        } catch {
          // A process of another user or one that just ended.
        }
        if (/node .*main\.js/.test(cmdline)) continue; // the agents themselves
        if (
          cmdline.includes(datadir) ||
          cwd.startsWith(datadir) ||
          (cmdline.includes("TCP-LISTEN:4444") && cmdline.includes("bind=127.0.32.4"))
        ) {
          found.push(`${pid} ${cmdline}`);
        }
      } catch {
        // Gone meanwhile.
      }
    }
    return found;
  };

  /** n3's joiner listens for the transfer (socat), and still does 3 s later. */
  const transferUnderway = async (): Promise<void> => {
    const listening = () => helpersOfN3().some((line) => line.includes("TCP-LISTEN:4444"));
    const deadline = Date.now() + 180_000;
    while (!listening()) {
      if (Date.now() > deadline) throw new Error("n3's state transfer never began");
      await sleep(200);
    }
    await sleep(3000);
    assert.ok(
      listening() && existsSync(join(n3().datadir, "sst_in_progress")),
      "the transfer is still underway",
    );
  };

  const restartN3Empty = async (): Promise<void> => {
    await cluster.stopNode("n3");
    rmSync(n3().datadir, { recursive: true, force: true });
    cluster.startNode("n3");
    await transferUnderway();
  };

  before(async () => {
    await cluster.up();
    await cluster.waitFor(allSynced(3), 300_000, "3 of 3 synced");
    // The donors send at most 2 MiB/s from now on (set after the first joins, which stay quick).
    for (const name of ["n2", "n1"]) {
      cluster.setNodeEnv(name, { GALERA_PILOT_SST_RATE_LIMIT: "2m" });
      await cluster.stopNode(name);
      cluster.startNode(name);
      await cluster.waitFor(allSynced(3), 300_000, `3 of 3 synced after ${name}'s restart`);
    }
    await sql(
      node("n1").socket,
      "CREATE DATABASE IF NOT EXISTS bulk",
      "CREATE TABLE bulk.rows (id INT PRIMARY KEY, body LONGBLOB) ENGINE=InnoDB",
    );
    for (let i = 0; i < 10; i++) {
      await sql(node("n1").socket, `INSERT INTO bulk.rows VALUES (${i}, REPEAT(MD5(${i}), 32768))`);
    }
    await writer.createTable();
    await writer.writeRows(10);
  });

  after(async () => {
    await cluster.down().catch(() => undefined);
    if (failed()) console.log(events.slice(-200).join("\n"));
  });

  step(
    "stopping the joiner ends it within a few seconds and leaves none of its transfer's helpers",
    async () => {
      await restartN3Empty();
      const started = Date.now();
      await cluster.stopNode("n3");
      const seconds = (Date.now() - started) / 1000;
      assert.ok(seconds < 15, `n3 stopped in ${seconds} s, not within 15 s`);
      assert.match(agentLog(cluster, "n3"), /still joining/);
      await sleep(500);
      assert.deepEqual(helpersOfN3(), [], "no SST helper of n3 is left");
    },
  );

  step(
    "a joiner whose mariadbd was killed mid-transfer removes its transfer's helpers and joins",
    async () => {
      cluster.startNode("n3");
      await transferUnderway();
      const pid = (await cluster.status()).find((n) => n.name === "n3")?.pid;
      assert.ok(pid, "n3's mariadbd pid is known");
      process.kill(pid, "SIGKILL");
      await cluster.waitFor(allSynced(3), 400_000, "3 of 3 synced after the killed transfer");
      const log = agentLog(cluster, "n3");
      assert.doesNotMatch(log, /already in use/);
      assert.match(
        log,
        /removed the state transfer helpers .*socat: it listens on this node's SST address 127\.0\.32\.4:4444/,
      );
      await writer.writeRows(5);
      await writer.assertNoneMissingOn([n3()]);
    },
  );

  step(
    "a node killed with its grastate.dat lost rejoins by IST from its recovered position, not by a state transfer",
    async () => {
      await cluster.killNode("n2", { restart: false });
      rmSync(join(node("n2").datadir, "grastate.dat"));
      await writer.writeRows(5);
      const logBefore = agentLog(cluster, "n2").length;
      cluster.startNode("n2");
      await cluster.waitFor(allSynced(3), 400_000, "3 of 3 synced after n2's restart");
      const log = agentLog(cluster, "n2").slice(logBefore);
      // The mariabackup SST script runs for an IST too ("Running IST"); a full transfer wipes the datadir first.
      assert.match(log, /IST received/, "n2 caught up by IST");
      assert.match(log, /Running IST/);
      assert.doesNotMatch(
        log,
        /Proceeding with SST|Cleaning the existing datadir/,
        "n2 ran no full state transfer",
      );
      await writer.assertNoneMissingOn([node("n2")]);
    },
  );
});
