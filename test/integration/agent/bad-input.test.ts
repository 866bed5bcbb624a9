import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chownSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { runToCompletion } from "../../../src/mysqld/child-exit.js";
import { lookUpOsUser } from "../../../src/mysqld/os-user.js";
import { fingerprint } from "../../support/datadir-fingerprint.js";
import { startDnsmasq, type RunningDnsmasq } from "../../support/dnsmasq.js";
import { makeStateDir } from "../../support/local-cluster-harness.js";
import { errorLines, runCli } from "../../support/run-cli.js";

/**
 * Bad input never half-starts a node: a one-line error naming the problem and the fix, a
 * non-zero exit, and the datadir byte-identical — both a fresh (absent) one and one that
 * holds data. Real agent processes, a real datadir made by mariadb-install-db, a real dnsmasq.
 */
describe("given bad input", { timeout: 300_000 }, () => {
  const address = "127.0.20.2";
  const base = makeStateDir("bad-input");
  const populated = join(base, "populated");
  const absent = join(base, "absent");
  const secrets = join(base, "secrets");
  let dns: RunningDnsmasq;
  let taken: Server;

  before(async () => {
    const mysqlUser = lookUpOsUser("mysql");
    mkdirSync(populated, { recursive: true });
    chownSync(populated, mysqlUser.uid, mysqlUser.gid);
    const install = await runToCompletion("mariadb-install-db", [
      "--no-defaults",
      "--user=mysql",
      `--datadir=${populated}`,
      "--skip-test-db",
    ]);
    assert.equal(install.exitCode, 0, install.stderr);
    mkdirSync(secrets);
    writeFileSync(join(secrets, "empty"), "");
    writeFileSync(join(secrets, "root"), "root-pw\n");
    dns = await startDnsmasq({
      address: "127.0.53.20",
      port: 5353,
      aRecords: { "galera.service.dc1.consul": ["127.0.20.3", "127.0.20.4"] },
    });
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(3306, address, resolve));
  });

  after(async () => {
    await dns?.stop();
    taken?.close();
  });

  const env = (datadir: string, extra: Record<string, string> = {}): Record<string, string> => ({
    MYSQL_ROOT_PASSWORD_FILE: join(secrets, "root"),
    XTRABACKUP_PASSWORD: "sst-pw",
    GALERA_PILOT_CLUSTER_SECRET: "cluster-secret",
    GALERA_PILOT_ADDRESS: "127.0.20.5",
    GALERA_PILOT_HEALTH_ADDRESS: "127.0.20.5",
    GALERA_PILOT_DATADIR: datadir,
    GALERA_PILOT_RUN_DIR: join(base, "run"),
    GALERA_PILOT_DNS_SERVER: dns.server,
    ...extra,
  });

  const cases: { name: string; args: string[]; env?: Record<string, string>; error: RegExp }[] = [
    {
      name: "an unresolvable peer name",
      args: ["node", "nosuch.service.dc1.consul"],
      error: /cannot resolve .*nosuch\.service\.dc1\.consul/,
    },
    { name: "a malformed host list", args: ["node", "127.0.20.3,,127.0.20.4"], error: /empty/i },
    {
      name: "a Consul service that does not resolve",
      args: ["node"],
      env: { GALERA_PILOT_DISCOVERY: "consul-dns", GALERA_PILOT_CONSUL_SERVICE: "nosuch" },
      error: /nosuch\.service\.consul/,
    },
    { name: "a port out of range in the host list", args: ["node", "127.0.20.3:99999"], error: /port/ },
    {
      name: "the SQL port already taken",
      args: ["seed"],
      env: { GALERA_PILOT_ADDRESS: address },
      error: /SQL port 127\.0\.20\.2:3306 is already in use/,
    },
    {
      name: "an empty password file",
      args: ["seed"],
      env: { MYSQL_ROOT_PASSWORD_FILE: join(secrets, "empty") },
      error: /MYSQL_ROOT_PASSWORD_FILE .* is empty/,
    },
    {
      name: "an unknown durability profile",
      args: ["seed"],
      env: { GALERA_PILOT_DURABILITY: "fast" },
      error: /strict, process or seed/,
    },
  ];

  for (const datadirKind of ["absent", "populated"] as const) {
    for (const c of cases) {
      it(`when ${c.name} is given with a ${datadirKind} datadir, then one line says so and the datadir is untouched`, async () => {
        const datadir = datadirKind === "absent" ? absent : populated;
        const before = fingerprint(datadir);
        const result = await runCli(c.args, env(datadir, c.env));
        assert.notEqual(result.exitCode, 0, "a non-zero exit");
        const lines = errorLines(result);
        assert.equal(lines.length, 1, `exactly one error line, got:\n${result.stderr}`);
        assert.match(lines[0]!, c.error);
        assert.match(lines[0]!, /nothing was (started|changed)/);
        assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
        assert.equal(fingerprint(datadir), before, "the datadir is byte-identical");
      });
    }
  }
});
