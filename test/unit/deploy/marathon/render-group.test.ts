/**
 * The rendered Marathon groups: the seed post's semantics, with every option, each one
 * validated against Marathon's v1.7.236 schema.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { parseCommandLine } from "../../../../src/options/command-line.js";
import { marathonGrammar } from "../../../../src/cli/marathon-command.js";
import type { MarathonApp, MarathonGroup } from "../../../../src/deploy/marathon/marathon-types.js";
import { renderGroup } from "../../../../src/deploy/marathon/render-group.js";
import {
  type MarathonRenderOptions,
  renderOptionsFromFlags,
} from "../../../../src/deploy/marathon/render-options.js";
import { BadInputError, ExitCode } from "../../../../src/errors.js";
import { compileGroupSchema, marathonDetails } from "../../../support/marathon-schema.js";

const validate = compileGroupSchema();

function options(...argv: string[]): MarathonRenderOptions {
  return renderOptionsFromFlags(parseCommandLine(marathonGrammar("render"), argv).flags);
}

function rendered(...argv: string[]): MarathonGroup {
  const group = renderGroup(options(...argv)).group;
  assert.equal(validate(group), true, JSON.stringify(marathonDetails(validate.errors)));
  return group;
}

function app(group: MarathonGroup, id: string): MarathonApp {
  const found = group.apps?.find((a) => a.id === id);
  assert.ok(found, `app ${id} in ${JSON.stringify(group.apps?.map((a) => a.id))}`);
  return found;
}

function badInput(argv: string[], message: RegExp): void {
  assert.throws(
    () => options(...argv),
    (error: unknown) => {
      assert.ok(error instanceof BadInputError, String(error));
      assert.equal(error.exitCode, ExitCode.badInput);
      assert.doesNotMatch(error.message, /\n/);
      assert.match(error.message, message);
      return true;
    },
  );
}

void describe("marathon render --layout seed: the 2015 post's group, schema-valid", () => {
  const group = rendered("--layout", "seed");
  const seed = app(group, "/galera/seed");
  const node = app(group, "/galera/node");

  void it("has the apps seed (1 instance, `seed`) and node (0 instances, `node NAME`, depends on the seed)", () => {
    assert.equal(group.id, "/galera");
    assert.deepEqual(
      group.apps?.map((a) => [a.id, a.instances, a.args]),
      [
        ["/galera/seed", 1, ["seed"]],
        ["/galera/node", 0, ["node", "galera.service.consul"]],
      ],
    );
    assert.deepEqual(node.dependencies, ["/galera/seed"]);
    assert.equal(seed.dependencies, undefined);
  });

  void it("checks / on the health port (index 1) with ignoreHttp1xx, grace 30 s, every 5 s, 6 failures", () => {
    for (const a of [seed, node]) {
      assert.deepEqual(a.healthChecks, [
        {
          protocol: "HTTP",
          path: "/",
          portIndex: 1,
          gracePeriodSeconds: 30,
          intervalSeconds: 5,
          maxConsecutiveFailures: 6,
          ignoreHttp1xx: true,
        },
      ]);
      assert.deepEqual(
        a.container.portMappings.map((p) => [p.containerPort, p.hostPort, typeof p.hostPort]),
        [
          [3306, 0, "number"],
          [8080, 0, "number"],
        ],
      );
    }
  });

  void it("never runs two seeds (0 / 0) and keeps the post's 0.8 / 0.2 for the nodes", () => {
    assert.deepEqual(seed.upgradeStrategy, { minimumHealthCapacity: 0, maximumOverCapacity: 0 });
    assert.deepEqual(node.upgradeStrategy, { minimumHealthCapacity: 0.8, maximumOverCapacity: 0.2 });
  });

  void it("names each port for registrator: SQL as the discovery service, health as NAME-health, tagged by role", () => {
    assert.equal(seed.env["SERVICE_3306_NAME"], "galera");
    assert.equal(seed.env["SERVICE_3306_TAGS"], "seed");
    assert.equal(node.env["SERVICE_3306_TAGS"], "node");
    assert.equal(node.env["SERVICE_8080_NAME"], "galera-health");
    assert.equal(node.env["SERVICE_8080_TAGS"], "node");
    assert.equal(node.env["SERVICE_NAME"], undefined, "no port-less SERVICE_NAME: it would name both ports");
  });

  void it("passes the three passwords as Marathon secret references, never as values", () => {
    for (const a of [seed, node]) {
      assert.deepEqual(a.secrets, {
        "mysql-root-password": { source: "/galera/mysql-root-password" },
        "xtrabackup-password": { source: "/galera/xtrabackup-password" },
        "cluster-secret": { source: "/galera/cluster-secret" },
      });
      assert.deepEqual(a.env["MYSQL_ROOT_PASSWORD"], { secret: "mysql-root-password" });
      assert.deepEqual(a.env["XTRABACKUP_PASSWORD"], { secret: "xtrabackup-password" });
      assert.deepEqual(a.env["GALERA_PILOT_CLUSTER_SECRET"], { secret: "cluster-secret" });
    }
  });

  void it("gives the agent time to drain and leave the cluster before SIGKILL", () => {
    assert.equal(seed.taskKillGracePeriodSeconds, 130);
  });
});

void describe("marathon render options", () => {
  void it("--constraint-hosts gives UNIQUE and LIKE host1|host2|host3", () => {
    const group = rendered("--layout", "seed", "--constraint-hosts", "host1,host2,host3");
    for (const a of group.apps ?? []) {
      assert.deepEqual(a.constraints, [
        ["hostname", "UNIQUE"],
        ["hostname", "LIKE", "host1|host2|host3"],
      ]);
    }
  });

  void it("--host-volume mounts the host folder at /var/lib/mysql, one task per host", () => {
    const node = app(rendered("--layout", "seed", "--host-volume", "/data/galera"), "/galera/node");
    assert.deepEqual(node.container.volumes, [
      { containerPath: "/var/lib/mysql", hostPath: "/data/galera", mode: "RW" },
    ]);
    assert.deepEqual(node.constraints, [["hostname", "UNIQUE"]]);
  });

  void it("--persistent-volume-size gives a local persistent volume, mounted at /var/lib/mysql, with residency", () => {
    const group = rendered("--layout", "seed", "--persistent-volume-size", "4096");
    for (const a of group.apps ?? []) {
      assert.deepEqual(a.container.volumes, [
        { containerPath: "/var/lib/mysql", hostPath: "data", mode: "RW" },
        { containerPath: "data", mode: "RW", persistent: { size: 4096 } },
      ]);
      assert.deepEqual(a.residency, {
        relaunchEscalationTimeoutSeconds: 3600,
        taskLostBehavior: "WAIT_FOREVER",
      });
      assert.equal(a.unreachableStrategy, "disabled");
      assert.ok(a.upgradeStrategy.minimumHealthCapacity <= 0.5);
      assert.equal(a.upgradeStrategy.maximumOverCapacity, 0);
    }
    assert.deepEqual(app(group, "/galera/node").upgradeStrategy, {
      minimumHealthCapacity: 0.5,
      maximumOverCapacity: 0,
    });
  });

  void it("--secrets files gives _FILE paths in a read-only host folder and no secrets block", () => {
    const node = app(
      rendered("--layout", "auto", "--secrets", "files", "--secrets-host-dir", "/etc/galera"),
      "/galera/galera",
    );
    assert.equal(node.secrets, undefined);
    assert.equal(node.env["MYSQL_ROOT_PASSWORD_FILE"], "/run/secrets/galera-pilot/mysql-root-password");
    assert.equal(node.env["XTRABACKUP_PASSWORD_FILE"], "/run/secrets/galera-pilot/xtrabackup-password");
    assert.equal(node.env["GALERA_PILOT_CLUSTER_SECRET_FILE"], "/run/secrets/galera-pilot/cluster-secret");
    assert.equal(node.env["MYSQL_ROOT_PASSWORD"], undefined);
    assert.deepEqual(node.container.volumes, [
      { containerPath: "/run/secrets/galera-pilot", hostPath: "/etc/galera", mode: "RO" },
    ]);
  });

  void it("health check timing, image, resources, discovery and service names are options", () => {
    const group = rendered(
      ...["--layout", "seed", "--health-grace", "300", "--health-interval", "10", "--health-failures", "3"],
      ...["--image", "registry.example/galera-pilot:1", "--cpus", "2", "--mem", "4096", "--id", "/db/galera"],
      ...[
        "--discovery-name",
        "galera.service.dc1.consul",
        "--service-name",
        "db",
        "--env",
        "GALERA_PILOT_DURABILITY=process",
      ],
    );
    const node = app(group, "/db/galera/node");
    assert.deepEqual(node.dependencies, ["/db/galera/seed"]);
    assert.equal(node.healthChecks[0]?.gracePeriodSeconds, 300);
    assert.equal(node.healthChecks[0]?.intervalSeconds, 10);
    assert.equal(node.healthChecks[0]?.maxConsecutiveFailures, 3);
    assert.equal(node.container.docker.image, "registry.example/galera-pilot:1");
    assert.deepEqual([node.cpus, node.mem], [2, 4096]);
    assert.deepEqual(node.args, ["node", "galera.service.dc1.consul"]);
    assert.equal(node.env["SERVICE_3306_NAME"], "db");
    assert.equal(node.env["GALERA_PILOT_DURABILITY"], "process");
  });

  void it("every combination of layout, storage and secrets is valid for Marathon", () => {
    for (const layout of ["seed", "auto"]) {
      for (const storage of [[], ["--host-volume", "/data/galera"], ["--persistent-volume-size", "1024"]]) {
        for (const secrets of ["marathon", "files"]) {
          for (const hosts of [[], ["--constraint-hosts", "a,b,c"]]) {
            rendered("--layout", layout, ...storage, "--secrets", secrets, ...hosts);
          }
        }
      }
    }
  });
});

void describe("marathon render --layout auto: one app, no seed", () => {
  const group = rendered("--layout", "auto", "--nodes", "5");
  void it("runs N instances of `node NAME`, checked on / with ignoreHttp1xx", () => {
    assert.equal(group.apps?.length, 1);
    const galera = app(group, "/galera/galera");
    assert.equal(galera.instances, 5);
    assert.deepEqual(galera.args, ["node", "galera.service.consul"]);
    assert.equal(galera.dependencies, undefined);
    assert.equal(galera.healthChecks[0]?.path, "/");
    assert.equal(galera.healthChecks[0]?.ignoreHttp1xx, true);
    assert.equal(galera.env["SERVICE_3306_TAGS"], "node");
  });
});

void describe("marathon render refuses bad flags in one line", () => {
  void it("names the flag and echoes the value", () => {
    badInput([], /--layout is required: seed or auto/);
    badInput(["--layout", "both"], /--layout "both" is not one of seed, auto/);
    badInput(["--layout", "seed", "--nodes", "0"], /--nodes "0" is not a whole number from 1 to 99/);
    badInput(["--layout", "seed", "--host-volume", "data"], /--host-volume "data" is not an absolute path/);
    badInput(
      ["--layout", "seed", "--host-volume", "/d", "--persistent-volume-size", "10"],
      /--host-volume and --persistent-volume-size both give the datadir/,
    );
    badInput(["--layout", "seed", "--id", "/Galera"], /--id "\/Galera" is not an absolute Marathon group id/);
    badInput(["--layout", "seed", "--id", "/"], /not the root group/);
    badInput(["--layout", "seed", "--constraint-hosts", "a,,b"], /--constraint-hosts "a,,b"/);
    badInput(["--layout", "seed", "--health-grace", "-1"], /--health-grace "-1"/);
    badInput(["--layout", "seed", "--secrets", "inline"], /--secrets "inline" is not one of marathon, files/);
  });

  void it("refuses a password given through --env: it would be inlined in the JSON", () => {
    badInput(
      ["--layout", "seed", "--env", "MYSQL_ROOT_PASSWORD=secret"],
      /--env MYSQL_ROOT_PASSWORD would put a password/,
    );
    badInput(["--layout", "seed", "--env", "XTRABACKUP_PASSWORD_FILE=/x"], /--env XTRABACKUP_PASSWORD_FILE/);
  });

  void it("refuses unknown flags and stray arguments", () => {
    assert.throws(
      () => parseCommandLine(marathonGrammar("render"), ["--layuot", "seed"]),
      /marathon render: unknown flag --layuot; known flags: --layout/,
    );
    assert.throws(() => parseCommandLine(marathonGrammar("render"), ["seed"]), /unexpected argument "seed"/);
    assert.throws(() => parseCommandLine(marathonGrammar("render"), ["--image"]), /--image needs a value/);
  });
});
