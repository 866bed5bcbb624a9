/**
 * Consul DNS discovery against a real dnsmasq on 127.0.53.40 serving Consul-shaped names:
 * `NAME.service.dc1.consul` (every passing instance), `TAG.NAME.service.dc1.consul` (the tag
 * filter) and the same names as SRV records pointing at `HEX.addr.dc1.consul` targets, as
 * Consul answers for services registered with their own address (registrator -internal).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { DiscoveryUnavailable, ExitCode } from "../../../src/errors.js";
import {
  ConsulDnsDiscovery,
  type ConsulDnsDiscoveryOptions,
} from "../../../src/discovery/consul-dns-discovery.js";
import { type RunningDnsmasq, startDnsmasq } from "../../support/dnsmasq.js";

void describe("Consul DNS discovery against dnsmasq serving Consul-shaped names", () => {
  let dns: RunningDnsmasq;
  const discovery = (options: Partial<ConsulDnsDiscoveryOptions>): ConsulDnsDiscovery =>
    new ConsulDnsDiscovery({
      service: "galera",
      domain: "dc1.consul",
      ownAddresses: [],
      defaultPort: 4567,
      dnsServers: [dns.server],
      timeoutMs: 2000,
      ...options,
    });

  before(async () => {
    dns = await startDnsmasq({
      address: "127.0.53.40",
      aRecords: {
        "galera.service.dc1.consul": ["172.17.0.3", "172.17.0.1", "172.17.0.2"],
        "node.galera.service.dc1.consul": ["172.17.0.2", "172.17.0.3"],
        "seed.galera.service.dc1.consul": ["172.17.0.1"],
        "ac110001.addr.dc1.consul": ["172.17.0.1"],
        "ac110002.addr.dc1.consul": ["172.17.0.2"],
        "ac110003.addr.dc1.consul": ["172.17.0.3"],
        "galera.service.consul": ["10.1.0.1"],
      },
      srvRecords: [
        { name: "galera.service.dc1.consul", target: "ac110002.addr.dc1.consul", port: 31002 },
        { name: "galera.service.dc1.consul", target: "ac110001.addr.dc1.consul", port: 31001 },
        { name: "galera.service.dc1.consul", target: "ac110003.addr.dc1.consul", port: 31003 },
        { name: "node.galera.service.dc1.consul", target: "ac110003.addr.dc1.consul", port: 31003 },
      ],
    });
  });
  after(async () => {
    await dns?.stop();
  });

  void it("A records of NAME.service.DOMAIN: every instance, on the Galera port, own address dropped", async () => {
    const peers = await discovery({ ownAddresses: ["172.17.0.2"] }).discover();
    assert.deepEqual(peers, [
      { address: "172.17.0.1", port: 4567 },
      { address: "172.17.0.3", port: 4567 },
    ]);
  });

  void it("the tag filter asks TAG.NAME.service.DOMAIN", async () => {
    assert.deepEqual(await discovery({ tag: "node" }).discover(), [
      { address: "172.17.0.2", port: 4567 },
      { address: "172.17.0.3", port: 4567 },
    ]);
    assert.deepEqual(await discovery({ tag: "seed" }).discover(), [{ address: "172.17.0.1", port: 4567 }]);
  });

  void it("the default domain is consul (the local datacenter)", async () => {
    assert.deepEqual(await discovery({ domain: undefined }).discover(), [
      { address: "10.1.0.1", port: 4567 },
    ]);
  });

  void it("SRV: the targets' addresses, on the Galera port (registrator registered the SQL port)", async () => {
    assert.deepEqual(await discovery({ srv: true }).discover(), [
      { address: "172.17.0.1", port: 4567 },
      { address: "172.17.0.2", port: 4567 },
      { address: "172.17.0.3", port: 4567 },
    ]);
  });

  void it("SRV with useServicePort: the registered ports, with the tag filter", async () => {
    assert.deepEqual(await discovery({ srv: true, useServicePort: true }).discover(), [
      { address: "172.17.0.1", port: 31001 },
      { address: "172.17.0.2", port: 31002 },
      { address: "172.17.0.3", port: 31003 },
    ]);
    assert.deepEqual(await discovery({ srv: true, useServicePort: true, tag: "node" }).discover(), [
      { address: "172.17.0.3", port: 31003 },
    ]);
  });

  void it("a service with no passing instance (NXDOMAIN) is DiscoveryUnavailable, in one line", async () => {
    await assert.rejects(discovery({ service: "mysql" }).discover(), (error: unknown) => {
      assert.ok(error instanceof DiscoveryUnavailable);
      assert.equal(error.exitCode, ExitCode.discoveryUnavailable);
      assert.equal(
        error.message,
        `cannot resolve peer name "mysql.service.dc1.consul" at DNS server ${dns.server}: NXDOMAIN (no such name); ` +
          "nothing was started; check the name or the DNS server (GALERA_PILOT_DNS_SERVER)",
      );
      return true;
    });
  });

  void it("describes itself for logs and /status", () => {
    assert.equal(
      discovery({ tag: "node", srv: true }).describe(),
      `Consul DNS SRV node.galera.service.dc1.consul, port 4567 (DNS node.galera.service.dc1.consul via DNS server ${dns.server}, default port 4567)`,
    );
  });
});
