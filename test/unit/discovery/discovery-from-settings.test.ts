/**
 * discoveryFromSettings: which backend the environment chooses, and its refusals.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { BadInputError } from "../../../src/errors.js";
import { ConsulApiDiscovery } from "../../../src/discovery/consul-api-discovery.js";
import { ConsulDnsDiscovery } from "../../../src/discovery/consul-dns-discovery.js";
import { discoveryFromSettings } from "../../../src/discovery/discovery-from-settings.js";
import { MarathonDiscovery } from "../../../src/discovery/marathon-discovery.js";

const common = { ownAddresses: [], defaultPort: 4567 };

void describe("discoveryFromSettings", () => {
  void it("keeps the host list (null) when GALERA_PILOT_DISCOVERY is unset or dns", () => {
    assert.equal(discoveryFromSettings({}, common), null);
    assert.equal(discoveryFromSettings({ GALERA_PILOT_DISCOVERY: "dns" }, common), null);
  });

  void it("builds Consul DNS with the tag filter in the name", () => {
    const discovery = discoveryFromSettings(
      {
        GALERA_PILOT_DISCOVERY: "consul-dns",
        GALERA_PILOT_CONSUL_TAG: "node",
        GALERA_PILOT_CONSUL_DOMAIN: "dc1.consul",
      },
      { ...common, dnsServers: ["127.0.0.1:8600"] },
    );
    assert.ok(discovery instanceof ConsulDnsDiscovery);
    assert.match(
      discovery.describe(),
      /^Consul DNS A node\.galera\.service\.dc1\.consul, port 4567 \(DNS .* via DNS server 127\.0\.0\.1:8600/,
    );
  });

  void it("builds the Consul health API and Marathon backends", () => {
    const consul = discoveryFromSettings({ GALERA_PILOT_DISCOVERY: "consul-api" }, common);
    assert.ok(consul instanceof ConsulApiDiscovery);
    assert.equal(consul.describe(), "Consul health API http://127.0.0.1:8500 service galera (passing only)");
    const marathon = discoveryFromSettings(
      {
        GALERA_PILOT_DISCOVERY: "marathon",
        GALERA_PILOT_MARATHON_URL: "http://m:8080",
        MARATHON_APP_ID: "/galera/galera",
      },
      common,
    );
    assert.ok(marathon instanceof MarathonDiscovery);
    assert.equal(marathon.describe(), "Marathon http://m:8080 app /galera/galera (healthy tasks)");
    const all = discoveryFromSettings(
      {
        GALERA_PILOT_DISCOVERY: "marathon",
        GALERA_PILOT_MARATHON_URL: "http://m:8080",
        GALERA_PILOT_MARATHON_APP: "/galera/seed,/galera/node",
        GALERA_PILOT_MARATHON_TASKS: "all",
      },
      common,
    );
    assert.equal(all?.describe(), "Marathon http://m:8080 app /galera/seed,/galera/node (all tasks)");
  });

  void it("refuses an unknown backend, a missing Marathon URL, a bad URL and a bad tag, in one line", () => {
    const cases: [Record<string, string>, RegExp][] = [
      [
        { GALERA_PILOT_DISCOVERY: "etcd" },
        /GALERA_PILOT_DISCOVERY "etcd" is not one of dns, consul-dns, consul-api, marathon/,
      ],
      [
        { GALERA_PILOT_DISCOVERY: "marathon" },
        /needs GALERA_PILOT_MARATHON_URL and GALERA_PILOT_MARATHON_APP/,
      ],
      [
        { GALERA_PILOT_DISCOVERY: "consul-api", GALERA_PILOT_CONSUL_URL: "127.0.0.1:8500" },
        /is not an http:\/\/ or https:\/\/ URL|is not a URL/,
      ],
      [
        { GALERA_PILOT_DISCOVERY: "consul-dns", GALERA_PILOT_CONSUL_TAG: "a.b" },
        /Consul tag "a\.b" is not a DNS label/,
      ],
      [
        { GALERA_PILOT_DISCOVERY: "consul-dns", GALERA_PILOT_CONSUL_SRV: "true" },
        /GALERA_PILOT_CONSUL_SRV "true" is not yes or no/,
      ],
    ];
    for (const [env, message] of cases) {
      assert.throws(
        () => discoveryFromSettings(env, common),
        (error: unknown) =>
          error instanceof BadInputError && message.test(error.message) && !error.message.includes("\n"),
        JSON.stringify(env),
      );
    }
  });
});
