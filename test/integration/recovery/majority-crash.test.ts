import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import mysql from "mysql2/promise";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { failureAwareSteps } from "../../support/failure-aware-steps.js";
import { AckedWriter } from "../../support/acked-writer.js";
import { agentLog, allSynced, sql, testCluster } from "../../support/local-cluster-harness.js";

/**
 * A crash of the majority while one node stays up: the survivor drops to non-Primary holding
 * writes the crashed nodes never applied. Made certain here, not left to chance: n2 and n3
 * hold FLUSH TABLES WITH READ LOCK, which pauses their appliers (and desyncs them, so n1
 * goes on committing), while n1 acknowledges more writes; then both are killed. Their
 * recovered positions are behind n1's. Bootstrapping from either would lose those writes
 * (Galera even aborts n1 with "states diverged"); before the survivor reported its live
 * position and gvwstate.dat, the restarted nodes waited for it forever. The cluster must come
 * back around n1 as it runs, and every acknowledged write must be on every node.
 */
describe("given a 3-node cluster where n2 and n3 lag behind n1", { timeout: 900_000 }, () => {
  const { cluster, events } = testCluster("majority-crash", "127.0.25.2");
  const node = (name: string) => cluster.layout.find((n) => n.name === name)!;
  const writer = new AckedWriter(node("n1").socket);
  const { step, failed } = failureAwareSteps();
  const held: mysql.Connection[] = [];

  const lastCommitted = async (name: string): Promise<number> => {
    const rows = await sql(node(name).socket, "SHOW GLOBAL STATUS LIKE 'wsrep_last_committed'");
    return Number(rows[0]?.["Value"]);
  };

  before(async () => {
    await cluster.up();
    await cluster.waitFor(allSynced(3), 240_000, "3 of 3 synced");
    await writer.createTable();
    await writer.writeRows(20);
  });
  after(async () => {
    for (const c of held) c.destroy();
    await writer.stop();
    await cluster.down();
    if (failed()) console.error(events.join("\n"));
  });

  /**
   * Pauses n2's and n3's appliers, has n1 acknowledge writes they never apply, kills both,
   * waits for n1 to drop out of the primary component; returns n1's position.
   */
  const crashTheLaggingMajority = async (): Promise<number> => {
    await sleep(1000); // every node applies what came before
    for (const name of ["n2", "n3"]) {
      const c = await mysql.createConnection({ socketPath: node(name).socket, user: "root" });
      held.push(c);
      await c.query("FLUSH TABLES WITH READ LOCK");
    }
    await writer.writeRows(30);
    const survivorSeqno = await lastCommitted("n1");
    const laggards = await Promise.all(["n2", "n3"].map(lastCommitted));
    assert.ok(
      laggards.every((seqno) => seqno < survivorSeqno),
      `n2 and n3 (${laggards.join(", ")}) are behind n1 (${survivorSeqno}) when they crash`,
    );
    await Promise.all(["n2", "n3"].map((name) => cluster.killNode(name, { restart: false })));
    for (const c of held.splice(0)) c.destroy();
    await cluster.waitFor(
      (s) => s.find((n) => n.name === "n1")?.clusterStatus === "non-Primary",
      60_000,
      "n1 non-Primary",
    );
    return survivorSeqno;
  };

  step(
    "when n2 and n3 crash while behind, then n1 reports its live position, Galera's pc.recovery restores the primary around it, and no acknowledged write is lost",
    async () => {
      const survivorSeqno = await crashTheLaggingMajority();
      // What n1 tells its peers now: the position it holds, not the one it started from.
      const report = (await cluster.status()).find((n) => n.name === "n1");
      assert.equal(report?.seqno, survivorSeqno);
      for (const name of ["n2", "n3"]) cluster.startNode(name);
      await cluster.waitFor(allSynced(3), 240_000, "3 of 3 synced after the majority crash");
      for (const name of ["n2", "n3"]) {
        assert.match(agentLog(cluster, name), /decision: await-pc-recovery: /, `${name} awaited pc.recovery`);
      }
      await writer.assertNoneMissingOn(cluster.layout);
    },
  );

  step(
    "when n2 and n3 crash while behind and come back without gvwstate.dat, then n1 is bootstrapped in place and no acknowledged write is lost",
    async () => {
      await crashTheLaggingMajority();
      // Without their views Galera cannot restore the primary: n1, with the newest data and
      // its mariadbd running, is the one the agents choose.
      for (const name of ["n2", "n3"]) rmSync(join(node(name).datadir, "gvwstate.dat"), { force: true });
      for (const name of ["n2", "n3"]) cluster.startNode(name);
      await cluster.waitFor(allSynced(3), 240_000, "3 of 3 synced after the majority crash");
      assert.match(agentLog(cluster, "n1"), /decision: bootstrap-in-place: /);
      await writer.assertNoneMissingOn(cluster.layout);
    },
  );
});
