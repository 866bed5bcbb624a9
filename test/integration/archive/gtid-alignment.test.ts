import { after, describe } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import mysql from "mysql2/promise";
import { binlogIdentity, clusterGtidDomain } from "../../../src/mysqld/binlog-identity.js";
import { failureAwareSteps } from "../../support/failure-aware-steps.js";
import { allSynced, sql, testCluster } from "../../support/local-cluster-harness.js";

/**
 * The binlogs of a real 3-node cluster line up (docs/point-in-time.md): a transaction carries
 * one GTID, in the cluster's domain, in every node's binlog, whichever node took it. That is
 * what lets the archive continue from another node's binlog. Addresses 127.0.36.x; the local
 * runner names its cluster "local".
 */
describe("given a 3-node cluster with the rendered binlog settings", { timeout: 600_000 }, () => {
  const { cluster, events } = testCluster("gtid-alignment", "127.0.36.2");
  const { step, failed } = failureAwareSteps();
  const node = (name: string) => cluster.layout.find((n) => n.name === name)!;
  after(async () => {
    await cluster.down();
    if (failed()) console.error(events.join("\n"));
  });

  /** Runs one statement on `name` and returns the GTID its transaction was given. */
  const commitOn = async (name: string, statement: string): Promise<string> => {
    const connection = await mysql.createConnection({ socketPath: node(name).socket, user: "root" });
    try {
      await connection.query(statement);
      const [rows] = await connection.query("SELECT @@last_gtid AS gtid");
      return String((rows as { gtid: string }[])[0]!.gtid);
    } finally {
      await connection.end();
    }
  };

  step("then a transaction has the same GTID in every node's binlog, whichever node took it", async () => {
    await cluster.up();
    await cluster.waitFor(allSynced(3), 240_000, "3 of 3 synced");
    await sql(node("n1").socket, "CREATE DATABASE t", "CREATE TABLE t.marks (mark VARCHAR(40) PRIMARY KEY)");
    const taken: { gtid: string; marker: string }[] = [];
    for (const name of ["n1", "n2", "n3"]) {
      const marker = `from-${name}-${Date.now()}`;
      taken.push({ gtid: await commitOn(name, `INSERT INTO t.marks VALUES ('${marker}')`), marker });
    }
    const ddlMarker = `ddl_${Date.now()}`;
    taken.push({
      gtid: await commitOn("n2", `CREATE TABLE t.${ddlMarker} (id INT PRIMARY KEY)`),
      marker: ddlMarker,
    });

    const domain = clusterGtidDomain("local");
    for (const { gtid } of taken)
      assert.match(gtid, new RegExp(`^${domain}-\\d+-\\d+$`), "the cluster's domain");
    // The cluster-domain sequence numbers follow one another whichever node took the transaction.
    const seqnos = taken.map(({ gtid }) => Number(gtid.split("-")[2]));
    assert.deepEqual(
      seqnos,
      seqnos.map((_, i) => seqnos[0]! + i),
    );

    const last = taken.at(-1)!.gtid;
    for (const name of ["n1", "n2", "n3"]) {
      for (let tries = 0; ; tries++) {
        const [row] = await sql(node(name).socket, "SELECT @@gtid_binlog_pos AS p");
        if (String(row?.["p"]).includes(last)) break;
        assert.ok(tries < 300, `${name} binlogged ${last} within 30 s (has ${String(row?.["p"])})`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const byGtid = decodedBinlog(node(name).datadir);
      for (const { gtid, marker } of taken) {
        assert.ok(byGtid.get(gtid)?.includes(marker), `${name}'s binlog has ${gtid} holding ${marker}`);
      }
      const own = binlogIdentity("local", name);
      assert.notEqual(own.localDomain, domain);
    }
  });
});

/** Every transaction of a datadir's binlog files, decoded: GTID → its events as text. */
function decodedBinlog(datadir: string): Map<string, string> {
  const files = readdirSync(datadir)
    .filter((f) => /^binlog\.\d{6}$/.test(f))
    .sort()
    .map((f) => join(datadir, f));
  const text = execFileSync("mariadb-binlog", ["--base64-output=decode-rows", "-v", ...files], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  const transactions = new Map<string, string>();
  let current: string | null = null;
  for (const line of text.split("\n")) {
    const gtid = /\bGTID (\d+-\d+-\d+)/.exec(line);
    if (gtid) current = gtid[1]!;
    if (current !== null) transactions.set(current, (transactions.get(current) ?? "") + line + "\n");
  }
  return transactions;
}
