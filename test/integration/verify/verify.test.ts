import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { VerifyReport } from "../../../src/verify/verify-run.js";
import { agentEntry, makeStateDir } from "../../support/local-cluster-harness.js";
import { runCli } from "../../support/run-cli.js";
import { startLocalRunner, type LocalRunner } from "../../support/local-runner.js";

/** A local cluster in the foreground, as `npm start` runs it, on addresses of its own. */
async function startLocalCluster(
  stateDir: string,
  firstAddress: string,
  routerAddress: string,
  extra: string[] = [],
): Promise<LocalRunner> {
  return startLocalRunner([
    "--state-dir",
    stateDir,
    "--first-address",
    firstAddress,
    "--router-address",
    routerAddress,
    ...extra,
  ]);
}

describe("given `galera-pilot verify` on the local cluster", { timeout: 1_200_000 }, () => {
  const stops: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const stop of stops) await stop();
  });

  const strictStateDir = makeStateDir("verify-strict");
  let strictCluster: LocalRunner | null = null;

  it("with the default durability, the CI profile (a crash, a partition, a total outage, restarts in random order) loses nothing", async () => {
    const stateDir = strictStateDir;
    const cluster = await startLocalCluster(stateDir, "127.0.23.2", "127.0.23.1");
    strictCluster = cluster;
    stops.push(cluster.stop);
    const reportPath = join(stateDir, "report.json");
    const run = await runCli(
      ["verify", "--profile", "ci", "--seed", "42", "--report", reportPath, "--state-dir", stateDir],
      {},
      600_000,
    );
    const report = JSON.parse(readFileSync(reportPath, "utf8")) as VerifyReport;
    assert.equal(run.exitCode, 0, `${run.stdout}\n${run.stderr}`);
    assert.equal(report.verdict, "pass");
    assert.deepEqual(report.faults.map((f) => f.kind).sort(), [
      "isolate-one",
      "kill-all",
      "kill-one",
      "restart-random",
    ]);
    for (const fault of report.faults)
      assert.ok(fault.recoveredAfterMs !== null, `${fault.kind} did not recover`);
    assert.equal(report.appends.lost, 0);
    assert.ok(report.appends.acknowledged > 500, `only ${report.appends.acknowledged} appends acknowledged`);
    assert.ok(report.bank.acknowledged > 100, `only ${report.bank.acknowledged} transfers acknowledged`);
    assert.equal(report.convergence.length, 3);
    assert.match(run.stdout, /^PASS: ci profile, seed 42, 4 faults on n1, n2, n3/m);
    assert.match(run.stdout, /no acknowledged write lost; every node holds the same data/);
  });

  it("on a cluster given by its endpoints (as a user's would be), faults come from the user's command", async () => {
    assert.ok(strictCluster, "the cluster of the previous test");
    const env = {
      GALERA_PILOT_VERIFY_USER: "app",
      GALERA_PILOT_VERIFY_PASSWORD_FILE: join(strictStateDir, "secrets", "app.password"),
    };
    const where = [
      "--writer",
      "127.0.23.1:3306",
      "--reader",
      "127.0.23.1:3307",
      "--nodes",
      "n1=127.0.23.2:3306,n2=127.0.23.3:3306,n3=127.0.23.4:3306",
    ];
    const refused = await runCli(["verify", ...where, "--faults", "kill-one"], env);
    assert.equal(refused.exitCode, 2);
    assert.match(
      refused.stderr.trim(),
      /^galera-pilot: verify --faults on your cluster needs --fault-command CMD/,
    );
    assert.equal(refused.stderr.trim().split("\n").length, 1);

    const reportPath = join(strictStateDir, "external-report.json");
    // The user's command: here the local runner's own kill, on each target the run names.
    const faultCommand = `for n in $GALERA_PILOT_FAULT_TARGETS; do "${process.execPath}" "${agentEntry}" kill "$n" --state-dir "${strictStateDir}"; done`;
    const run = await runCli(
      [
        "verify",
        ...where,
        "--fault-command",
        faultCommand,
        "--faults",
        "kill-one",
        "--cycles",
        "2",
        "--seed",
        "3",
        "--report",
        reportPath,
      ],
      env,
      600_000,
    );
    assert.equal(run.exitCode, 0, `${run.stdout}\n${run.stderr}`);
    const report = JSON.parse(readFileSync(reportPath, "utf8")) as VerifyReport;
    assert.equal(report.verdict, "pass");
    assert.equal(report.faults.length, 2);
    for (const fault of report.faults) assert.ok(fault.recoveredAfterMs !== null);
    assert.ok(report.appends.acknowledged > 100);
    assert.equal(report.appends.lost, 0);
    assert.deepEqual(
      report.convergence.map((n) => n.name),
      ["n1", "n2", "n3"],
    );
    await strictCluster.stop();
  });

  it("with the seed post's durability (flush at commit off), a kill -9 of every node under load is caught losing acknowledged writes", async () => {
    const stateDir = makeStateDir("verify-seed");
    const cluster = await startLocalCluster(stateDir, "127.0.24.2", "127.0.24.1", ["--durability", "seed"]);
    stops.push(cluster.stop);
    const reportPath = join(stateDir, "report.json");
    // Two total outages: one already loses the last second of commits nearly always.
    const run = await runCli(
      [
        "verify",
        "--faults",
        "kill-all",
        "--cycles",
        "2",
        "--seed",
        "1",
        "--report",
        reportPath,
        "--state-dir",
        stateDir,
      ],
      {},
      600_000,
    );
    const report = JSON.parse(readFileSync(reportPath, "utf8")) as VerifyReport;
    assert.equal(run.exitCode, 7, `${run.stdout}\n${run.stderr}`);
    assert.equal(report.verdict, "fail");
    assert.ok(report.appends.lost > 0, "no lost write found");
    assert.match(run.stdout, /^FAIL: /m);
    assert.match(run.stdout, /\d+ acknowledged append\(s\) missing on n1/);
    // Each lost write was acknowledged shortly before one of the outages: the report shows when.
    const outages = report.faults.map((f) => Date.parse(f.at));
    for (const lost of report.appends.lostIds) {
      const acked = Date.parse(lost.acknowledgedAt);
      assert.ok(
        outages.some((at) => acked <= at + 1000 && acked >= at - 5000),
        `lost write ${lost.id} acknowledged at ${lost.acknowledgedAt}, not just before an outage`,
      );
    }
    await cluster.stop();
  });
});
