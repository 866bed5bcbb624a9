/**
 * Consul health-API discovery against a STAND-IN Consul: a small HTTP server in this test, on
 * 127.0.40.2, answering `GET /v1/health/service/NAME?passing` in the shape of Consul's
 * documentation (Node, Service, Checks per entry). No real Consul runs here.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";

import { DiscoveryUnavailable, ExitCode } from "../../../src/errors.js";
import {
  ConsulApiDiscovery,
  type ConsulApiDiscoveryOptions,
} from "../../../src/discovery/consul-api-discovery.js";

interface Instance {
  node: string;
  nodeAddress: string;
  serviceAddress: string;
  port: number;
  tags: string[];
  passing: boolean;
}

const instances: Instance[] = [
  {
    node: "agent-3",
    nodeAddress: "10.0.0.3",
    serviceAddress: "172.17.0.3",
    port: 31003,
    tags: ["node"],
    passing: true,
  },
  {
    node: "agent-1",
    nodeAddress: "10.0.0.1",
    serviceAddress: "",
    port: 31001,
    tags: ["seed"],
    passing: true,
  },
  {
    node: "agent-2",
    nodeAddress: "10.0.0.2",
    serviceAddress: "172.17.0.2",
    port: 31002,
    tags: ["node"],
    passing: true,
  },
  {
    node: "agent-4",
    nodeAddress: "10.0.0.4",
    serviceAddress: "172.17.0.4",
    port: 31004,
    tags: ["node"],
    passing: false,
  },
];

/** The stand-in Consul: only the health endpoint, filtered by passing, tag and dc as Consul does. */
function consulStandIn(): Server {
  return createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://stand-in");
    requests.push(`${url.pathname}${url.search}`);
    const match = /^\/v1\/health\/service\/([^/]+)$/.exec(url.pathname);
    if (url.pathname === "/v1/health/service/broken") {
      response
        .writeHead(500, { "content-type": "text/plain" })
        .end("rpc error making call: No cluster leader");
      return;
    }
    if (!match || match[1] !== "galera") {
      response.writeHead(200, { "content-type": "application/json" }).end("[]");
      return;
    }
    const tag = url.searchParams.get("tag");
    const entries = instances
      .filter((i) => !url.searchParams.has("passing") || i.passing)
      .filter((i) => tag === null || i.tags.includes(tag))
      .map((i) => ({
        Node: { ID: `id-${i.node}`, Node: i.node, Address: i.nodeAddress, Datacenter: "dc1" },
        Service: {
          ID: `${i.node}:galera:3306`,
          Service: "galera",
          Tags: i.tags,
          Address: i.serviceAddress,
          Port: i.port,
        },
        Checks: [
          {
            Node: i.node,
            CheckID: "serfHealth",
            Name: "Serf Health Status",
            Status: i.passing ? "passing" : "critical",
          },
        ],
      }));
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(entries));
  });
}

const requests: string[] = [];

void describe("Consul health API discovery against a stand-in Consul", () => {
  let server: Server;
  let url = "";
  const discovery = (options: Partial<ConsulApiDiscoveryOptions> = {}): ConsulApiDiscovery =>
    new ConsulApiDiscovery({
      url,
      service: "galera",
      ownAddresses: [],
      defaultPort: 4567,
      timeoutMs: 2000,
      ...options,
    });

  before(async () => {
    server = consulStandIn();
    await new Promise<void>((resolve) => server.listen(0, "127.0.40.2", resolve));
    url = `http://127.0.40.2:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  void it("lists passing instances at Service.Address, else Node.Address, on the Galera port", async () => {
    requests.length = 0;
    assert.deepEqual(await discovery().discover(), [
      { address: "10.0.0.1", port: 4567 },
      { address: "172.17.0.2", port: 4567 },
      { address: "172.17.0.3", port: 4567 },
    ]);
    assert.deepEqual(requests, ["/v1/health/service/galera?passing=true"]);
  });

  void it("filters by tag and datacenter, drops the node's own address, and can keep the registered port", async () => {
    requests.length = 0;
    const peers = await discovery({
      tag: "node",
      datacenter: "dc1",
      ownAddresses: ["172.17.0.3"],
      useServicePort: true,
    }).discover();
    assert.deepEqual(peers, [{ address: "172.17.0.2", port: 31002 }]);
    assert.deepEqual(requests, ["/v1/health/service/galera?passing=true&tag=node&dc=dc1"]);
  });

  void it("a service with no passing instance gives an empty list", async () => {
    assert.deepEqual(await discovery({ service: "mysql" }).discover(), []);
  });

  void it("Consul's errors and an unreachable Consul are DiscoveryUnavailable, in one line", async () => {
    await assert.rejects(discovery({ service: "broken" }).discover(), (error: unknown) => {
      assert.ok(error instanceof DiscoveryUnavailable);
      assert.equal(error.exitCode, ExitCode.discoveryUnavailable);
      assert.equal(
        error.message,
        `Consul answered ${url}/v1/health/service/broken?passing=true with 500 Internal Server Error ` +
          "(rpc error making call: No cluster leader); nothing was started; " +
          "check that Consul's HTTP API is reachable (GALERA_PILOT_CONSUL_URL)",
      );
      return true;
    });
    await assert.rejects(
      new ConsulApiDiscovery({
        url: "http://127.0.40.9:4999",
        service: "galera",
        ownAddresses: [],
        defaultPort: 4567,
      }).discover(),
      (error: unknown) =>
        error instanceof DiscoveryUnavailable &&
        error.message.startsWith(
          "cannot reach Consul at http://127.0.40.9:4999/v1/health/service/galera?passing=true: ECONNREFUSED",
        ) &&
        !error.message.includes("\n"),
    );
  });
});
