import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import { makeStateDir } from "../../support/local-cluster-harness.js";
import { startLocalRunner, type LocalRunner } from "../../support/local-runner.js";

/**
 * `npm start` says the cluster is ready only when clients can reach it through HAProxy. Here
 * HAProxy cannot bind its writer port (another process holds it), so it fails at every start
 * and is restarted with backoff, saying why only in its log: the runner must not print how to
 * connect, and must say what is wrong, quoting HAProxy.
 */
describe("given a router address whose writer port another process holds", { timeout: 600_000 }, () => {
  const stateDir = makeStateDir("router-failure");
  let runner: LocalRunner | null = null;
  let squatter: Server | null = null;

  after(async () => {
    await runner?.stop();
    squatter?.close();
  });

  it("local up reports the router's failure with HAProxy's own reason, and never prints the connect line", async () => {
    squatter = createServer();
    await new Promise<void>((resolve) => squatter!.listen(3306, "127.0.34.1", resolve));
    runner = await startLocalRunner([
      "--state-dir",
      stateDir,
      "--first-address",
      "127.0.34.2",
      "--router-address",
      "127.0.34.1",
    ]);
    await runner.waitForOutput(
      /the cluster did not come up: the nodes are synced, but the router does not serve/,
      90_000,
    );
    const output = runner.output();
    assert.match(
      output,
      /its log \(.*haproxy\.log\) ends with: .*(cannot bind|Address already in use|ALERT)/,
    );
    assert.doesNotMatch(output, /connect: mariadb/);
    assert.equal(await runner.stop(), 0, "Ctrl-C still stops the nodes cleanly");
    runner = null;
  });
});
