import { after, describe } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import type { NodeStatusReport } from "../../../src/model/node-status.js";
import { AckedWriter } from "../../support/acked-writer.js";
import { idsInDatadir } from "../../support/datadir-rows.js";
import { failureAwareSteps } from "../../support/failure-aware-steps.js";
import { allSynced, testCluster } from "../../support/local-cluster-harness.js";
import { runCli } from "../../support/run-cli.js";

/**
 * Point-in-time restore of a real 3-node cluster (docs/point-in-time.md) under appends, each
 * append's acknowledgement time recorded: a backup taken mid-run and the archiving node killed
 * mid-run, then a restore to a time T between: every append acknowledged before T is there, none
 * acknowledged after T's second; then the whole cluster killed, and a restore to the latest
 * archived point holds every acknowledged append but those of the last moments before the loss.
 * Addresses 127.0.38.x; the destination is the state folder's backups/.
 */
describe(
  "given a 3-node cluster taking appends, a backup and the binlog archive",
  { timeout: 900_000 },
  () => {
    const { cluster, events } = testCluster("point-in-time", "127.0.38.2");
    const stateDir = join(cluster.layout[0]!.datadir, "..", "..");
    const destination = join(stateDir, "backups");
    const node = (name: string) => cluster.layout.find((n) => n.name === name)!;
    const agents = cluster.layout.map((n) => `${n.name}=${n.healthUrl}`).join(",");
    const env = (): Record<string, string> => ({
      GALERA_PILOT_CLUSTER_SECRET_FILE: join(stateDir, "secrets", "cluster.secret"),
      GALERA_PILOT_BACKUP_DESTINATION: destination,
    });
    let writer = new AckedWriter(node("n1").socket);
    const { step, failed } = failureAwareSteps();
    after(async () => {
      await writer.stop();
      await cluster.down();
      if (failed()) console.error(events.join("\n"));
    });
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const statuses = async (): Promise<NodeStatusReport[]> =>
      (
        await Promise.all(
          cluster.layout.map((n) =>
            fetch(`${n.healthUrl}/status`, { signal: AbortSignal.timeout(2000) })
              .then((r) => r.json() as Promise<NodeStatusReport>)
              .catch(() => null),
          ),
        )
      ).filter((s): s is NodeStatusReport => s !== null);
    const restore = async (point: string[], into: string): Promise<Set<number>> => {
      const result = await runCli(
        ["restore", ...point, "--datadir", into, "--destination", destination],
        env(),
        600_000,
      );
      assert.equal(result.exitCode, 0, result.stderr + result.stdout);
      console.log(
        result.stdout
          .trim()
          .split("\n")
          .filter((l) => !/^restore \S+: \d/.test(l))
          .join("\n"),
      );
      return idsInDatadir(into, "t.acked");
    };

    step(
      "when restored to a time T after a backup and a takeover, then it holds every append acknowledged before T and none acknowledged after T's second",
      async () => {
        await cluster.up();
        await cluster.waitFor(allSynced(3), 240_000, "3 of 3 synced");
        const first = await statuses();
        const writerNode = first.find((s) => s.writer)?.node ?? "n1";
        writer = new AckedWriter(node(writerNode).socket);
        await writer.createTable();
        writer.start();
        await sleep(2000);
        const backup = await runCli(["backup", "--nodes", agents], env(), 300_000);
        assert.equal(backup.exitCode, 0, backup.stderr + backup.stdout);
        await sleep(2000);
        const archiver = (await statuses()).find((s) => s.archive?.archiving)?.node;
        assert.ok(
          archiver !== undefined && archiver !== writerNode,
          `an archiver that is not the writer (${archiver})`,
        );
        await cluster.killNode(archiver, { restart: false });
        await sleep(4000);
        const t = Date.now();
        await sleep(3000);
        await writer.stop();
        await sleep(1500);
        const ids = await restore(["--to-time", new Date(t).toISOString()], join(stateDir, "at-t"));
        const endOfSecond = Math.floor(t / 1000) * 1000 + 1000;
        const before = writer.acknowledged.filter((_, i) => writer.acknowledgedAt[i]! < t);
        const afterSecond = writer.acknowledged.filter(
          (_, i) => writer.acknowledgedAt[i]! >= endOfSecond + 250,
        );
        const missing = before.filter((id) => !ids.has(id));
        const extra = afterSecond.filter((id) => ids.has(id));
        const inPrecision = writer.acknowledged.filter(
          (id, i) => writer.acknowledgedAt[i]! >= t && ids.has(id),
        ).length;
        console.log(
          `restored to ${new Date(t).toISOString()}: ${before.length} appends acknowledged before T, ${missing.length} missing; ${afterSecond.length} acknowledged after T's second, ${extra.length} present; ${inPrecision} acknowledged at or after T present (T's second)`,
        );
        assert.deepEqual(
          missing.slice(0, 10),
          [],
          `${missing.length} appends acknowledged before T are missing`,
        );
        assert.deepEqual(
          extra.slice(0, 10),
          [],
          `${extra.length} appends acknowledged after T's second are present`,
        );
      },
    );

    step(
      "when every node is killed, then a restore to the latest archived point holds every acknowledged append but those of the last moments",
      async () => {
        const alive = (await statuses()).filter((s) => s.phase === "synced");
        const writerNode = alive.find((s) => s.writer)?.node ?? alive[0]!.node;
        // Its ids go on past the first step's writer's (the table keeps those rows).
        writer = new AckedWriter(node(writerNode).socket, "t.acked", 1_000_000);
        writer.start();
        await sleep(4000);
        const lostAt = Date.now();
        await Promise.all(alive.map((s) => cluster.killNode(s.node, { restart: false })));
        await writer.stop();
        const ids = await restore(["--to-latest"], join(stateDir, "latest"));
        const missing = writer.acknowledged
          .map((id, i) => ({ id, ago: lostAt - writer.acknowledgedAt[i]! }))
          .filter((a) => !ids.has(a.id));
        console.log(
          `whole cluster killed: ${writer.acknowledged.length} appends acknowledged in the last ${Math.round((lostAt - writer.acknowledgedAt[0]!) / 1000)} s, ${missing.length} not in the restore (acknowledged ${missing.length === 0 ? "-" : `${Math.min(...missing.map((m) => m.ago))}–${Math.max(...missing.map((m) => m.ago))} ms`} before the loss)`,
        );
        assert.ok(writer.acknowledged.length > 50, `appends acknowledged: ${writer.acknowledged.length}`);
        const old = missing.filter((m) => m.ago > 1000);
        assert.deepEqual(
          old.slice(0, 10),
          [],
          `${old.length} appends acknowledged more than 1 s before the loss are missing`,
        );
      },
    );
  },
);
