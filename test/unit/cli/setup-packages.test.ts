import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../../", import.meta.url));

/** The Debian packages scripts/setup.sh installs for a scope, as it lists them. */
function packagesOf(scope: string): string[] {
  const run = spawnSync("bash", ["scripts/setup.sh", scope, "--list"], { cwd: root, encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.split("\n").filter((line) => line !== "");
}

describe("scripts/setup.sh: npm start installs only what the cluster needs", () => {
  it("the runtime set is what the agents, the local runner and verify run: mariadbd, Galera, the SST and backup tools (zstd compresses backups), HAProxy, iptables", () => {
    assert.deepEqual(packagesOf("runtime").sort(), [
      "galera-4",
      "haproxy",
      "iproute2",
      "iptables",
      "mariadb-backup",
      "mariadb-server",
      "pv",
      "rsync",
      "socat",
      "zstd",
    ]);
  });

  it("the tests' and benchmarks' tools are only in the full set", () => {
    const runtime = packagesOf("runtime");
    const all = packagesOf("all");
    for (const pkg of runtime) assert.ok(all.includes(pkg), `${pkg} is in the full set too`);
    for (const pkg of ["chromium", "podman", "debootstrap", "wrk", "sysbench", "docker-compose", "dnsmasq"]) {
      assert.ok(all.includes(pkg), `${pkg} is installed for the tests`);
      assert.ok(!runtime.includes(pkg), `${pkg} is not installed by npm start`);
    }
  });

  it("npm start asks for the runtime set; npm test, bench and soak for all", () => {
    const scripts = (
      JSON.parse(readFileSync(`${root}/package.json`, "utf8")) as { scripts: Record<string, string> }
    ).scripts;
    assert.match(scripts["start"] ?? "", /^bash scripts\/setup\.sh runtime && /);
    for (const name of ["test", "bench", "soak"])
      assert.match(scripts[name] ?? "", /^bash scripts\/setup\.sh all && /);
  });

  it("an unknown scope is refused in one line, with nothing installed", () => {
    const run = spawnSync("bash", ["scripts/setup.sh", "everything", "--list"], {
      cwd: root,
      encoding: "utf8",
    });
    assert.equal(run.status, 2);
    assert.equal(run.stderr, 'setup: unknown scope "everything"; use runtime or all\n');
  });
});
