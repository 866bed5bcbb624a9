/**
 * Marathon tasks-API discovery against the STAND-IN Marathon (test/support/marathon-stand-in.ts):
 * `GET /v2/apps/{id}/tasks`, healthy tasks only. No real Marathon runs here.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { DiscoveryUnavailable } from "../../../src/errors.js";
import {
  MarathonDiscovery,
  type MarathonDiscoveryOptions,
} from "../../../src/discovery/marathon-discovery.js";
import { type MarathonStandIn, startMarathonStandIn } from "../../support/marathon-stand-in.js";

void describe("Marathon discovery against the stand-in Marathon", () => {
  let marathon: MarathonStandIn;
  const discovery = (options: Partial<MarathonDiscoveryOptions> = {}): MarathonDiscovery =>
    new MarathonDiscovery({
      url: marathon.url,
      appIds: ["/galera/node"],
      ownAddresses: [],
      defaultPort: 4567,
      timeoutMs: 2000,
      ...options,
    });

  before(async () => {
    marathon = await startMarathonStandIn({ address: "127.0.40.3", healthyAfterMs: 0 });
    marathon.seedApp("/galera", { id: "/galera/seed", instances: 1 });
    marathon.seedApp("/galera", { id: "/galera/node", instances: 3 });
    // Wait for the stand-in's first health round.
    await new Promise((resolve) => setTimeout(resolve, 50));
  });
  after(async () => {
    await marathon?.stop();
  });

  void it("lists the healthy tasks' container addresses on the Galera port", async () => {
    const peers = await discovery().discover();
    assert.deepEqual(
      peers.map((p) => p.port),
      [4567, 4567, 4567],
    );
    assert.deepEqual(
      peers.map((p) => p.address),
      ["172.17.0.2", "172.17.0.3", "172.17.0.4"],
    );
  });

  void it("leaves out a task whose health check is not alive, unless told to include it", async () => {
    const node = marathon.apps.get("/galera/node");
    const sick = node?.tasks[1];
    assert.ok(sick);
    sick.forcedAlive = false;
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(
      (await discovery().discover()).map((p) => p.address),
      ["172.17.0.2", "172.17.0.4"],
    );
    assert.equal((await discovery({ includeUnhealthy: true }).discover()).length, 3);
    sick.forcedAlive = undefined;
    await new Promise((resolve) => setTimeout(resolve, 50));
  });

  void it("several apps together, agents' addresses with a mapped port, own address dropped", async () => {
    const peers = await discovery({
      appIds: ["/galera/seed", "/galera/node"],
      addressFrom: "host",
      portIndex: 1,
      ownAddresses: ["10.0.40.4"],
    }).discover();
    assert.deepEqual(
      peers.map((p) => p.address),
      ["10.0.40.1", "10.0.40.2", "10.0.40.3"],
    );
    assert.deepEqual(
      peers.map((p) => p.port),
      [31003, 31005, 31007],
    );
  });

  void it("an unknown app is DiscoveryUnavailable, in one line, with Marathon's message", async () => {
    await assert.rejects(discovery({ appIds: ["/galera/gone"] }).discover(), (error: unknown) => {
      assert.ok(error instanceof DiscoveryUnavailable);
      assert.equal(
        error.message,
        `Marathon answered ${marathon.url}/v2/apps/galera/gone/tasks with 404 Not Found ` +
          `({"message":"App '/galera/gone' does not exist"}); nothing was started; ` +
          "check that Marathon is reachable (GALERA_PILOT_MARATHON_URL) and the app id",
      );
      return true;
    });
  });
});
