import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { failureAwareSteps } from "../../support/failure-aware-steps.js";
import { AckedWriter } from "../../support/acked-writer.js";
import { agentLog, allSynced, sql, testCluster } from "../../support/local-cluster-harness.js";
import { parseGvwstate } from "../../../src/mysqld/gvwstate.js";
import { ZERO_UUID } from "../../../src/model/galera-state.js";

/**
 * A node whose join was cut short must never restore a cluster by itself. The fault, as it was
 * seen: the writer n1 was killed and began to rejoin by state transfer; n3 and n2 then stopped
 * cleanly, leaving n1 alone in the primary component, and n1 was killed. Its grastate.dat held
 * the zero UUID and its gvwstate.dat listed only itself; on the next start it awaited Galera's
 * pc.recovery alone and started a new cluster, while n2 and n3 held the newest data of the real
 * one. The state is staged here deterministically: n1 is killed while synced, n2 takes more
 * writes, n3 and n2 stop cleanly, and n1's files are set as that join left them. n1 is started
 * first, alone — the order that forked the cluster — and must wait; then the cluster must come
 * back under its old state UUID, 3 of 3 synced, with every acknowledged write.
 */
describe(
  "given a 3-node cluster whose n1 was left alone in the primary while it joined",
  { timeout: 900_000 },
  () => {
    const { cluster, events } = testCluster("cut-short-join", "127.0.27.2");
    const node = (name: string) => cluster.layout.find((n) => n.name === name)!;
    const writer = new AckedWriter(node("n2").socket);
    const { step, failed } = failureAwareSteps();
    let clusterUuid = "";

    const stateUuidOf = async (name: string): Promise<string> => {
      const rows = await sql(node(name).socket, "SHOW GLOBAL STATUS LIKE 'wsrep_cluster_state_uuid'");
      return String(rows[0]?.["Value"]);
    };

    /** n1 killed while synced, then n2 writes more, then n3 and n2 leave cleanly (n2 last). */
    const leaveN1Behind = async (): Promise<void> => {
      await cluster.killNode("n1", { restart: false });
      await writer.writeRows(15);
      await cluster.stopNode("n3");
      await cluster.stopNode("n2");
    };

    /** gvwstate.dat as Galera saves a primary view of n1 alone: n1's own gcomm UUID, the only member. */
    const viewOfN1Alone = (): void => {
      const path = join(node("n1").datadir, "gvwstate.dat");
      const saved = parseGvwstate(readFileSync(path, "utf8"));
      assert.notEqual(saved, "empty", "n1 was killed with a gvwstate.dat");
      if (saved === "empty") return;
      const me = saved.myUuid;
      writeFileSync(
        path,
        `my_uuid: ${me}\n#vwbeg\nview_id: 3 ${me} ${saved.viewId.seq + 2}\nbootstrap: 0\nmember: ${me} 0\n#vwend\n`,
      );
    };

    /** n1 is started alone first: it must wait for its peers, never form a primary by itself. */
    const n1AloneWaits = async (): Promise<void> => {
      cluster.resume();
      cluster.startNode("n1");
      await cluster.waitFor(
        (s) => s.find((n) => n.name === "n1")?.phase === "waiting",
        120_000,
        "n1 waiting",
      );
      await sleep(4000);
      const n1 = (await cluster.status()).find((n) => n.name === "n1")!;
      assert.equal(n1.phase, "waiting", `n1 still waits: ${n1.lastDecision}`);
      assert.match(
        n1.lastDecision ?? "",
        /waiting for n2 and n3|waiting for 127\.0\.27\.3 and 127\.0\.27\.4/,
      );
    };

    const comesBackWhole = async (): Promise<void> => {
      for (const name of ["n2", "n3"]) cluster.startNode(name);
      await cluster.waitFor(allSynced(3), 240_000, "3 of 3 synced");
      for (const name of ["n1", "n2", "n3"]) {
        assert.equal(await stateUuidOf(name), clusterUuid, `${name} is in the cluster it was in`);
      }
      assert.match(agentLog(cluster, "n2"), /decision: bootstrap: bootstrapping from n2/);
      await writer.assertNoneMissingOn(cluster.layout);
    };

    before(async () => {
      await cluster.up();
      await cluster.waitFor(allSynced(3), 240_000, "3 of 3 synced");
      await writer.createTable();
      await writer.writeRows(20);
      clusterUuid = await stateUuidOf("n2");
    });
    after(async () => {
      await writer.stop();
      await cluster.down();
      if (failed()) console.error(events.join("\n"));
    });

    step(
      "when its state transfer was cut short (zero UUID in grastate.dat, a view of itself alone), then it waits, its view is removed, n2 bootstraps and the cluster keeps its UUID and every write",
      async () => {
        await leaveN1Behind();
        writeFileSync(
          join(node("n1").datadir, "grastate.dat"),
          `# GALERA saved state\nversion: 2.1\nuuid:    ${ZERO_UUID}\nseqno:   -1\nsafe_to_bootstrap: 0\n`,
        );
        viewOfN1Alone();
        await n1AloneWaits();
        const log = agentLog(cluster, "n1");
        assert.match(log, /removed gvwstate\.dat: grastate\.dat holds the zero UUID/);
        assert.match(log, /recovered position 0{8}-0{4}-0{4}-0{4}-0{12}:-1 \(none held: /);
        assert.doesNotMatch(log, /decision: await-pc-recovery/);
        await comesBackWhole();
      },
    );

    step(
      "when its join never synced and Galera saved a view of it alone meanwhile (its agent's join record says so), then the view is void and the newest node bootstraps",
      async () => {
        const logBefore = agentLog(cluster, "n1").length;
        await leaveN1Behind();
        viewOfN1Alone();
        // What the agent wrote before that join's start: no gvwstate.dat then.
        writeFileSync(
          join(node("n1").runDir, "state-transfer-pending"),
          `${JSON.stringify({ datadir: node("n1").datadir, gvwstateAtStart: null })}\n`,
        );
        await n1AloneWaits();
        const log = agentLog(cluster, "n1").slice(logBefore);
        assert.match(
          log,
          /removed gvwstate\.dat: mariadbd's last start never reached Synced and Galera saved gvwstate\.dat during it/,
        );
        assert.doesNotMatch(log, /decision: await-pc-recovery/);
        await comesBackWhole();
      },
    );
  },
);
