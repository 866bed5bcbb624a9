import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ConsulApiDiscovery } from "../../../src/discovery/consul-api-discovery.js";
import { closedPort } from "../../support/closed-port.js";
import { unavailable } from "./discovery-unavailable.js";

// A stand-in Consul on 127.0.0.1; the integration suite runs a fuller one (test/integration/deploy).
let respond: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end("[]");
const seen: IncomingMessage[] = [];
let server: Server;
let url = "";
before(async () => {
  server = createServer((req, res) => {
    seen.push(req);
    respond(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const discovery = (timeoutMs = 1000) =>
  new ConsulApiDiscovery({ url, service: "galera", ownAddresses: [], defaultPort: 4567, timeoutMs });
const path = "/v1/health/service/galera?passing=true";
const tail = "nothing was started; check that Consul's HTTP API is reachable (GALERA_PILOT_CONSUL_URL)";

describe("ConsulApiDiscovery: Consul's answer, checked, or one DiscoveryUnavailable line", () => {
  it("asks for JSON, and lists the instances", async () => {
    seen.length = 0;
    respond = (_req, res) =>
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify([
          { Node: { Address: "10.0.0.1" }, Service: { Address: "", Port: 31001, Tags: null }, Checks: [] },
          { Node: { Address: "10.0.0.2" }, Service: { Address: "172.17.0.2", Port: 31002 } },
        ]),
      );
    assert.deepEqual(await discovery().discover(), [
      { address: "10.0.0.1", port: 4567 },
      { address: "172.17.0.2", port: 4567 },
    ]);
    assert.equal(seen[0]?.url, path);
    assert.equal(seen[0]?.headers["accept"], "application/json");
  });

  it("Consul's error status, with its reason phrase and body", async () => {
    respond = (_req, res) =>
      res.writeHead(500, { "content-type": "text/plain" }).end("rpc error making call: No cluster leader");
    assert.equal(
      await unavailable(discovery().discover()),
      `Consul answered ${url}${path} with 500 Internal Server Error (rpc error making call: No cluster leader); ${tail}`,
    );
  });

  it("nobody listening, or no answer in time", async () => {
    const port = await closedPort();
    const refused = await unavailable(
      new ConsulApiDiscovery({
        url: `http://127.0.0.1:${port}`,
        service: "galera",
        ownAddresses: [],
        defaultPort: 4567,
      }).discover(),
    );
    assert.equal(
      refused,
      `cannot reach Consul at http://127.0.0.1:${port}${path}: ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:${port}); ${tail}`,
    );
    respond = () => undefined;
    assert.equal(
      await unavailable(discovery(200).discover()),
      `cannot reach Consul at ${url}${path}: no answer within 200 ms; ${tail}`,
    );
    server.closeAllConnections();
  });

  it("not JSON, not a list, or an entry of the wrong shape", async () => {
    respond = (_req, res) => res.end("<html>");
    assert.equal(
      await unavailable(discovery().discover()),
      `Consul answered ${url}${path} with something else than JSON; ${tail}`,
    );
    respond = (_req, res) => res.end("{}");
    assert.equal(
      await unavailable(discovery().discover()),
      `Consul answered ${path} with something else than a list; ${tail}`,
    );
    respond = (_req, res) => res.end(JSON.stringify([{ Service: { Address: "172.17.0.2", Port: "31002" } }]));
    assert.equal(
      await unavailable(discovery().discover()),
      `Consul answered ${path} with a list whose [0].Service.Port is "31002", not a number; ${tail}`,
    );
  });
});
