import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startDnsmasq, type RunningDnsmasq } from "../../support/dnsmasq.js";
import { agentLog, allSynced, sql, testCluster } from "../../support/local-cluster-harness.js";
import type { LocalCluster } from "../../../src/local/local-cluster.js";

/**
 * The seed's discovery: `node galera.service.dc1.consul`, where the name is served by a real
 * dnsmasq (standing in for Consul's DNS interface) with one A record per node.
 */
describe("given peers named by one DNS name with three A records", { timeout: 600_000 }, () => {
  const name = "galera.service.dc1.consul";
  let dns: RunningDnsmasq;
  let cluster: LocalCluster;

  before(async () => {
    dns = await startDnsmasq({
      address: "127.0.53.12",
      port: 5353,
      aRecords: { [name]: ["127.0.12.2", "127.0.12.3", "127.0.12.4"] },
    });
    cluster = testCluster("dns", "127.0.12.2", {
      peerArgument: name,
      agentEnv: { GALERA_PILOT_DNS_SERVER: dns.server },
    }).cluster;
    await cluster.up();
    await cluster.waitFor(allSynced(3), 240_000, "3 of 3 synced");
  });

  after(async () => {
    await cluster?.down();
    await dns?.stop();
  });

  it("then each node resolves the name, drops its own address, and the cluster forms", async () => {
    const n2 = agentLog(cluster, "n2");
    assert.match(
      n2,
      /peers from DNS galera\.service\.dc1\.consul .*: 127\.0\.12\.2:4567, 127\.0\.12\.4:4567\n/,
    );
    const [row] = await sql(cluster.layout[2]!.socket, "SHOW GLOBAL STATUS LIKE 'wsrep_cluster_size'");
    assert.equal(row?.["Value"], "3");
    assert.match(await dns.log(), /query\[A\] galera\.service\.dc1\.consul/);
  });
});
