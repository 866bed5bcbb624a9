import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { primaryLosses } from "../../../src/mysqld/primary-losses.js";
import { AckedWriter } from "../../support/acked-writer.js";
import { fingerprint } from "../../support/datadir-fingerprint.js";
import { failureAwareSteps } from "../../support/failure-aware-steps.js";
import { agentLog, allSynced, sql, testCluster } from "../../support/local-cluster-harness.js";
import { runCli, spawnCli, type CliResult } from "../../support/run-cli.js";
import { S3StandIn, standInAccessKeyId, standInSecretAccessKey } from "../../support/s3-stand-in.js";

/**
 * Backups of a real 3-node cluster (docs/backups.md): taken by the agent of the node the rules
 * choose while appends run, verified by a restore drill, failed cleanly when their node is
 * killed or their destination fills up, and restored into a new cluster that holds every
 * append acknowledged before the backup began. Addresses 127.0.19.x; the destination is the
 * state folder's backups/ (what the local runner gives its agents).
 */
describe(
  "given a 3-node cluster taking appends, with a folder as its backup destination",
  { timeout: 900_000 },
  () => {
    const { cluster, events } = testCluster("backup", "127.0.19.2");
    const stateDir = join(cluster.layout[0]!.datadir, "..", "..");
    const destination = join(stateDir, "backups");
    const node = (name: string) => cluster.layout.find((n) => n.name === name)!;
    const writer = new AckedWriter(node("n1").socket);
    const { step, failed } = failureAwareSteps();
    const env = (): Record<string, string> => ({
      GALERA_PILOT_CLUSTER_SECRET_FILE: join(stateDir, "secrets", "cluster.secret"),
      GALERA_PILOT_BACKUP_DESTINATION: destination,
    });
    const agents = cluster.layout.map((n) => `${n.name}=${n.healthUrl}`).join(",");
    const cli = (args: string[], timeoutMs = 300_000): Promise<CliResult> => runCli(args, env(), timeoutMs);
    const manifests = (): Record<
      string,
      { state: string; failure?: string; node: string; position?: { seqno: number } }
    > =>
      Object.fromEntries(
        readdirSync(destination)
          .filter((name) => existsSync(join(destination, name, "manifest.json")))
          .map((id) => [id, JSON.parse(readFileSync(join(destination, id, "manifest.json"), "utf8"))]),
      );
    let backupId = "";
    let ackedBeforeBackup: number[] = [];
    /** Waits for the backup's mariabackup to run, and holds it still (SIGSTOP): a fault lands mid-stream. */
    const holdMariabackup = async (): Promise<{ pid: number; node: string }> => {
      let held: { pid: number; node: string } | null = null;
      await cluster.waitFor(
        () => {
          held = stoppedMariabackup(cluster.layout.map((n) => ({ name: n.name, socket: n.socket })));
          return held !== null;
        },
        60_000,
        "mariabackup running",
      );
      return held!;
    };

    before(async () => {
      await cluster.up();
      await cluster.waitFor(allSynced(3), 240_000, "3 of 3 synced");
      await writer.createTable();
      // Enough data that the backup has files to copy, and appends that keep coming.
      await sql(
        node("n1").socket,
        "CREATE TABLE t.filler (id INT PRIMARY KEY AUTO_INCREMENT, pad CHAR(200))",
      );
      await sql(
        node("n1").socket,
        "INSERT INTO t.filler (pad) SELECT REPEAT('x', 200) FROM t.seq_1_to_50000",
      );
      await writer.writeRows(50);
      writer.start();
    });
    after(async () => {
      await writer.stop();
      await cluster.down();
      if (failed()) console.error(events.join("\n"));
    });

    step(
      "when a backup is asked for, then it is taken on a synced member that is not the writer, which leaves the pools meanwhile, and ends complete with its position",
      async () => {
        // Let the appends run a while first: the backup must catch them mid-flow.
        await new Promise((resolve) => setTimeout(resolve, 3000));
        ackedBeforeBackup = [...writer.acknowledged];
        const logFrom = new Map(cluster.layout.map((n) => [n.name, agentLog(cluster, n.name).length]));
        const result = await cli(["backup", "--nodes", agents]);
        // A backup desyncs one node; the cluster's primary component is never lost meanwhile.
        for (const n of cluster.layout) {
          const losses = primaryLosses(agentLog(cluster, n.name).slice(logFrom.get(n.name)));
          assert.deepEqual(losses, [], `${n.name}'s primary component during the backup`);
        }
        assert.equal(result.exitCode, 0, result.stderr + result.stdout);
        const chosen = /^backing up on (n\d): /m.exec(result.stdout)?.[1];
        assert.ok(chosen, result.stdout);
        const statuses = await cluster.status();
        assert.ok(
          !statuses.find((s) => s.name === chosen)!.writer || statuses.every((s) => !s.writer),
          "not the writer",
        );
        backupId = /^backup (\S+) started on /m.exec(result.stdout)![1]!;
        assert.match(
          result.stdout,
          new RegExp(`^backup ${backupId} is complete \\(on ${chosen}, in ${destination}\\)$`, "m"),
        );
        const manifest = manifests()[backupId]!;
        assert.equal(manifest.state, "complete");
        assert.ok(manifest.position!.seqno > 0);
        // Out of the pools while it ran, and back once it ended.
        const log = agentLog(cluster, chosen);
        assert.match(
          log,
          /no action: n\d is being backed up, desynced for it: out of the routers' pools until the backup ends/,
        );
        assert.match(log, new RegExp(`backup ${backupId} is complete: .*; ${chosen} is back in the pools`));
        await cluster.waitFor(allSynced(3), 60_000, "3 of 3 synced after the backup");
        const desync = await sql(node(chosen).socket, "SELECT @@GLOBAL.wsrep_desync AS d");
        assert.equal(Number(desync[0]!["d"]), 0, "wsrep_desync lifted");
      },
    );

    step(
      "when the backup is listed and verified, then it is complete, restores, holds its manifest's position, and every table checks",
      async () => {
        const list = await cli(["backup", "list", "--destination", destination]);
        assert.equal(list.exitCode, 0, list.stderr);
        assert.match(list.stdout, new RegExp(`^${backupId}\\s+complete\\s+n\\d`, "m"));
        const verify = await cli(["backup", "verify", backupId, "--destination", destination]);
        assert.equal(verify.exitCode, 0, verify.stderr + verify.stdout);
        assert.match(
          verify.stdout,
          new RegExp(
            `^backup ${backupId} is verified: it restores, holds position [0-9a-f-]+:\\d+ as its manifest says, and all \\d+ tables check OK$`,
            "m",
          ),
        );
      },
    );

    step(
      "when the backup node is killed -9 mid-backup, then its backup is marked failed by its next agent, and the node is back, synced, in the pools",
      async () => {
        const run = spawnCli(["backup", "--nodes", agents], env());
        // Hold mariabackup still, so the kill lands mid-stream.
        const held = await holdMariabackup();
        const { node: victim } = held;
        const id = Object.entries(manifests()).find(([, m]) => m.state === "running")![0];
        await cluster.killNode(victim);
        const result = await run.result;
        assert.notEqual(result.exitCode, 0, result.stdout);
        await cluster.waitFor(allSynced(3), 240_000, "3 of 3 synced after the kill");
        await cluster.waitFor(() => manifests()[id]!.state === "failed", 60_000, "the backup marked failed");
        assert.equal(
          manifests()[id]!.failure,
          "the agent taking it stopped before it ended (killed, or its container ended)",
        );
        assert.match(
          agentLog(cluster, victim),
          new RegExp(`backup ${id} was under way when this agent last stopped: it is marked failed`),
        );
        const list = await cli(["backup", "list", "--destination", destination]);
        assert.match(list.stdout, new RegExp(`^${id}\\s+failed\\s+${victim}`, "m"));
      },
    );

    step(
      "when the writer dies during a backup, then another member takes the writer role, never the one being backed up, and the backup still completes",
      async () => {
        const run = spawnCli(["backup", "--nodes", agents], env());
        const held = await holdMariabackup();
        const { pid, node: backingUp } = held;
        const writer = (await cluster.status()).find((s) => s.writer)?.name;
        assert.ok(writer !== undefined && writer !== backingUp, `writer ${writer}, backing up ${backingUp}`);
        const third = cluster.layout
          .map((n) => n.name)
          .find((name) => name !== writer && name !== backingUp)!;
        await cluster.killNode(writer);
        await cluster.waitFor(
          (nodes) => {
            const writers = nodes.filter((n) => n.writer).map((n) => n.name);
            assert.ok(!writers.includes(backingUp), `${backingUp} became the writer while backed up`);
            return writers.length === 1 && writers[0] === third;
          },
          60_000,
          `${third} the writer`,
        );
        process.kill(pid, "SIGCONT");
        const result = await run.result;
        assert.equal(result.exitCode, 0, result.stdout + result.stderr);
        assert.match(result.stdout, new RegExp(`^backup \\S+ is complete \\(on ${backingUp}, in `, "m"));
        await cluster.waitFor(allSynced(3), 240_000, "3 of 3 synced after the writer's restart");
      },
    );

    step(
      "when the destination vanishes mid-stream, then the backup fails, nothing is made in its place, nothing is marked complete, and the node is back in the pools",
      async () => {
        const run = spawnCli(["backup", "--nodes", agents], env());
        const held = await holdMariabackup();
        const { pid, node: backingUp } = held;
        const id = Object.entries(manifests()).find(([, m]) => m.state === "running")![0];
        // As an NFS mount that goes away: the folder is no longer where the agent writes.
        const away = `${destination}.away`;
        renameSync(destination, away);
        try {
          process.kill(pid, "SIGCONT");
          const result = await run.result;
          assert.equal(result.exitCode, 8, result.stdout + result.stderr);
          assert.match(
            result.stderr,
            new RegExp(
              `^galera-pilot: backup ${id} failed on ${backingUp}: .*no such file or folder \\(ENOENT\\); its manifest could not be marked failed \\(the destination failed too\\): it stays running there and reads as abandoned once its progress is a minute old; it is never restored; ${backingUp} is back in the pools$`,
              "m",
            ),
          );
          assert.equal(existsSync(destination), false, "the vanished destination was made again");
        } finally {
          renameSync(away, destination);
        }
        assert.equal(manifests()[id]!.state, "running");
        await cluster.waitFor(allSynced(3), 60_000, "3 of 3 synced after the failed backup");
        const desync = await sql(node(backingUp).socket, "SELECT @@GLOBAL.wsrep_desync AS d");
        assert.equal(Number(desync[0]!["d"]), 0, "wsrep_desync lifted");
      },
    );

    step(
      "when the destination fills up mid-stream, then the backup fails with the reason, nothing is marked complete, no partial stream is left, and its node is back in the pools",
      async () => {
        const full = join(stateDir, "small-destination");
        mkdirSync(full, { recursive: true });
        execFileSync("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", full]);
        try {
          // Only this node's agent writes there: its GALERA_PILOT_BACKUP_DESTINATION, by restart.
          const small = "n3";
          cluster.setNodeEnv(small, { GALERA_PILOT_BACKUP_DESTINATION: full });
          await cluster.stopNode(small);
          cluster.startNode(small);
          await cluster.waitFor(allSynced(3), 240_000, "3 of 3 synced with n3's small destination");
          const result = await cli(["backup", "--nodes", agents, "--node", small]);
          assert.equal(result.exitCode, 8, result.stdout + result.stderr);
          assert.match(
            result.stderr,
            // zstd writes the file itself: its own words for the full disk.
            /^galera-pilot: backup \S+-n3 failed on n3: writing backup \S+ to .* failed: .*no space left on (the )?device\b.*; it is marked failed and never restored; n3 is back in the pools$/im,
          );
          const [id] = readdirSync(full).filter((name) => /^\d{8}T/.test(name));
          const manifest = JSON.parse(readFileSync(join(full, id!, "manifest.json"), "utf8")) as {
            state: string;
          };
          assert.equal(manifest.state, "failed");
          assert.deepEqual(readdirSync(join(full, id!)), ["manifest.json"]);
          await cluster.waitFor(allSynced(3), 60_000, "3 of 3 synced after the failed backup");
          cluster.setNodeEnv(small, { GALERA_PILOT_BACKUP_DESTINATION: destination });
        } finally {
          execFileSync("umount", ["-l", full]);
        }
      },
    );

    step(
      "when asked to restore into a datadir that holds data, or to restore a failed backup, then it refuses in one line and changes nothing",
      async () => {
        // A folder holding data (a live datadir changes by itself: a copy of a datadir's files).
        const datadir = join(stateDir, "holds-data");
        mkdirSync(datadir);
        cpSync(join(node("n2").datadir, "grastate.dat"), join(datadir, "grastate.dat"));
        writeFileSync(join(datadir, "ibdata1"), "precious");
        const before = fingerprint(datadir);
        const busy = await cli([
          "restore",
          "--from",
          backupId,
          "--datadir",
          datadir,
          "--destination",
          destination,
        ]);
        assert.equal(busy.exitCode, 2);
        assert.match(
          busy.stderr,
          /^galera-pilot: the datadir \S+ is not empty \(\d+ entries, .*\); nothing was changed; restore into an empty or absent folder, or move this one aside first\n$/,
        );
        assert.equal(fingerprint(datadir), before);
        const failedId = Object.entries(manifests()).find(([, m]) => m.state === "failed")![0];
        const target = join(stateDir, "never");
        const refused = await cli([
          "restore",
          "--from",
          failedId,
          "--datadir",
          target,
          "--destination",
          destination,
        ]);
        assert.equal(refused.exitCode, 8);
        assert.match(
          refused.stderr,
          /is failed \(.*\), and only a complete backup is restored; nothing was changed/,
        );
        assert.equal(existsSync(target), false);
      },
    );

    step(
      "when a stored stream is corrupt or cut short, then verify and restore refuse it and leave the target as it was",
      async () => {
        const copy = join(stateDir, "damaged");
        cpSync(destination, copy, { recursive: true });
        const data = join(copy, backupId, "backup.mbstream.zst");
        const bytes = readFileSync(data);
        const middle = Math.floor(bytes.length / 2);
        bytes[middle] = bytes[middle]! ^ 0xff;
        writeFileSync(data, bytes);
        const target = join(stateDir, "restored-damaged");
        const corrupt = await cli([
          "restore",
          "--from",
          backupId,
          "--datadir",
          target,
          "--destination",
          copy,
        ]);
        assert.equal(corrupt.exitCode, 8);
        assert.match(
          corrupt.stderr,
          /^galera-pilot: backup \S+ was not restored: .*; the datadir \S+ was left as it was\n$/,
        );
        assert.ok(!existsSync(target) || readdirSync(target).length === 0);
        writeFileSync(data, bytes.subarray(0, Math.floor(bytes.length / 3)));
        const cut = await cli(["backup", "verify", backupId, "--destination", copy]);
        assert.equal(cut.exitCode, 8);
        assert.match(cut.stderr, /^galera-pilot: backup \S+ does not restore: /);
        // Nothing of the drills is left beside the target.
        assert.deepEqual(
          readdirSync(stateDir).filter((name) => name.includes("restoring")),
          [],
        );
      },
    );

    step(
      "when a node's destination is S3 (a local stand-in), then its backup streams there, complete, and is listed and verified from there",
      async () => {
        const standIn = await S3StandIn.start({ buckets: ["backups"] });
        const s3 = {
          GALERA_PILOT_S3_ENDPOINT: standIn.endpoint,
          GALERA_PILOT_S3_ACCESS_KEY_ID: standInAccessKeyId,
          GALERA_PILOT_S3_SECRET_ACCESS_KEY: standInSecretAccessKey,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        };
        try {
          const onS3 = "n2";
          cluster.setNodeEnv(onS3, { ...s3, GALERA_PILOT_BACKUP_DESTINATION: "s3://backups/cluster" });
          await cluster.stopNode(onS3);
          cluster.startNode(onS3);
          await cluster.waitFor(allSynced(3), 240_000, "3 of 3 synced with n2 on S3");
          const result = await cli(["backup", "--nodes", agents, "--node", onS3]);
          assert.equal(result.exitCode, 0, result.stdout + result.stderr);
          const id = /^backup (\S+) started on n2$/m.exec(result.stdout)![1]!;
          assert.match(
            result.stdout,
            new RegExp(`^backup ${id} is complete \\(on n2, in s3://backups/cluster\\)$`, "m"),
          );
          const onStore = (args: string[]) => runCli(args, { ...env(), ...s3 }, 300_000);
          const list = await onStore(["backup", "list", "--destination", "s3://backups/cluster"]);
          assert.match(list.stdout, new RegExp(`^${id}\\s+complete\\s+n2`, "m"));
          const verify = await onStore(["backup", "verify", id, "--destination", "s3://backups/cluster"]);
          assert.equal(verify.exitCode, 0, verify.stdout + verify.stderr);
          assert.match(verify.stdout, new RegExp(`^backup ${id} is verified: `, "m"));
          assert.deepEqual(await standIn.pendingUploads("backups"), []);
          cluster.setNodeEnv(onS3, { GALERA_PILOT_BACKUP_DESTINATION: destination });
        } finally {
          await standIn.dispose();
        }
      },
    );

    step(
      "when the cluster is destroyed and a new one is started from the backup, then it holds every append acknowledged before the backup began, and its three nodes agree",
      async () => {
        await writer.stop();
        await cluster.down();
        for (const n of cluster.layout) rmSync(n.datadir, { recursive: true, force: true });
        const restored = await cli([
          "restore",
          "--from",
          backupId,
          "--datadir",
          node("n1").datadir,
          "--destination",
          destination,
        ]);
        assert.equal(restored.exitCode, 0, restored.stderr);
        assert.match(
          restored.stdout,
          new RegExp(
            `^backup ${backupId} is restored into \\S+ \\(position [0-9a-f-]+:\\d+, taken on n\\d at \\S+\\); start a new cluster from it: its node as seed, the others join it$`,
            "m",
          ),
        );
        cluster.resume();
        for (const n of cluster.layout) cluster.startNode(n.name);
        await cluster.waitFor(allSynced(3), 300_000, "3 of 3 synced from the backup");
        const present = new Set(
          (await sql(node("n2").socket, "SELECT id FROM t.acked")).map((r) => Number(r["id"])),
        );
        const missing = ackedBeforeBackup.filter((id) => !present.has(id));
        assert.deepEqual(missing, [], "appends acknowledged before the backup began");
        // One client appended in order, so the backup holds a prefix of its appends: every
        // acknowledged append up to the newest one restored is there, none skipped.
        const newest = Math.max(...present);
        const holes = writer.acknowledged.filter((id) => id <= newest && !present.has(id));
        assert.deepEqual(holes, [], "acknowledged appends missing below the newest restored one");
        const checksums = await Promise.all(
          cluster.layout.map(async (n) =>
            (await sql(n.socket, "CHECKSUM TABLE t.acked, t.filler"))
              .map((r) => String(r["Checksum"]))
              .join(","),
          ),
        );
        assert.equal(new Set(checksums).size, 1, checksums.join(" | "));
        console.log(
          `restored: ${present.size} appends present (up to ${newest}, none missing below it), ${ackedBeforeBackup.length} acknowledged before the backup began, all of them present`,
        );
      },
    );

    step(
      "when every node is started empty with GALERA_PILOT_RESTORE_FROM, then only the node chosen to bootstrap restores the backup, the others join it by SST, and a restart never restores again",
      async () => {
        await cluster.down();
        for (const n of cluster.layout) rmSync(n.datadir, { recursive: true, force: true });
        for (const n of cluster.layout) {
          cluster.setNodeEnv(n.name, {
            GALERA_PILOT_BACKUP_DESTINATION: destination,
            GALERA_PILOT_RESTORE_FROM: backupId,
          });
        }
        const logFrom = new Map(cluster.layout.map((n) => [n.name, agentLog(cluster, n.name).length]));
        const since = (name: string): string => agentLog(cluster, name).slice(logFrom.get(name));
        cluster.resume();
        for (const n of cluster.layout) cluster.startNode(n.name);
        await cluster.waitFor(allSynced(3), 300_000, "3 of 3 synced from GALERA_PILOT_RESTORE_FROM");
        const restorers = cluster.layout.filter((n) =>
          new RegExp(
            `restoring backup ${backupId} from ${destination} before bootstrapping the new cluster`,
          ).test(since(n.name)),
        );
        assert.equal(restorers.length, 1, restorers.map((n) => n.name).join(", "));
        const restorer = restorers[0]!.name;
        assert.match(
          since(restorer),
          new RegExp(`restored backup ${backupId} in [\\d.]+ s: bootstrapping the new cluster from it`),
        );
        const present = new Set(
          (await sql(node("n3").socket, "SELECT id FROM t.acked")).map((r) => Number(r["id"])),
        );
        assert.deepEqual(
          ackedBeforeBackup.filter((id) => !present.has(id)),
          [],
          "appends acknowledged before the backup began",
        );
        const rows = await Promise.all(
          cluster.layout.map(
            async (n) => (await sql(n.socket, "SELECT COUNT(*) AS c FROM t.acked"))[0]!["c"],
          ),
        );
        assert.equal(new Set(rows.map(String)).size, 1, rows.join(" | "));
        // Started again, it holds data: the setting is not acted on.
        const before = agentLog(cluster, restorer).length;
        await cluster.stopNode(restorer);
        cluster.startNode(restorer);
        await cluster.waitFor(allSynced(3), 240_000, "3 of 3 synced after the restorer's restart");
        const again = agentLog(cluster, restorer).slice(before);
        assert.match(
          again,
          new RegExp(`GALERA_PILOT_RESTORE_FROM=${backupId} is not acted on: the datadir holds data`),
        );
        assert.doesNotMatch(again, /restoring backup/);
      },
    );
  },
);

/**
 * The mariabackup process reading one of these nodes, stopped (SIGSTOP) so that the backup
 * stays mid-stream; null while none runs.
 */
function stoppedMariabackup(nodes: { name: string; socket: string }[]): { pid: number; node: string } | null {
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    } catch {
      continue;
    }
    if (!argv[0]?.endsWith("mariabackup") || !argv.includes("--backup")) continue;
    const found = nodes.find((n) => argv.includes(`--socket=${n.socket}`));
    if (!found) continue;
    process.kill(Number(pid), "SIGSTOP");
    return { pid: Number(pid), node: found.name };
  }
  return null;
}
