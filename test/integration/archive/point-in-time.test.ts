import { after, describe } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { NodeStatusReport } from "../../../src/model/node-status.js";
import { AckedWriter } from "../../support/acked-writer.js";
import { agentStatuses } from "../../support/agent-statuses.js";
import { idsInDatadir } from "../../support/datadir-rows.js";
import { failureAwareSteps } from "../../support/failure-aware-steps.js";
import { agentLog, allSynced, sql, testCluster } from "../../support/local-cluster-harness.js";
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
    const statuses = (): Promise<NodeStatusReport[]> => agentStatuses(cluster.layout);
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

        const status = await runCli(
          ["archive", "status", "--nodes", agents, "--destination", destination],
          env(),
        );
        assert.equal(status.exitCode, 0, status.stderr + status.stdout);
        console.log(status.stdout.trim());
        assert.match(
          status.stdout,
          /^archive: domain \d+, \d+ segments, transactions \d+ to \d+, contiguous$/m,
        );
        assert.match(status.stdout, /^oldest restorable point: backup \S+ \(ended /m);
        assert.match(
          status.stdout,
          /^archiver: n\d, stored to \d+, \d+ transactions read and not stored yet, lag \d+\.\d\d s$/m,
        );
        assert.doesNotMatch(status.stdout, /PROBLEM/);
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

    step(
      "when every node then starts empty with GALERA_PILOT_RESTORE_TO=latest, then one restores the point and bootstraps, the others join, and it holds what the restore to the latest point held",
      async () => {
        const expected = await idsInDatadir(join(stateDir, "latest"), "t.acked");
        for (const n of cluster.layout) rmSync(n.datadir, { recursive: true, force: true });
        for (const n of cluster.layout) cluster.setNodeEnv(n.name, { GALERA_PILOT_RESTORE_TO: "latest" });
        const logFrom = new Map(cluster.layout.map((n) => [n.name, agentLog(cluster, n.name).length]));
        const since = (name: string): string => agentLog(cluster, name).slice(logFrom.get(name));
        cluster.resume();
        for (const n of cluster.layout) cluster.startNode(n.name);
        await cluster.waitFor(allSynced(3), 300_000, "3 of 3 synced from GALERA_PILOT_RESTORE_TO");
        const restorers = cluster.layout.filter((n) =>
          /restored backup \S+ with \d+ archived transactions replayed in [\d.]+ s: bootstrapping the new cluster from it at \d+-…-\d+/.test(
            since(n.name),
          ),
        );
        assert.equal(restorers.length, 1, restorers.map((n) => n.name).join(", "));
        for (const n of cluster.layout) {
          const rows = await sql(n.socket, "SET SESSION wsrep_sync_wait=1", "SELECT id FROM t.acked");
          const present = new Set(rows.map((r) => Number(r["id"])));
          assert.deepEqual(
            [...expected].filter((id) => !present.has(id)).slice(0, 10),
            [],
            `${n.name} holds every row of the restore to the latest point`,
          );
          assert.equal(present.size, expected.size, `${n.name}: as many rows`);
        }
        // The new cluster numbers its transactions on after the replayed ones: its archive goes on without a gap.
        await sql(node(restorers[0]!.name).socket, "INSERT INTO t.acked VALUES (2000000)");
        await sleep(1500);
        const status = await runCli(
          ["archive", "status", "--destination", destination, "--nodes", agents],
          env(),
        );
        assert.match(status.stdout, /, contiguous$/m, status.stdout);
        for (const n of cluster.layout) cluster.setNodeEnv(n.name, {});
      },
    );

    step(
      "when a restore's point or input is wrong, or the archive has a gap, then it refuses in one line and writes nothing",
      async () => {
        const into = join(stateDir, "refused");
        const refused = async (args: string[], pattern: RegExp): Promise<void> => {
          const result = await runCli(["restore", ...args, "--datadir", into], env(), 300_000);
          assert.notEqual(result.exitCode, 0, result.stdout);
          const lines = result.stderr.trim().split("\n");
          assert.equal(lines.length, 1, result.stderr);
          assert.match(lines[0]!, pattern);
          assert.equal(existsSync(into), false, `${into} was not created`);
          assert.deepEqual(
            readdirSync(stateDir).filter((n) => n.startsWith(".refused.")),
            [],
            "nothing left beside it",
          );
        };
        const ends = readdirSync(destination)
          .filter((n) => existsSync(join(destination, n, "manifest.json")))
          .map(
            (n) =>
              JSON.parse(readFileSync(join(destination, n, "manifest.json"), "utf8")) as { endedAt: string },
          )
          .map((m) => Date.parse(m.endedAt));
        await refused(
          ["--to-time", new Date(Math.min(...ends) - 60_000).toISOString()],
          /^galera-pilot: the point is before the oldest complete backup \(\S+, ended \S+\): no backup can be replayed forward to it; nothing was written; choose a later point$/,
        );
        await refused(
          ["--to-time", new Date(Date.now() + 3_600_000).toISOString()],
          /^galera-pilot: \S+ is after the newest archived transaction \(\d+-…-\d+, committed \S+\); nothing was written; choose a point at or before it, or --to-latest$/,
        );
        await refused(
          ["--to-gtid", "1-1-5"],
          /^galera-pilot: GTID 1-…-5 is of domain 1, but the archive holds domain \d+ only: it is another cluster's GTID; nothing was written; /,
        );
        await refused(
          ["--to-time", "2026-12-07 14:03"],
          /^galera-pilot: restore: --to-time "2026-12-07 14:03" is not an ISO 8601 time with its zone, e.g. 2026-12-07T14:03:00Z; nothing was changed$/,
        );
        await refused(
          ["--to-latest", "--destination", join(stateDir, "no-such-folder")],
          /^galera-pilot: .*no-such-folder/,
        );
        // Retention: the segments committed before the one backup started are no restore's.
        const segmentsBefore = readdirSync(join(destination, "archive")).filter((n) =>
          n.endsWith(".binlog"),
        ).length;
        const prune = await runCli(
          ["backup", "prune", "--keep-last", "1", "--destination", destination],
          env(),
        );
        assert.equal(prune.exitCode, 0, prune.stderr + prune.stdout);
        const pruned =
          /^archive: (\d+) of (\d+) segments pruned: they hold only transactions committed before \S+, when the oldest kept backup started, which every kept backup has$/m.exec(
            prune.stdout,
          );
        assert.ok(pruned && Number(pruned[1]) > 0 && Number(pruned[2]) === segmentsBefore, prune.stdout);
        const afterPrune = await runCli(["archive", "status", "--destination", destination], env());
        assert.match(afterPrune.stdout, /, contiguous$/m, afterPrune.stdout);
        // A gap: a segment in the middle of the archive removed (as a lost object would be).
        const archive = join(destination, "archive");
        const names = readdirSync(archive)
          .filter((n) => n.endsWith(".binlog"))
          .sort();
        rmSync(join(archive, names[Math.floor(names.length / 2)]!));
        await refused(
          ["--to-latest"],
          /^galera-pilot: the archive has a gap: transactions \d+-…-\d+ to \d+ \(between \S+ and \S+\) were never archived, and the point needs them; nothing was written; /,
        );
        const status = await runCli(
          ["archive", "status", "--destination", destination, "--nodes", agents],
          env(),
        );
        assert.match(status.stdout, /^PROBLEM: gap: transactions \d+-…-\d+ to \d+ /m, status.stdout);
      },
    );
  },
);
