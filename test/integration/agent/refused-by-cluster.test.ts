import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chownSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { lookUpOsUser } from "../../../src/mysqld/os-user.js";
import { fingerprint } from "../../support/datadir-fingerprint.js";
import { installDatadir } from "../../support/install-datadir.js";
import { probe } from "../../support/http-probe.js";
import { makeStateDir } from "../../support/local-cluster-harness.js";
import { errorLines, runCli, spawnCli, type CliResult } from "../../support/run-cli.js";

/**
 * The bad inputs only a running cluster reveals (docs/bad-inputs.md): a node set to another
 * cluster name, a datadir of another cluster, an SST password the datadir does not hold.
 * Each ends the agent with one line and its exit code, instead of restarting mariadbd forever.
 * A real seed (cluster "alpha") on 127.0.21.20; the other nodes on 127.0.21.21.
 */
describe("given a running cluster and a node that does not fit it", { timeout: 600_000 }, () => {
  const seedAddress = "127.0.21.20";
  const joinerAddress = "127.0.21.21";
  const base = makeStateDir("refused");
  const seedData = join(base, "seed-data");
  let seed: { child: import("node:child_process").ChildProcess; result: Promise<CliResult> } | null = null;

  const env = (extra: Record<string, string>): Record<string, string> => ({
    MYSQL_ROOT_PASSWORD: "root-pw",
    XTRABACKUP_PASSWORD: "sst-pw",
    GALERA_PILOT_CLUSTER_SECRET: "cluster-secret",
    GALERA_PILOT_CLUSTER_NAME: "alpha",
    GALERA_PILOT_SAMPLE_INTERVAL: "500",
    GALERA_PILOT_DRAIN: "0",
    ...extra,
  });
  const seedEnv = (extra: Record<string, string> = {}) =>
    env({
      GALERA_PILOT_NAME: "s1",
      GALERA_PILOT_ADDRESS: seedAddress,
      GALERA_PILOT_HEALTH_ADDRESS: seedAddress,
      GALERA_PILOT_DATADIR: seedData,
      GALERA_PILOT_RUN_DIR: join(base, "seed-run"),
      ...extra,
    });
  const joinerEnv = (datadir: string, extra: Record<string, string> = {}) =>
    env({
      GALERA_PILOT_NAME: "j1",
      GALERA_PILOT_ADDRESS: joinerAddress,
      GALERA_PILOT_HEALTH_ADDRESS: joinerAddress,
      GALERA_PILOT_DATADIR: datadir,
      GALERA_PILOT_RUN_DIR: join(base, "joiner-run"),
      ...extra,
    });

  const waitReady = async (address: string, run: { result: Promise<CliResult> }): Promise<void> => {
    let exited: CliResult | null = null;
    void run.result.then((r) => (exited = r));
    const deadline = Date.now() + 180_000;
    for (;;) {
      if ((await probe(address, 8080, "/ready").catch(() => null))?.code === 200) return;
      if (exited) throw new Error(`the agent exited: ${JSON.stringify(exited)}`);
      if (Date.now() > deadline) throw new Error(`${address} not ready within 180 s`);
      await sleep(500);
    }
  };
  const stopSeed = async (): Promise<CliResult | null> => {
    if (!seed) return null;
    seed.child.kill("SIGTERM");
    const result = await seed.result;
    seed = null;
    return result;
  };
  const assertOneLine = (result: CliResult, exit: number, pattern: RegExp): void => {
    const lines = errorLines(result);
    assert.equal(
      result.exitCode,
      exit,
      `exit ${exit}, got ${result.exitCode}:\n${result.stderr.slice(-4000)}`,
    );
    assert.equal(lines.length, 1, `exactly one error line, got:\n${lines.join("\n")}`);
    // Shown in the test's output, for docs/bad-inputs.md.
    console.log(`exit ${result.exitCode}: ${lines[0]}`);
    assert.match(lines[0]!, pattern);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  };

  before(async () => {
    seed = spawnCli(["seed"], seedEnv());
    await waitReady(seedAddress, seed);
  });

  after(async () => {
    await stopSeed();
  });

  it("when a node is set to another cluster name, then it says so in one line, exits 5, and its datadir stays absent", async () => {
    const datadir = join(base, "beta-data");
    const result = await runCli(
      ["node", seedAddress],
      joinerEnv(datadir, { GALERA_PILOT_CLUSTER_NAME: "beta" }),
      120_000,
    );
    assertOneLine(
      result,
      5,
      /peer s1 \(127\.0\.21\.20\) belongs to cluster "alpha" but this node is set to "beta".*set the same GALERA_PILOT_CLUSTER_NAME on every node/,
    );
    assert.equal(fingerprint(datadir), "absent", "nothing was initialised");
  });

  it("when a node's datadir belongs to another cluster, then it refuses in one line, exits 3, and the datadir is byte-identical", async () => {
    const datadir = join(base, "foreign-data");
    const mysql = lookUpOsUser("mysql");
    await installDatadir(datadir);
    writeFileSync(
      join(datadir, "grastate.dat"),
      "# GALERA saved state\nversion: 2.1\nuuid:    2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e\nseqno:   41\nsafe_to_bootstrap: 0\n",
    );
    chownSync(join(datadir, "grastate.dat"), mysql.uid, mysql.gid);
    const before = fingerprint(datadir);
    const result = await runCli(["node", seedAddress], joinerEnv(datadir), 120_000);
    assertOneLine(
      result,
      3,
      /refusing to join: s1 is in a primary component of cluster [0-9a-f-]+, but this datadir holds cluster 2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e \(seqno 41\)/,
    );
    assert.equal(fingerprint(datadir), before, "the datadir is byte-identical");
  });

  it("when a node is restarted with an SST password its datadir does not hold, then it leaves in one line and exits 5", async () => {
    const stopped = await stopSeed();
    assert.equal(stopped?.exitCode, 0, "the seed left cleanly");
    const grastate = readFileSync(join(seedData, "grastate.dat"), "utf8");
    const result = await runCli(["seed"], seedEnv({ XTRABACKUP_PASSWORD: "not-the-sst-pw" }), 180_000);
    assertOneLine(
      result,
      5,
      /XTRABACKUP_PASSWORD is not the password of the SST user "sst" in this datadir.*it left the cluster cleanly and its datadir is intact/,
    );
    assert.doesNotMatch(result.stdout + result.stderr, /not-the-sst-pw/, "the password is not shown");
    // Intact: the same cluster, and it starts again with the right password.
    assert.equal(
      /uuid:\s+(\S+)/.exec(readFileSync(join(seedData, "grastate.dat"), "utf8"))?.[1],
      /uuid:\s+(\S+)/.exec(grastate)?.[1],
    );
    seed = spawnCli(["seed"], seedEnv());
    await waitReady(seedAddress, seed);
  });
});
