import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { runToCompletion } from "../../../src/process/child-exit.js";
import { lookUpOsUser } from "../../../src/mysqld/os-user.js";
import { makeStateDir } from "../../support/local-cluster-harness.js";
import { startLocalRunner, type LocalRunner } from "../../support/local-runner.js";
import { probe } from "../../support/http-probe.js";
import { runCli } from "../../support/run-cli.js";

/** The repository (this file runs from dist/test/integration/local/). */
const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));

/**
 * What `npm start` runs — `galera-pilot local up` as a process, with HAProxy in front — and
 * what a person does with it from another terminal: status (table and --json), a client
 * through the router with client.cnf, stop/start of a node, and Ctrl-C.
 */
describe("given `galera-pilot local up` in the foreground", { timeout: 600_000 }, () => {
  const stateDir = makeStateDir("npm-start");
  const flags = ["--state-dir", stateDir];
  let runner: LocalRunner;
  const output = (): string => runner.output();
  const cli = (...args: string[]) => runCli([...args, ...flags], {});
  const statusJson = async () =>
    JSON.parse((await cli("status", "--json")).stdout) as {
      nodes: {
        name: string;
        phase: string;
        clusterSize: number | null;
        writer: boolean;
        socket: string;
        pid: number | null;
      }[];
      proxy: { writer: string; reader: string };
      clientConfig: string;
    };

  /** `npm start` after its setup step: the runner in the foreground, its output collected. */
  const startRunner = async (): Promise<void> => {
    runner = await startLocalRunner([
      ...flags,
      "--first-address",
      "127.0.11.2",
      "--router-address",
      "127.0.11.1",
    ]);
    await runner.waitForOutput(/3 of 3 nodes synced after [\d.]+ s/, 1000);
  };

  before(startRunner);

  const client = (port: number, sqlText: string) =>
    runToCompletion("mariadb", [
      `--defaults-extra-file=${stateDir}/client.cnf`,
      "-h",
      "127.0.11.1",
      "-P",
      String(port),
      "-N",
      "-e",
      sqlText,
    ]);

  after(async () => {
    await runner?.stop();
  });

  it("then it prints how to connect, and status --json has the documented shape", async () => {
    assert.match(
      output(),
      new RegExp(`connect: mariadb --defaults-extra-file=${stateDir}/client.cnf -h 127\\.0\\.11\\.1`),
    );
    // The writer is elected from the agents' reports of each other, so it may take a poll
    // interval to appear after the last node syncs; two writers at any moment are a bug.
    let status = await statusJson();
    for (const deadline = Date.now() + 5000; ; status = await statusJson()) {
      const writers = status.nodes.filter((n) => n.writer).map((n) => n.name);
      assert.ok(writers.length <= 1, `two writers at once: ${writers.join(", ")}`);
      if (writers.length === 1 || Date.now() > deadline) break;
      await sleep(100);
    }
    assert.deepEqual(
      status.nodes.map((n) => [n.name, n.phase, n.clusterSize]),
      [
        ["n1", "synced", 3],
        ["n2", "synced", 3],
        ["n3", "synced", 3],
      ],
    );
    assert.deepEqual(status.proxy, {
      writer: "127.0.11.1:3306",
      reader: "127.0.11.1:3307",
      stats: "http://127.0.11.1:8404/",
    });
    assert.equal(status.nodes.filter((n) => n.writer).length, 1, "exactly one writer");
    // The documented example (docs/local-cluster.md) and the answer have the same fields, of
    // the same types (null allowed where the example shows a value: a node may not know it).
    const documented = JSON.parse(
      /## `galera-pilot status --json`\n\n```json\n([\s\S]*?)\n```/.exec(
        readFileSync(join(repoRoot, "docs", "local-cluster.md"), "utf8"),
      )![1]!,
    ) as Record<string, unknown> & { nodes: Record<string, unknown>[] };
    const shape = (value: Record<string, unknown>): string[] =>
      Object.keys(value)
        .sort()
        .map((key) => `${key}: ${Array.isArray(value[key]) ? "array" : typeof value[key]}`);
    const nullable = (answer: Record<string, unknown>, example: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(answer).map(([k, v]) => [k, v === null ? example[k] : v]));
    const answer = JSON.parse((await cli("status", "--json")).stdout) as typeof documented;
    assert.deepEqual(shape(answer), shape(documented), "status --json: top-level fields");
    assert.deepEqual(
      shape(answer.proxy as Record<string, unknown>),
      shape(documented.proxy as Record<string, unknown>),
      "status --json: proxy fields",
    );
    for (const node of answer.nodes) {
      assert.deepEqual(
        shape(nullable(node, documented.nodes[0]!)),
        shape(documented.nodes[0]!),
        `status --json: fields of ${String(node.name)}`,
      );
    }
    assert.equal(status.clientConfig, `${stateDir}/client.cnf`);
    assert.equal(statSync(status.clientConfig).mode & 0o777, 0o600);
    const mysqlUid = lookUpOsUser("mysql").uid;
    for (const node of status.nodes) {
      assert.ok(node.pid && node.pid > 1);
      assert.equal(node.socket, `${stateDir}/${node.name}/run/mysqld.sock`);
      // The rendered server config holds the SST password: readable by the server's user only.
      const config = statSync(join(stateDir, node.name, "run", "my.cnf"));
      assert.equal(config.mode & 0o777, 0o600, `${node.name}'s my.cnf mode`);
      assert.equal(config.uid, mysqlUid, `${node.name}'s my.cnf belongs to mysql`);
    }
    const table = (await cli("status")).stdout;
    assert.match(table, /^NODE\s+ADDRESS\s+PHASE/m);
    assert.match(table, /^n2\s+127\.0\.11\.3\s+synced\s+Synced\s+Primary\s+3/m);
  });

  it("when a client connects through the router with client.cnf, then it writes and reads back", async () => {
    const deadline = Date.now() + 30_000;
    let write = await client(
      3306,
      "CREATE DATABASE IF NOT EXISTS app; CREATE TABLE IF NOT EXISTS app.t (id INT PRIMARY KEY); REPLACE INTO app.t VALUES (7)",
    );
    // HAProxy marks servers up after two passing checks; retry until it routes.
    while (write.exitCode !== 0 && Date.now() < deadline) {
      await sleep(500);
      write = await client(
        3306,
        "CREATE DATABASE IF NOT EXISTS app; CREATE TABLE IF NOT EXISTS app.t (id INT PRIMARY KEY); REPLACE INTO app.t VALUES (7)",
      );
    }
    assert.equal(write.exitCode, 0, write.stderr);
    const read = await client(3307, "SET SESSION wsrep_sync_wait=1; SELECT id FROM app.t");
    assert.equal(read.exitCode, 0, read.stderr);
    assert.equal(read.stdout.trim(), "7");
  });

  it("when n2 is drained from another terminal, then it leaves the pools before the cluster, and start brings it back", async () => {
    const drain = cli("drain", "n2");
    // While draining, n2 answers 503 on /ready but is still a member: n1 sees 3 nodes.
    let sawDrainingMember = false;
    let done = false;
    void drain.then(() => (done = true));
    while (!done) {
      const [ready, n1] = await Promise.all([
        probe("127.0.11.3", 8080, "/ready").catch(() => null),
        fetch("http://127.0.11.2:8080/status").then((r) => r.json() as Promise<{ clusterSize: number }>),
      ]);
      if (ready?.code === 503 && n1.clusterSize === 3) sawDrainingMember = true;
      await sleep(100);
    }
    const drained = await drain;
    assert.equal(drained.exitCode, 0, drained.stderr);
    assert.ok(sawDrainingMember, "n2 left the pools (/ready 503) while still a member of the cluster");
    let status = await statusJson();
    assert.equal(status.nodes.find((n) => n.name === "n2")!.phase, "stopped");
    // n1 reports from its last sample (every 500 ms), which may predate n2's leave by a moment.
    for (const until = Date.now() + 5000; ; status = await statusJson()) {
      if (status.nodes.find((n) => n.name === "n1")!.clusterSize === 2 || Date.now() > until) break;
      await sleep(200);
    }
    assert.equal(status.nodes.find((n) => n.name === "n1")!.clusterSize, 2, "n2 left the cluster cleanly");
    const start = await cli("start", "n2");
    assert.equal(start.exitCode, 0, start.stderr);
    const deadline = Date.now() + 120_000;
    do {
      await sleep(500);
      status = await statusJson();
    } while (
      !status.nodes.every((n) => n.phase === "synced" && n.clusterSize === 3) &&
      Date.now() < deadline
    );
    assert.ok(
      status.nodes.every((n) => n.phase === "synced" && n.clusterSize === 3),
      JSON.stringify(status.nodes),
    );
  });

  it("then no secret appears in any process's command line, in any log, or in any HTTP answer", async () => {
    const secrets = ["root.password", "sst.password", "app.password", "cluster.secret"].map((f) =>
      readFileSync(join(stateDir, "secrets", f), "utf8").trim(),
    );
    assert.ok(secrets.every((s) => s.length >= 16));
    const places: [string, string][] = [];
    for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
      try {
        places.push([`/proc/${pid}/cmdline`, readFileSync(`/proc/${pid}/cmdline`, "utf8")]);
      } catch {
        // The process ended meanwhile.
      }
    }
    for (const name of ["n1", "n2", "n3"])
      places.push([`${name}/agent.log`, readFileSync(join(stateDir, name, "agent.log"), "utf8")]);
    places.push(["haproxy.log", readFileSync(join(stateDir, "haproxy.log"), "utf8")]);
    for (const path of ["/", "/ready", "/live", "/writer", "/status", "/metrics", "/peer/state"]) {
      const answer = await probe("127.0.11.2", 8080, path);
      places.push([`GET ${path}`, answer.raw]);
    }
    places.push(["status --json", (await cli("status", "--json")).stdout]);
    for (const [place, text] of places) {
      for (const secret of secrets) assert.ok(!text.includes(secret), `a secret appears in ${place}`);
    }
  });

  it("when an unknown node is named, then the command says so in one line", async () => {
    const result = await cli("stop", "n9");
    assert.notEqual(result.exitCode, 0);
    assert.match(
      result.stderr.trim(),
      /^galera-pilot: no node named "n9" in the local cluster; nodes: n1, n2, n3$/,
    );
  });

  it("when Ctrl-C is pressed, then every node leaves cleanly and the runner exits 0", async () => {
    const code = await runner.stop();
    assert.equal(code, 0, output());
    assert.match(output(), /stopped; `npm start` brings the same data back/);
    const leftovers = await runToCompletion("pgrep", ["-f", stateDir]);
    assert.equal(leftovers.stdout.trim(), "", "no process of this cluster is left");
  });

  it("when `npm start` runs again, then the same data is back; `down` from another terminal stops it", async () => {
    await startRunner();
    // HAProxy marks servers up after passing checks; retry until the read pool routes.
    let read = await client(3307, "SET SESSION wsrep_sync_wait=1; SELECT id FROM app.t");
    for (const deadline = Date.now() + 30_000; read.exitCode !== 0 && Date.now() < deadline;) {
      await sleep(500);
      read = await client(3307, "SET SESSION wsrep_sync_wait=1; SELECT id FROM app.t");
    }
    assert.equal(read.exitCode, 0, read.stderr);
    assert.equal(read.stdout.trim(), "7", "the row written before Ctrl-C is back");
    for (const node of (await statusJson()).nodes) {
      const rows = await runToCompletion("mariadb", ["-S", node.socket, "-N", "-e", "SELECT id FROM app.t"]);
      assert.equal(rows.stdout.trim(), "7", `${node.name} holds the row`);
    }
    const down = await cli("down");
    assert.equal(down.exitCode, 0, down.stderr);
    const code =
      runner.child.exitCode ??
      (await new Promise<number | null>((resolve) => runner.child.once("exit", resolve)));
    assert.equal(code, 0, output());
    const leftovers = await runToCompletion("pgrep", ["-f", stateDir]);
    assert.equal(leftovers.stdout.trim(), "", "no process of this cluster is left after down");
  });
});
