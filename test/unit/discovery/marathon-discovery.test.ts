import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { MarathonDiscovery } from "../../../src/discovery/marathon-discovery.js";
import { unavailable } from "./discovery-unavailable.js";

// A stand-in Marathon on 127.0.0.1; the integration suite runs a fuller one (test/support).
let respond: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end("{}");
let server: Server;
let url = "";
before(async () => {
  server = createServer((req, res) => respond(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const discovery = () =>
  new MarathonDiscovery({
    url,
    appIds: ["/galera/node"],
    ownAddresses: [],
    defaultPort: 4567,
    timeoutMs: 1000,
  });
const tail =
  "nothing was started; check that Marathon is reachable (GALERA_PILOT_MARATHON_URL) and the app id";

describe("MarathonDiscovery: Marathon's task list, checked, or one DiscoveryUnavailable line", () => {
  it("the healthy tasks' container addresses", async () => {
    respond = (_req, res) =>
      res.end(
        JSON.stringify({
          tasks: [
            {
              id: "t1",
              host: "10.0.40.1",
              ipAddresses: [{ ipAddress: "172.17.0.1" }],
              healthCheckResults: [{ alive: true }],
            },
            { id: "t2", host: "10.0.40.2", healthCheckResults: [] },
          ],
        }),
      );
    assert.deepEqual(await discovery().discover(), [{ address: "172.17.0.1", port: 4567 }]);
  });

  it("an unknown app: Marathon's 404 with its message", async () => {
    respond = (_req, res) =>
      res
        .writeHead(404, { "content-type": "application/json" })
        .end(JSON.stringify({ message: "App '/galera/node' does not exist" }));
    assert.equal(
      await unavailable(discovery().discover()),
      `Marathon answered ${url}/v2/apps/galera/node/tasks with 404 Not Found ` +
        `({"message":"App '/galera/node' does not exist"}); ${tail}`,
    );
  });

  it("no task list, or a task of the wrong shape", async () => {
    respond = (_req, res) => res.end(JSON.stringify({ app: {} }));
    assert.equal(
      await unavailable(discovery().discover()),
      `Marathon answered /v2/apps/galera/node/tasks without a task list; ${tail}`,
    );
    respond = (_req, res) => res.end(JSON.stringify({ tasks: [{ id: "t1", host: 10 }] }));
    assert.equal(
      await unavailable(discovery().discover()),
      `Marathon answered /v2/apps/galera/node/tasks with a task list whose tasks[0].host is 10, not a string; ${tail}`,
    );
  });
});
