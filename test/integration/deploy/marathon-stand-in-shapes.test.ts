/**
 * The STAND-IN Marathon answers in the shapes of Marathon's v1.10.26 RAML examples: every field
 * the examples show is in its answers. (No real Marathon runs here; this keeps the stand-in honest.)
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { readReference } from "../../support/marathon-schema.js";
import { type MarathonStandIn, startMarathonStandIn } from "../../support/marathon-stand-in.js";

function example(name: string): unknown {
  return JSON.parse(readReference(`marathon-v1.10.26-raml/examples/${name}`));
}

function keys(value: unknown): string[] {
  return Object.keys(value as Record<string, unknown>).sort();
}

void describe("the stand-in Marathon's answers have the RAML examples' shapes", () => {
  let marathon: MarathonStandIn;
  before(async () => {
    marathon = await startMarathonStandIn({
      address: "127.0.40.4",
      holdDeployments: true,
      healthyAfterMs: 0,
    });
  });
  after(async () => {
    await marathon?.stop();
  });

  void it("POST /v2/groups answers like deployments_result.json, /v2/deployments like deployments.json", async () => {
    const created = await fetch(`${marathon.url}/v2/groups`, {
      method: "POST",
      body: JSON.stringify({ id: "/galera", apps: [{ id: "/galera/node", args: ["node"], instances: 2 }] }),
    });
    assert.equal(created.status, 201);
    assert.deepEqual(keys(await created.json()), keys(example("deployments_result.json")));
    assert.match(created.headers.get("marathon-deployment-id") ?? "", /^[0-9a-f-]{36}$/);
    const deployments = (await (await fetch(`${marathon.url}/v2/deployments`)).json()) as unknown[];
    const [shape] = example("deployments.json") as unknown[];
    assert.deepEqual(keys(deployments[0]), keys(shape));
  });

  void it("GET /v2/apps/{id}/tasks answers like app_tasks.json, plus healthCheckResults", async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const answer = (await (await fetch(`${marathon.url}/v2/apps/galera/node/tasks`)).json()) as {
      tasks: unknown[];
    };
    const shape = (example("app_tasks.json") as { tasks: unknown[] }).tasks[0];
    assert.equal(answer.tasks.length, 2);
    for (const task of answer.tasks) {
      assert.deepEqual(
        keys(task).filter((k) => k !== "healthCheckResults" && k !== "ipAddresses"),
        keys(shape),
      );
      const [health] = (task as { healthCheckResults: unknown[] }).healthCheckResults;
      assert.deepEqual(keys(health), [
        "alive",
        "consecutiveFailures",
        "firstSuccess",
        "instanceId",
        "lastSuccess",
      ]);
    }
  });

  /** The AppInfo-only fields of app_list.json's app (types/app.raml AppInfo); an App has none. */
  const appInfoOnly = ["deployments", "tasksHealthy", "tasksRunning", "tasksStaged", "tasksUnhealthy"];

  void it("GET /v2/apps/{id} answers {app} with the fields of app_list.json's app, Marathon's defaults filled in", async () => {
    // apps.raml gives examples/app_list.json for GET /v2/apps/{app_id}; Marathon's AppsResource
    // wraps the one AppInfo in {"app": …}. (app.json is the App of PUT/POST bodies.)
    const shape = (example("app_list.json") as { apps: Record<string, unknown>[] }).apps[0];
    const answer = (await (await fetch(`${marathon.url}/v2/apps/galera/node`)).json()) as {
      app: Record<string, unknown>;
    };
    assert.deepEqual(keys(answer), ["app"]);
    assert.deepEqual(keys(answer.app), keys(shape));
    assert.deepEqual(keys(answer.app["versionInfo"]), keys(shape?.["versionInfo"]));
    assert.deepEqual(keys(answer.app["upgradeStrategy"]), keys(shape?.["upgradeStrategy"]));
    assert.deepEqual((answer.app["deployments"] as unknown[]).map(keys), [["id"]]);
    // Posted: id, args, instances; the rest are types/app.raml's defaults.
    assert.deepEqual(
      [answer.app["args"], answer.app["instances"], answer.app["cmd"], answer.app["cpus"], answer.app["mem"]],
      [["node"], 2, null, 1, 128],
    );
    const embedded = (await (await fetch(`${marathon.url}/v2/apps/galera/node?embed=app.tasks`)).json()) as {
      app: Record<string, unknown>;
    };
    assert.deepEqual(keys(embedded.app), [...keys(shape), "tasks"].sort());
  });

  void it("GET /v2/groups/{id} answers like group.json, each app an App of app_list.json's fields", async () => {
    const shape = example("group.json") as { groups: { apps: unknown[]; groups: unknown[] }[] };
    const answer = (await (await fetch(`${marathon.url}/v2/groups/galera`)).json()) as {
      apps: Record<string, unknown>[];
    };
    assert.deepEqual(keys(answer), keys(shape));
    assert.deepEqual(keys(answer), keys(shape.groups[0]?.groups[0]));
    const appFields = keys((example("app_list.json") as { apps: unknown[] }).apps[0]).filter(
      (k) => !appInfoOnly.includes(k),
    );
    assert.equal(answer.apps.length, 1);
    for (const app of answer.apps) {
      assert.deepEqual(keys(app), appFields);
      for (const exampleApp of shape.groups[0]?.apps ?? [])
        assert.deepEqual(
          keys(exampleApp).filter((k) => !(k in app)),
          [],
          "every field of group.json's apps is in the answer",
        );
    }
  });

  void it("PUT /v2/apps/{id} is checked with AppDefinition.json as an AppUpdate; a scale keeps lastConfigChangeAt", async () => {
    const put = (body: unknown): Promise<Response> =>
      fetch(`${marathon.url}/v2/apps/galera/node?force=true`, { method: "PUT", body: JSON.stringify(body) });
    const app = async (): Promise<{ instances: number; cpus: number; versionInfo: Record<string, string> }> =>
      (
        (await (await fetch(`${marathon.url}/v2/apps/galera/node`)).json()) as {
          app: { instances: number; cpus: number; versionInfo: Record<string, string> };
        }
      ).app;
    const before = await app();
    for (const [body, details] of [
      [{ instances: "3" }, [{ path: "/instances", errors: ["must be integer"] }]],
      [{ instances: -1 }, [{ path: "/instances", errors: ["must be >= 0"] }]],
      [{ instaces: 3 }, [{ path: "/", errors: ["must NOT have additional properties (instaces)"] }]],
    ] as const) {
      const refused = await put(body);
      assert.equal(refused.status, 422, JSON.stringify(body));
      assert.deepEqual(await refused.json(), { message: "Object is not valid", details });
    }
    assert.equal((await app()).instances, 2, "a refused update changes nothing");

    await new Promise((resolve) => setTimeout(resolve, 5));
    const scaled = await put({ instances: 3 });
    assert.equal(scaled.status, 200);
    assert.deepEqual(keys(await scaled.json()), keys(example("deployments_result.json")));
    const afterScale = await app();
    assert.equal(afterScale.instances, 3);
    assert.notEqual(afterScale.versionInfo["lastScalingAt"], before.versionInfo["lastScalingAt"]);
    assert.equal(afterScale.versionInfo["lastConfigChangeAt"], before.versionInfo["lastConfigChangeAt"]);

    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal((await put({ cpus: 0.5 })).status, 200);
    const changed = await app();
    assert.deepEqual([changed.instances, changed.cpus], [3, 0.5], "a partial update keeps the other fields");
    assert.equal(changed.versionInfo["lastConfigChangeAt"], changed.versionInfo["lastScalingAt"]);
    assert.notEqual(changed.versionInfo["lastConfigChangeAt"], before.versionInfo["lastConfigChangeAt"]);
  });
});
