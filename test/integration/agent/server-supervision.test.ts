import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseGrastate } from "../../../src/mysqld/grastate.js";
import { makeStateDir } from "../../support/local-cluster-harness.js";
import { probe } from "../../support/http-probe.js";
import { spawnCli } from "../../support/run-cli.js";

/**
 * The agent as its mariadbd's supervisor, with a real mariadbd: a server that cannot start is
 * tried three times with a growing pause, then the agent gives up and exits with the
 * server's own status, so a scheduler sees the failure instead of a crash loop hidden inside
 * the container; and SIGINT, like SIGTERM, makes the node leave cleanly.
 */
describe("given a seed agent on 127.0.26.2", { timeout: 300_000 }, () => {
  const address = "127.0.26.2";
  const env = (dir: string): Record<string, string> => ({
    MYSQL_ROOT_PASSWORD: "root-password-for-a-test",
    XTRABACKUP_PASSWORD: "sst-password-for-a-test",
    GALERA_PILOT_CLUSTER_SECRET: "cluster-secret-for-a-test",
    GALERA_PILOT_NAME: "s1",
    GALERA_PILOT_ADDRESS: address,
    GALERA_PILOT_HEALTH_ADDRESS: address,
    GALERA_PILOT_DATADIR: join(dir, "data"),
    GALERA_PILOT_RUN_DIR: join(dir, "run"),
    GALERA_PILOT_CLUSTER_NAME: "supervision",
    GALERA_PILOT_DRAIN: "0",
  });

  it("when mariadbd cannot start, then the agent tries three times (pauses 1 s, 2 s), gives up and exits with mariadbd's status", async () => {
    const dir = makeStateDir("supervision-fails");
    // An option mariadbd does not know: it passes the agent's checks (they are mariadbd's
    // own to judge) and makes every start of mariadbd abort.
    const run = spawnCli(["seed", "--no-such-option-for-a-test"], env(dir), 120_000);
    const result = await run.result;
    const output = result.stdout + result.stderr;
    assert.notEqual(result.exitCode, 0, output);
    assert.equal((output.match(/unknown option '--no-such-option-for-a-test'/g) ?? []).length, 3, output);
    const pauses = [
      ...output.matchAll(
        /mariadbd (?:exited with status \d+|was killed by \w+); starting it again in ([\d.]+) s/g,
      ),
    ].map((m) => m[1]);
    assert.deepEqual(pauses, ["1", "2"], output);
    const gaveUp =
      /mariadbd failed 3 times in a row within 30 s of starting: giving up so the scheduler sees it/.exec(
        output,
      );
    assert.ok(gaveUp, output);
    // The agent's status is mariadbd's: its exit status, or 128 + the signal that ended it.
    // Every start fails the same way; the last failure, which ends the agent, is not logged
    // as "starting it again", so the earlier ones say what to expect.
    const failures = [
      ...output.matchAll(/mariadbd (?:exited with status (\d+)|was killed by (\w+)); starting/g),
    ];
    const signals: Record<string, number> = { SIGABRT: 6, SIGSEGV: 11, SIGKILL: 9 };
    const expected = failures.map((m) => (m[1] !== undefined ? Number(m[1]) : 128 + signals[m[2]!]!));
    assert.equal(new Set(expected).size, 1, `every start failed alike: ${expected.join(", ")}`);
    assert.equal(result.exitCode, expected[0], output);
  });

  it("when the agent gets SIGINT, then the node leaves cleanly: exit 0 and its position in grastate.dat", async () => {
    const dir = makeStateDir("supervision-sigint");
    const run = spawnCli(["seed"], env(dir), 240_000);
    for (const deadline = Date.now() + 120_000; ; await sleep(500)) {
      const ready = await probe(address, 8080, "/ready").catch(() => null);
      if (ready?.code === 200) break;
      if (run.child.exitCode !== null || Date.now() > deadline) {
        const r = await Promise.race([run.result, sleep(1000).then(() => null)]);
        assert.fail(`the seed never answered 200 on /ready: ${r ? r.stdout + r.stderr : "(still running)"}`);
      }
    }
    run.child.kill("SIGINT");
    const result = await run.result;
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    const grastate = parseGrastate(readFileSync(join(dir, "data", "grastate.dat"), "utf8"));
    assert.ok(grastate.seqno >= 0, `a clean shutdown writes the position: seqno ${grastate.seqno}`);
  });
});
