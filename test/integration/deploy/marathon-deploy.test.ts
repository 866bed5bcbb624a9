/**
 * `galera-pilot marathon deploy|scale|status` against a STAND-IN Marathon (test/support/
 * marathon-stand-in.ts): an HTTP server in this test that validates each group with Marathon's
 * own schema and answers in the shapes of Marathon's RAML examples. No real Marathon runs here.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, afterEach, before, describe, it } from "node:test";

import { MarathonClient, MarathonRequestFailed } from "../../../src/deploy/marathon/marathon-client.js";
import { errorLines, runCli } from "../../support/run-cli.js";
import { type MarathonStandIn, startMarathonStandIn } from "../../support/marathon-stand-in.js";

const fast = ["--poll-interval", "20", "--timeout", "20"];
/** Gives up after 1 s: for deployments that never finish. */
const impatient = ["--poll-interval", "20", "--timeout", "1"];

function lines(stdout: string): string[] {
  return stdout.split("\n").filter((line) => line !== "");
}

/** Replace ids and versions by placeholders, so progress lines compare as text. */
function plain(line: string): string {
  return line
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "ID")
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, "VERSION");
}

/** Every expected line appears in `output`, in this order; other lines may come between. */
function assertInOrder(output: readonly string[], expected: readonly string[]): void {
  let at = 0;
  for (const line of output) if (line === expected[at]) at++;
  assert.equal(at, expected.length, `missing "${expected[at]}" in:\n${output.join("\n")}`);
}

void describe("marathon deploy against the stand-in Marathon", () => {
  let marathon: MarathonStandIn;
  before(async () => {
    marathon = await startMarathonStandIn({ address: "127.0.40.1" });
  });
  after(async () => {
    await marathon?.stop();
  });
  afterEach(() => {
    marathon.groups.clear();
    marathon.apps.clear();
    marathon.deployments.length = 0;
    marathon.requests.length = 0;
    marathon.holdDeployments = false;
    marathon.healthyAfterMs = 30;
  });

  void it("given no group, when deploying the seed layout, then the seed starts, 3 nodes join and the seed is suspended", async () => {
    const result = await runCli(
      ["marathon", "deploy", "--url", marathon.url, "--layout", "seed", ...fast],
      {},
    );
    assert.equal(result.exitCode, 0, result.stderr);
    const progress = lines(result.stdout).map(plain);
    // The steps, in order (intermediate "0 of 1 healthy" lines depend on timing).
    const expected = [
      "created group /galera: deployment ID (version VERSION)",
      "deployment ID finished",
      "/galera/seed: 1 of 1 task healthy (1 running)",
      "scaling: /galera/node to 3 instances: deployment ID",
      "deployment ID finished",
      "/galera/node: 3 of 1 task healthy (3 running)",
      "suspending the seed: /galera/seed to 0 instances: deployment ID",
      "deployment ID finished",
      "/galera/node: 3 of 3 tasks healthy (3 running)",
      "cluster /galera is up: 3 of 3 tasks of /galera/node healthy, seed suspended",
    ];
    assertInOrder(progress, expected);
    assert.equal(marathon.apps.get("/galera/seed")?.definition.instances, 0);
    assert.equal(marathon.apps.get("/galera/node")?.tasks.length, 3);
    const calls = marathon.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`);
    assert.deepEqual(calls, ["POST /v2/groups", "PUT /v2/apps/galera/node", "PUT /v2/apps/galera/seed"]);
    assert.deepEqual(marathon.requests.find((r) => r.path === "/v2/apps/galera/seed")?.body, {
      instances: 0,
    });
  });

  void it("given a running seed-layout cluster, when deploying again, then the group is updated and keeps 3 nodes and no seed", async () => {
    const first = await runCli(
      ["marathon", "deploy", "--url", marathon.url, "--layout", "seed", ...fast],
      {},
    );
    assert.equal(first.exitCode, 0, first.stderr);
    marathon.requests.length = 0;
    const again = await runCli(
      ["marathon", "deploy", "--url", marathon.url, "--layout", "seed", "--image", "galera-pilot:2", ...fast],
      {},
    );
    assert.equal(again.exitCode, 0, again.stderr);
    assert.match(
      again.stdout,
      /updated group \/galera \(\/galera\/seed stays at 0, \/galera\/node stays at 3\): deployment/,
    );
    const put = marathon.requests.find((r) => r.method === "PUT");
    assert.equal(put?.path, "/v2/groups/galera");
    const apps = (put?.body as { apps: { id: string; instances: number }[] }).apps;
    assert.deepEqual(
      apps.map((a) => [a.id, a.instances]),
      [
        ["/galera/seed", 0],
        ["/galera/node", 3],
      ],
    );
    assert.match(
      lines(again.stdout).at(-1) ?? "",
      /^cluster \/galera is up: 3 of 3 tasks of \/galera\/node healthy$/,
    );
  });

  void it("given no group, when deploying the auto layout, then one app of 3 nodes comes up with no seed", async () => {
    const result = await runCli(
      ["marathon", "deploy", "--url", marathon.url, "--layout", "auto", ...fast],
      {},
    );
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(
      lines(result.stdout).at(-1),
      "cluster /galera is up: 3 of 3 tasks of /galera/galera healthy",
    );
    assert.deepEqual([...marathon.apps.keys()], ["/galera/galera"]);
  });

  void it("scale: the node app goes to 5 healthy tasks; status lists each app and task", async () => {
    assert.equal(
      (await runCli(["marathon", "deploy", "--url", marathon.url, "--layout", "auto", ...fast], {})).exitCode,
      0,
    );
    const scaled = await runCli(["marathon", "scale", "--url", marathon.url, "--nodes", "5", ...fast], {});
    assert.equal(scaled.exitCode, 0, scaled.stderr);
    assert.equal(lines(scaled.stdout).at(-1), "/galera/galera runs 5 healthy tasks");
    const status = await runCli(["marathon", "status", "--url", marathon.url], {});
    assert.equal(status.exitCode, 0, status.stderr);
    const [line, ...rest] = lines(status.stdout);
    assert.equal(rest.length, 0);
    assert.match(
      line ?? "",
      /^\/galera\/galera: 5 instances, 5 tasks, 5 healthy: 10\.0\.40\.\d+:\d+\/\d+ TASK_RUNNING healthy, /,
    );
  });

  void it("scale of the seed layout: only /galera/node goes to 5 healthy tasks; the seed stays suspended", async () => {
    const deployed = await runCli(
      ["marathon", "deploy", "--url", marathon.url, "--layout", "seed", ...fast],
      {},
    );
    assert.equal(deployed.exitCode, 0, deployed.stderr);
    marathon.requests.length = 0;
    // No --layout: scale finds the seed layout in the deployed group (no /galera/galera app).
    const scaled = await runCli(["marathon", "scale", "--url", marathon.url, "--nodes", "5", ...fast], {});
    assert.equal(scaled.exitCode, 0, scaled.stderr);
    const output = lines(scaled.stdout).map(plain);
    // In order; "deployment ID: step 1 of 1 …" and "k of 5 healthy" lines in between depend on timing.
    const expected = [
      "scaling: /galera/node to 5 instances: deployment ID",
      "deployment ID finished",
      "/galera/node: 5 of 5 tasks healthy (5 running)",
      "/galera/node runs 5 healthy tasks",
    ];
    assertInOrder(output, expected);
    assert.equal(output[0], expected[0]);
    assert.equal(output.at(-1), expected.at(-1));
    assert.ok(
      output.every((line) => !line.includes("/galera/seed")),
      `the seed is not touched:\n${output.join("\n")}`,
    );
    const changes = marathon.requests.filter((r) => r.method !== "GET");
    assert.deepEqual(
      changes.map((r) => [r.method, r.path, r.body]),
      [["PUT", "/v2/apps/galera/node", { instances: 5 }]],
    );
    assert.equal(marathon.requests[0]?.path, "/v2/groups/galera", "the layout comes from the deployed group");
    assert.equal(marathon.apps.get("/galera/seed")?.definition.instances, 0);
    assert.equal(marathon.apps.get("/galera/seed")?.tasks.length, 0);
    assert.equal(marathon.apps.get("/galera/node")?.tasks.length, 5);
    const status = await runCli(["marathon", "status", "--url", marathon.url, "--layout", "seed"], {});
    assert.equal(status.exitCode, 0, status.stderr);
    const [seedLine, nodeLine, ...rest] = lines(status.stdout);
    assert.equal(rest.length, 0);
    assert.equal(seedLine, "/galera/seed: 0 instances, 0 tasks, 0 healthy");
    assert.match(
      nodeLine ?? "",
      /^\/galera\/node: 5 instances, 5 tasks, 5 healthy: 10\.0\.40\.\d+:\d+\/\d+ /,
    );
  });

  void it("status of a group that is not there says so", async () => {
    const status = await runCli(["marathon", "status", "--url", marathon.url, "--id", "/nothing"], {});
    assert.equal(status.exitCode, 0, status.stderr);
    assert.equal(status.stdout, "group /nothing: not deployed\n");
  });

  void it("a deployment in progress: 409 in one line naming the blocking deployment; --force overrides it", async () => {
    marathon.holdDeployments = true;
    const client = new MarathonClient(marathon.url);
    await runCli(["marathon", "deploy", "--url", marathon.url, "--layout", "auto", ...impatient], {});
    const blocking = marathon.deployments[0]?.id ?? "";
    assert.notEqual(blocking, "");
    const refused = await runCli(
      ["marathon", "deploy", "--url", marathon.url, "--layout", "auto", ...fast],
      {},
    );
    assert.equal(refused.exitCode, 1);
    assert.deepEqual(errorLines(refused), [
      "galera-pilot: Marathon refused PUT /v2/groups/galera: 409 Conflict: App is locked by one or more deployments. " +
        "Override with the option '?force=true'. View details at '/v2/deployments/<DEPLOYMENT_ID>'.; " +
        `blocked by deployment ${blocking}; nothing was changed; wait for that deployment to finish, or give --force to override it`,
    ]);
    marathon.holdDeployments = false;
    const forced = await runCli(
      ["marathon", "deploy", "--url", marathon.url, "--layout", "auto", "--force", ...fast],
      {},
    );
    assert.equal(forced.exitCode, 0, forced.stderr);
    assert.ok(marathon.requests.some((r) => r.method === "PUT" && r.path === "/v2/groups/galera?force=true"));
    assert.ok((await client.deployments()).every((d) => d.id !== blocking));
  });

  void it("a group Marathon's schema rejects: 422 with every detail on one line (the 2015 post's galera.json)", async () => {
    const post = JSON.parse(
      readFileSync(new URL("../../../../test/fixtures/marathon/galera-2015.json", import.meta.url), "utf8"),
    ) as { id: string };
    const client = new MarathonClient(marathon.url);
    await assert.rejects(client.createGroup(post, false), (error: unknown) => {
      assert.ok(error instanceof MarathonRequestFailed);
      assert.equal(error.status, 422);
      assert.equal(error.exitCode, 1);
      assert.equal(
        error.message,
        "Marathon refused POST /v2/groups: 422 Unprocessable Entity: Object is not valid; " +
          "/groups(0)/apps(0)/container/docker/portMappings(0)/hostPort: must be integer; " +
          "/groups(0)/apps(0)/container/docker/portMappings(1)/hostPort: must be integer; " +
          "/groups(0)/apps(1)/container/docker/portMappings(0)/hostPort: must be integer; " +
          "/groups(0)/apps(1)/container/docker/portMappings(1)/hostPort: must be integer; " +
          "nothing was changed; fix the definition (galera-pilot marathon render shows it)",
      );
      return true;
    });
    assert.equal(marathon.groups.size, 0);
  });

  void it("POST of a group that exists: 409 with Marathon's message", async () => {
    const client = new MarathonClient(marathon.url);
    await client.createGroup({ id: "/galera" }, false);
    await assert.rejects(
      client.createGroup({ id: "/galera" }, false),
      /^MarathonRequestFailed: Marathon refused POST \/v2\/groups: 409 Conflict: Group \/galera is already created\. Use PUT to change this group\.; nothing was changed/,
    );
  });

  void it("nodes that never become healthy: the wait gives up in one line, exit 1", async () => {
    marathon.healthyAfterMs = -1;
    const result = await runCli(
      ["marathon", "deploy", "--url", marathon.url, "--layout", "auto", ...impatient],
      {},
    );
    assert.equal(result.exitCode, 1);
    assert.deepEqual(errorLines(result).map(plain), [
      "galera-pilot: deployment ID still runs after 1 s at step 1 of 1 (ScaleApplication /galera/galera); " +
        "it goes on in Marathon; see GET /v2/deployments, or roll back with a new deploy",
    ]);
  });
});

void describe("marathon commands refuse bad input and an unreachable Marathon in one line", () => {
  void it("an unreachable Marathon: exit 1, the address and the reason", async () => {
    const result = await runCli(
      ["marathon", "status", "--url", "http://127.0.40.9:4999", "--layout", "seed"],
      {},
    );
    assert.equal(result.exitCode, 1);
    assert.deepEqual(errorLines(result), [
      "galera-pilot: cannot reach Marathon at http://127.0.40.9:4999 (GET /v2/groups/galera): ECONNREFUSED " +
        "(connect ECONNREFUSED 127.0.40.9:4999); check --url and that Marathon is running",
    ]);
  });

  void it("bad flags: exit 2, one line", async () => {
    for (const [args, line] of [
      [
        ["marathon", "deploy", "--layout", "seed"],
        "galera-pilot: marathon deploy: --url is required, e.g. http://marathon.mesos:8080",
      ],
      [
        ["marathon", "deploy", "--url", "marathon:8080", "--layout", "seed"],
        'galera-pilot: marathon deploy: --url "marathon:8080" is not an http:// or https:// URL',
      ],
      [
        ["marathon", "scale", "--url", "http://127.0.40.9:4999"],
        "galera-pilot: marathon scale: --nodes N is required (the node app's instances)",
      ],
      [
        ["marathon", "launch"],
        'galera-pilot: unknown subcommand "marathon launch": render, deploy, scale or status',
      ],
      [
        ["marathon", "render", "--layout", "seed", "--force"],
        "galera-pilot: marathon render: unknown flag --force; known flags: " +
          "--layout --id --image --nodes --cpus --mem --discovery-name --service-name --health-grace --health-interval " +
          "--health-failures --constraint-hosts --host-volume --persistent-volume-size --secrets --secret-source-prefix " +
          "--secrets-host-dir --kill-grace --env",
      ],
    ] as const) {
      const result = await runCli([...args], {});
      assert.equal(result.exitCode, 2, result.stderr);
      assert.deepEqual(errorLines(result), [line]);
    }
  });

  void it("render prints the group as JSON, k8s render prints YAML", async () => {
    const marathon = await runCli(["marathon", "render", "--layout", "auto"], {});
    assert.equal(marathon.exitCode, 0, marathon.stderr);
    assert.equal((JSON.parse(marathon.stdout) as { id: string }).id, "/galera");
    const k8s = await runCli(["k8s", "render", "--replicas", "3"], {});
    assert.equal(k8s.exitCode, 0, k8s.stderr);
    assert.match(k8s.stdout, /^apiVersion: v1\nkind: Service\n/);
    assert.equal(k8s.stdout.split("\n---\n").length, 7);
  });
});
