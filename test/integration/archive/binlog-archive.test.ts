import { after, describe } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import { archiveCoverage } from "../../../src/decide/archive-coverage.js";
import { parseSegmentName, type SegmentSpan } from "../../../src/model/archive-segment-name.js";
import type { NodeStatusReport } from "../../../src/model/node-status.js";
import { clusterGtidDomain } from "../../../src/mysqld/binlog-identity.js";
import { AckedWriter } from "../../support/acked-writer.js";
import { agentStatuses, archivingNodes } from "../../support/agent-statuses.js";
import { failureAwareSteps } from "../../support/failure-aware-steps.js";
import { allSynced, testCluster } from "../../support/local-cluster-harness.js";

/**
 * The binlog archive of a real 3-node cluster (docs/point-in-time.md) under appends: one
 * agent, on a member that is not the writer, stores every acknowledged append at the backup
 * destination within a second; when its node is killed, another takes over and the archive
 * goes on with no gap and no transaction twice. Addresses 127.0.37.x; the destination is the
 * state folder's backups/ (what the local runner gives its agents); the local runner names
 * its cluster "local".
 */
describe(
  "given a 3-node cluster taking appends, with a folder as its backup destination",
  { timeout: 600_000 },
  () => {
    const { cluster, events } = testCluster("binlog-archive", "127.0.37.2");
    const stateDir = join(cluster.layout[0]!.datadir, "..", "..");
    const archive = join(stateDir, "backups", "archive");
    const domain = clusterGtidDomain("local");
    const node = (name: string) => cluster.layout.find((n) => n.name === name)!;
    // Appends go to the writer the agents elect (set in the first step), as HAProxy would send them.
    let writer = new AckedWriter(node("n1").socket);
    let writerNode = "n1";
    const { step, failed } = failureAwareSteps();
    after(async () => {
      await writer.stop();
      await cluster.down();
      if (failed()) console.error(events.join("\n"));
    });

    const statuses = (): Promise<NodeStatusReport[]> => agentStatuses(cluster.layout);
    const archiving = (): Promise<string[]> => archivingNodes(cluster.layout);
    const segments = (): { name: string; span: SegmentSpan; storedAt: number }[] =>
      (existsSync(archive) ? readdirSync(archive) : [])
        .map((name) => ({ name, span: parseSegmentName(name) }))
        .filter((s): s is { name: string; span: SegmentSpan } => s.span !== null)
        .sort((a, b) => a.span.first - b.span.first)
        .map((s) => ({ ...s, storedAt: statSync(join(archive, s.name)).mtimeMs }));
    /** Each archived append's id, with the segment that holds it. */
    const archivedIds = (): Map<number, string> => {
      const ids = new Map<number, string>();
      for (const { name } of segments()) {
        const text = execFileSync(
          "mariadb-binlog",
          ["--base64-output=decode-rows", "-v", join(archive, name)],
          {
            encoding: "utf8",
            maxBuffer: 256 * 1024 * 1024,
          },
        );
        let inAcked = false;
        for (const line of text.split("\n")) {
          if (line.startsWith("### INSERT INTO")) inAcked = line.includes("`t`.`acked`");
          const value = /^###\s+@1=(\d+)/.exec(line);
          if (inAcked && value) {
            const id = Number(value[1]);
            assert.ok(!ids.has(id), `append ${id} is archived once (found in ${ids.get(id)} and ${name})`);
            ids.set(id, name);
          }
        }
      }
      return ids;
    };
    /** Fails unless every acknowledged append is archived, in segments forming one run; returns the lags. */
    const checkArchive = (what: string): number[] => {
      const stored = segments();
      const coverage = archiveCoverage(
        stored.map((s) => s.span),
        domain,
      );
      assert.deepEqual(coverage.gaps, [], `${what}: no gap in the archive`);
      assert.equal(coverage.runs.length, 1, `${what}: one run of consecutive transactions`);
      const held = stored.reduce((n, s) => n + (s.span.last - s.span.first + 1), 0);
      assert.equal(
        held,
        coverage.runs[0]!.last - coverage.runs[0]!.first + 1,
        `${what}: no transaction stored twice`,
      );
      const ids = archivedIds();
      const storedAt = new Map(stored.map((s) => [s.name, s.storedAt]));
      const missing = writer.acknowledged.filter((id) => !ids.has(id));
      assert.deepEqual(
        missing.slice(0, 20),
        [],
        `${what}: ${missing.length} acknowledged appends not archived`,
      );
      return writer.acknowledged.map((id, i) => storedAt.get(ids.get(id)!)! - writer.acknowledgedAt[i]!);
    };
    /** Polls `done` every 250 ms for up to `ms`. */
    const eventually = async (done: () => Promise<boolean>, ms: number, what: string): Promise<void> => {
      for (const deadline = Date.now() + ms; !(await done());) {
        assert.ok(Date.now() < deadline, `not within ${ms / 1000} s: ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    };
    const describeLags = (lags: number[]): string => {
      const sorted = [...lags].sort((a, b) => a - b);
      const at = (q: number) =>
        Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
      return `${lags.length} appends, lag from acknowledgement to stored segment p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`;
    };

    step(
      "then one agent, on a member that is not the writer, archives every acknowledged append within a second",
      async () => {
        await cluster.up();
        await cluster.waitFor(allSynced(3), 240_000, "3 of 3 synced");
        await writer.createTable();
        await eventually(async () => (await archiving()).length === 1, 30_000, "one member archiving");
        const [archiver] = await archiving();
        const reports = await statuses();
        assert.equal(
          reports.find((s) => s.node === archiver)?.writer,
          false,
          `${archiver} is not the writer`,
        );
        writerNode = reports.find((s) => s.writer)?.node ?? "n1";
        writer = new AckedWriter(node(writerNode).socket);
        writer.start();
        await new Promise((resolve) => setTimeout(resolve, 6000));
        await writer.stop();
        await new Promise((resolve) => setTimeout(resolve, 1500));
        assert.ok(writer.acknowledged.length > 50, `appends acknowledged: ${writer.acknowledged.length}`);
        const lags = checkArchive("while one archiver runs");
        console.log(`archive on ${archiver}: ${describeLags(lags)}; ${segments().length} segments`);
        const sorted = [...lags].sort((a, b) => a - b);
        assert.ok(sorted[Math.floor(0.99 * (sorted.length - 1))]! <= 1000, describeLags(lags));
        assert.deepEqual(await archiving(), [archiver], "still the one archiver");
      },
    );

    step(
      "then, its node killed, another member takes over within seconds: no gap, nothing twice",
      async () => {
        const [archiver] = await archiving();
        assert.ok(
          archiver !== undefined && archiver !== writerNode,
          `the archiver (${archiver}) is not ${writerNode}, the writer`,
        );
        writer.start();
        await new Promise((resolve) => setTimeout(resolve, 1500));
        const killedAt = Date.now();
        await cluster.killNode(archiver, { restart: false });
        let next: string | undefined;
        await eventually(
          async () => {
            next = (await archiving()).find((n) => n !== archiver);
            return next !== undefined;
          },
          60_000,
          "another member archiving",
        );
        const tookOverAfter = Date.now() - killedAt;
        await new Promise((resolve) => setTimeout(resolve, 5000));
        await writer.stop();
        await new Promise((resolve) => setTimeout(resolve, 1500));
        const lags = checkArchive(`after ${archiver} was killed`);
        console.log(
          `${next} took over ${tookOverAfter} ms after ${archiver} was killed; ${describeLags(lags)}; ${segments().length} segments`,
        );
        assert.ok(tookOverAfter < 30_000, `took over within 30 s (${tookOverAfter} ms)`);
        assert.ok(
          segments().some((s) => s.span.node === next),
          `${next} stored segments of its own`,
        );
      },
    );

    /** The two members left (one was killed in the second step) synced in a cluster of two. */
    const twoSynced = (nodes: { name: string; phase: string; clusterSize: number | null }[]): boolean =>
      nodes.filter((n) => n.phase === "synced" && n.clusterSize === 2).length === 2;

    /** Waits until a member other than `not` archives; returns it and how long it took. */
    const takenOver = async (not: string, since: number): Promise<{ node: string; afterMs: number }> => {
      let next: string | undefined;
      await eventually(
        async () => {
          next = (await archiving()).find((n) => n !== not);
          return next !== undefined;
        },
        60_000,
        `a member other than ${not} archiving`,
      );
      return { node: next!, afterMs: Date.now() - since };
    };

    step(
      "then, its node paused (SIGSTOP) for 15 s, another takes over, and once it resumes: no gap, nothing twice",
      async () => {
        const [archiver] = await archiving();
        assert.ok(
          archiver !== undefined && archiver !== writerNode,
          `the archiver (${archiver}) is not the writer`,
        );
        const status = (await cluster.status()).find((n) => n.name === archiver)!;
        const pids = [status.agentPid, status.pid].filter((p): p is number => p !== null);
        assert.equal(pids.length, 2, `${archiver}'s agent and mariadbd pids`);
        writer.start();
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const pausedAt = Date.now();
        for (const pid of pids) process.kill(pid, "SIGSTOP");
        let next: { node: string; afterMs: number };
        try {
          next = await takenOver(archiver, pausedAt);
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, 15_000 - (Date.now() - pausedAt))));
        } finally {
          for (const pid of pids) process.kill(pid, "SIGCONT");
        }
        await new Promise((resolve) => setTimeout(resolve, 5000));
        await writer.stop();
        await cluster.waitFor(twoSynced, 120_000, `${archiver} back in the cluster`);
        await new Promise((resolve) => setTimeout(resolve, 1500));
        const lags = checkArchive(`after ${archiver} was paused`);
        console.log(
          `${next.node} took over ${next.afterMs} ms after ${archiver} was paused; ${describeLags(lags)}`,
        );
        assert.equal((await archiving()).length, 1, "one archiver once the paused one resumed");
      },
    );

    step(
      "then, its node cut off (iptables) for 20 s, another takes over; once back: no gap, nothing twice",
      async () => {
        // Three members again (the one killed above restarted): the two left keep the primary component.
        cluster.startNode("n1");
        await cluster.waitFor(allSynced(3), 240_000, "3 of 3 synced again");
        await eventually(async () => (await archiving()).length === 1, 30_000, "one member archiving");
        const [archiver] = await archiving();
        const cut = node(archiver!).address;
        const others = cluster.layout.filter((n) => n.name !== archiver).map((n) => n.address);
        const rules = others.flatMap((other) => [
          ["INPUT", "-s", cut, "-d", other, "-j", "DROP"],
          ["INPUT", "-s", other, "-d", cut, "-j", "DROP"],
        ]);
        writer.start();
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const cutAt = Date.now();
        for (const rule of rules) execFileSync("iptables", ["-I", ...rule]);
        let next: { node: string; afterMs: number };
        try {
          next = await takenOver(archiver!, cutAt);
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, 20_000 - (Date.now() - cutAt))));
        } finally {
          for (const rule of rules) execFileSync("iptables", ["-D", ...rule]);
        }
        await new Promise((resolve) => setTimeout(resolve, 3000));
        await writer.stop();
        await cluster.waitFor(allSynced(3), 120_000, `${archiver} back in the cluster`);
        await new Promise((resolve) => setTimeout(resolve, 1500));
        const lags = checkArchive(`after ${archiver} was cut off`);
        console.log(
          `${next.node} took over ${next.afterMs} ms after ${archiver} was cut off; ${describeLags(lags)}`,
        );
      },
    );

    step(
      "then, the destination gone for 30 s, the archiver says so and catches up once it is back: no gap",
      async () => {
        const [archiver] = await archiving();
        const root = join(stateDir, "backups");
        writer.start();
        await new Promise((resolve) => setTimeout(resolve, 1000));
        renameSync(root, `${root}.away`);
        let failure: string | null = null;
        try {
          await eventually(
            async () => {
              failure = (await statuses()).find((s) => s.node === archiver)?.archive?.failure ?? null;
              return failure !== null;
            },
            10_000,
            `${archiver} reporting the destination's failure`,
          );
          await new Promise((resolve) => setTimeout(resolve, 30_000));
        } finally {
          renameSync(`${root}.away`, root);
        }
        assert.match(String(failure), /cannot be listed|storing archive segment/);
        await new Promise((resolve) => setTimeout(resolve, 3000));
        await writer.stop();
        await new Promise((resolve) => setTimeout(resolve, 2000));
        const lags = checkArchive("after the destination came back");
        console.log(`destination away 30 s (${archiver} said: ${failure}); ${describeLags(lags)}`);
        const after = (await statuses()).find((s) => s.node === archiver)?.archive;
        assert.equal(after?.failure, null, "the failure cleared");
      },
    );
  },
);
