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
});
