/**
 * DNS discovery against a real dnsmasq serving Consul-like records on 127.0.53.1:5353.
 */
import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { after, before, describe, it } from "node:test";

import { DiscoveryUnavailable, ExitCode } from "../../../src/errors.js";
import { DnsDiscovery, localAddresses } from "../../../src/discovery/dns-discovery.js";
import { parseHostList } from "../../../src/discovery/host-list.js";
import { type RunningDnsmasq, startDnsmasq } from "../../support/dnsmasq.js";

const galeraPort = 4567;

function consulLikeDns(): Promise<RunningDnsmasq> {
  return startDnsmasq({
    aRecords: {
      "galera.service.dc1.consul": ["10.0.0.3", "10.0.0.1", "10.0.0.2"],
      "dual.service.dc1.consul": ["fd00::21", "10.0.2.1"],
      "n1.node.dc1.consul": ["10.0.1.1"],
      "n2.node.dc1.consul": ["10.0.1.2"],
      "n3.node.dc1.consul": ["fd00::13"],
    },
    srvRecords: [
      { name: "_galera._tcp.service.consul", target: "n2.node.dc1.consul", port: 4568 },
      { name: "_galera._tcp.service.consul", target: "n1.node.dc1.consul", port: 4567 },
      { name: "_galera._tcp.service.consul", target: "n3.node.dc1.consul", port: 4569 },
      { name: "_broken._tcp.service.consul", target: "gone.node.dc1.consul", port: 4567 },
    ],
  });
}

async function assertUnavailable(discovery: DnsDiscovery, message: string | RegExp): Promise<void> {
  await assert.rejects(discovery.discover(), (error: unknown) => {
    assert.ok(error instanceof DiscoveryUnavailable, String(error));
    assert.equal(error.exitCode, ExitCode.discoveryUnavailable);
    assert.doesNotMatch(error.message, /\n/);
    if (typeof message === "string") assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

void describe("DNS discovery against dnsmasq serving Consul-like records", () => {
  let dns: RunningDnsmasq;
  const discovery = (hosts: string, ownAddresses: string[] = [], timeoutMs?: number): DnsDiscovery =>
    new DnsDiscovery({
      hosts: parseHostList(hosts),
      ownAddresses,
      defaultPort: galeraPort,
      dnsServers: [dns.server],
      timeoutMs,
    });

  before(async () => {
    dns = await consulLikeDns();
  });
  after(async () => {
    await dns?.stop();
  });

  void it("given a name with three A records, it finds three peers on the default port, sorted", async () => {
    assert.deepEqual(await discovery("galera.service.dc1.consul").discover(), [
      { address: "10.0.0.1", port: 4567 },
      { address: "10.0.0.2", port: 4567 },
      { address: "10.0.0.3", port: 4567 },
    ]);
  });

  void it("given a name with a port, every address gets that port", async () => {
    assert.deepEqual(await discovery("galera.service.dc1.consul:5000").discover(), [
      { address: "10.0.0.1", port: 5000 },
      { address: "10.0.0.2", port: 5000 },
      { address: "10.0.0.3", port: 5000 },
    ]);
  });

  void it("given a name with A and AAAA records, it finds both families, IPv4 first", async () => {
    assert.deepEqual(await discovery("dual.service.dc1.consul").discover(), [
      { address: "10.0.2.1", port: 4567 },
      { address: "fd00::21", port: 4567 },
    ]);
  });

  void it("given an SRV name, it finds each target's address with the record's port", async () => {
    assert.deepEqual(await discovery("_galera._tcp.service.consul").discover(), [
      { address: "10.0.1.1", port: 4567 },
      { address: "10.0.1.2", port: 4568 },
      { address: "fd00::13", port: 4569 },
    ]);
  });

  void it("given the node's own address among the answers, it leaves it out", async () => {
    assert.deepEqual(await discovery("galera.service.dc1.consul", ["10.0.0.2"]).discover(), [
      { address: "10.0.0.1", port: 4567 },
      { address: "10.0.0.3", port: 4567 },
    ]);
  });

  void it("compares own addresses normalized: IPv4-mapped, upper case, expanded IPv6", async () => {
    const own = ["::ffff:10.0.0.1", "FD00:0:0:0:0:0:0:13", "fe80::1%eth0"];
    assert.deepEqual(
      await discovery("galera.service.dc1.consul,_galera._tcp.service.consul", own).discover(),
      [
        { address: "10.0.0.2", port: 4567 },
        { address: "10.0.0.3", port: 4567 },
        { address: "10.0.1.1", port: 4567 },
        { address: "10.0.1.2", port: 4568 },
      ],
    );
  });

  void it("given a mixed list of literals and names, it merges, sorts and deduplicates", async () => {
    const hosts = "10.0.0.9:4600,galera.service.dc1.consul,[FD00::0:9],10.0.0.1,10.0.0.1:4567,10.0.0.10";
    assert.deepEqual(await discovery(hosts, ["10.0.0.3"]).discover(), [
      { address: "10.0.0.1", port: 4567 },
      { address: "10.0.0.2", port: 4567 },
      { address: "10.0.0.9", port: 4600 },
      { address: "10.0.0.10", port: 4567 },
      { address: "fd00::9", port: 4567 },
    ]);
  });

  void it("given only the node's own addresses, it finds no peers (and says so by an empty list)", async () => {
    assert.deepEqual(await discovery("10.0.0.1,10.0.0.2", ["10.0.0.1", "10.0.0.2"]).discover(), []);
  });

  void it("given a name that does not exist, it fails with NXDOMAIN naming the name", async () => {
    await assertUnavailable(
      discovery("10.0.0.9,missing.service.dc1.consul"),
      `cannot resolve peer name "missing.service.dc1.consul" at DNS server ${dns.server}: ` +
        "NXDOMAIN (no such name); nothing was started; check the name or the DNS server (GALERA_PILOT_DNS_SERVER)",
    );
  });

  void it("given an SRV name that does not exist, it fails with NXDOMAIN naming the SRV name", async () => {
    await assertUnavailable(
      discovery("_missing._tcp.service.consul"),
      `cannot resolve SRV name "_missing._tcp.service.consul" at DNS server ${dns.server}: ` +
        "NXDOMAIN (no such name); nothing was started; check the name or the DNS server (GALERA_PILOT_DNS_SERVER)",
    );
  });

  void it("given an SRV record whose target does not resolve, it fails naming the target", async () => {
    await assertUnavailable(
      discovery("_broken._tcp.service.consul"),
      `cannot resolve host "gone.node.dc1.consul" named by SRV name "_broken._tcp.service.consul" at DNS server ` +
        `${dns.server}: NXDOMAIN (no such name); nothing was started; ` +
        "check the name or the DNS server (GALERA_PILOT_DNS_SERVER)",
    );
  });

  void it("given a name that has only SRV records, it fails with NODATA", async () => {
    const onlySrv = new DnsDiscovery({
      hosts: [{ kind: "name", host: "_galera._tcp.service.consul", port: null }],
      ownAddresses: [],
      defaultPort: galeraPort,
      dnsServers: [dns.server],
    });
    await assertUnavailable(onlySrv, /: NODATA \(the name has no A\/AAAA records\); nothing was started; /);
  });

  void it("describes itself in one line", () => {
    assert.equal(
      discovery("galera.service.dc1.consul,[fd00::2]:4600,10.0.0.2").describe(),
      `DNS galera.service.dc1.consul,[fd00::2]:4600,10.0.0.2 via DNS server ${dns.server}, default port 4567`,
    );
  });
});

void describe("DNS discovery when the DNS server does not answer", () => {
  void it("given nothing listening at the DNS server's address, it fails at once with ECONNREFUSED", async () => {
    const started = Date.now();
    const discovery = new DnsDiscovery({
      hosts: parseHostList("galera.service.dc1.consul"),
      ownAddresses: [],
      defaultPort: galeraPort,
      dnsServers: ["127.0.53.9:5399"],
      timeoutMs: 1000,
    });
    await assertUnavailable(
      discovery,
      'cannot resolve peer name "galera.service.dc1.consul" at DNS server 127.0.53.9:5399: ' +
        "ECONNREFUSED (connection refused: nothing listens at the DNS server's address); nothing was started; " +
        "check that the DNS server is running and reachable (GALERA_PILOT_DNS_SERVER)",
    );
    assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
  });

  void describe("given a DNS server that receives queries and never answers", () => {
    let silent: Socket;
    before(async () => {
      silent = createSocket("udp4");
      await new Promise<void>((resolve) => silent.bind(5398, "127.0.53.8", resolve));
    });
    after(() => silent.close());

    for (const hosts of ["galera.service.dc1.consul", "_galera._tcp.service.consul"]) {
      void it(`it fails for ${hosts} within the timeout with ETIMEOUT`, async () => {
        const timeoutMs = 1000;
        const started = Date.now();
        const discovery = new DnsDiscovery({
          hosts: parseHostList(hosts),
          ownAddresses: [],
          defaultPort: galeraPort,
          dnsServers: ["127.0.53.8:5398"],
          timeoutMs,
        });
        await assertUnavailable(
          discovery,
          new RegExp(
            `^cannot resolve (peer|SRV) name "${hosts}" at DNS server 127\\.0\\.53\\.8:5398: ` +
              `ETIMEOUT \\(no answer within 1000 ms\\); nothing was started; ` +
              `check that the DNS server is running and reachable \\(GALERA_PILOT_DNS_SERVER\\)$`,
          ),
        );
        const took = Date.now() - started;
        assert.ok(took >= timeoutMs - 100 && took < timeoutMs + 700, `took ${took} ms`);
      });
    }

    void it("with two silent servers, it still settles within about the timeout", async () => {
      const started = Date.now();
      const discovery = new DnsDiscovery({
        hosts: parseHostList("galera.service.dc1.consul"),
        ownAddresses: [],
        defaultPort: galeraPort,
        dnsServers: ["127.0.53.8:5398", "127.0.53.8:5398"],
        timeoutMs: 1000,
      });
      await assertUnavailable(discovery, /: ETIMEOUT \(no answer within 1000 ms\); /);
      assert.ok(Date.now() - started < 1700, `took ${Date.now() - started} ms`);
    });
  });
});

void describe("localAddresses", () => {
  void it("lists this machine's loopback addresses among the others, without duplicates", () => {
    const addresses = localAddresses();
    assert.ok(addresses.includes("127.0.0.1"), addresses.join(" "));
    assert.equal(new Set(addresses).size, addresses.length);
  });
});
