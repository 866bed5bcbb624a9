import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  checkApp,
  checkDeploymentResult,
  checkDeployments,
  checkGroup,
  checkTaskList,
} from "../../../../src/deploy/marathon/marathon-answers.js";

const task = {
  id: "galera_node.instance-1._app.1",
  appId: "/galera/node",
  host: "10.0.40.1",
  ports: [31003, 31004],
  ipAddresses: [{ ipAddress: "172.17.0.1", protocol: "IPv4" }],
  slaveId: "stand-in-agent-1",
  stagedAt: "2026-11-25T18:19:01.000Z",
  startedAt: "2026-11-25T18:19:02.000Z",
  state: "TASK_RUNNING",
  healthCheckResults: [
    { alive: true, consecutiveFailures: 0, instanceId: "galera_node.instance-1", lastSuccess: "x" },
  ],
};
const app = {
  id: "/galera/node",
  instances: 3,
  cpus: 1,
  mem: 1024,
  tasksStaged: 0,
  tasksRunning: 1,
  tasksHealthy: 1,
  tasksUnhealthy: 0,
  deployments: [{ id: "d-1" }],
  tasks: [task],
};
const deployment = {
  id: "d-1",
  version: "2026-11-25T18:19:01.000Z",
  affectedApps: ["/galera/node"],
  affectedPods: [],
  steps: [{ actions: [{ action: "ScaleApplication", app: "/galera/node" }] }],
  currentActions: [{ action: "ScaleApplication", app: "/galera/node", readinessCheckResults: [] }],
  currentStep: 1,
  totalSteps: 1,
};

describe("the schemas of Marathon's answers (marathon deploy, scale, status)", () => {
  it("answers as Marathon sends them pass unchanged, the fields galera-pilot does not read kept", () => {
    const group = { id: "/galera", apps: [app], groups: [], dependencies: [], version: "v" };
    assert.deepEqual(checkGroup(group), { ok: true, value: group });
    assert.deepEqual(checkGroup({ id: "/galera" }), { ok: true, value: { id: "/galera" } });
    assert.deepEqual(checkApp({ app }), { ok: true, value: { app } });
    assert.deepEqual(checkApp({ app: { id: "/galera/seed", instances: 0 } }), {
      ok: true,
      value: { app: { id: "/galera/seed", instances: 0 } },
    });
    assert.deepEqual(checkTaskList({ tasks: [task] }), { ok: true, value: { tasks: [task] } });
    const sparseTask = { id: "t", appId: "/galera/node", host: "10.0.40.2" };
    assert.deepEqual(checkTaskList({ tasks: [sparseTask] }), { ok: true, value: { tasks: [sparseTask] } });
    assert.deepEqual(checkDeployments([deployment, { id: "d-2" }]), {
      ok: true,
      value: [deployment, { id: "d-2" }],
    });
    const result = { version: "2026-11-25T18:19:01.000Z", deploymentId: "d-1" };
    assert.deepEqual(checkDeploymentResult(result), { ok: true, value: result });
  });

  it("a required field missing, or a field of the wrong type: one line naming it", () => {
    const cases: [{ ok: boolean }, string][] = [
      [checkGroup({ apps: [] }), "a group without id"],
      [checkGroup({ id: "/galera", apps: {} }), "a group whose apps is an object, not a list"],
      [checkGroup({ id: "/galera", apps: [{ id: "/galera/node" }] }), "a group without apps[0].instances"],
      [
        checkGroup({ id: "/galera", apps: [{ id: "/galera/node", instances: "3" }] }),
        'a group whose apps[0].instances is "3", not a whole number',
      ],
      [checkApp({}), "an app without app"],
      [
        checkApp({ app: { ...app, instances: 2.5 } }),
        "an app whose app.instances is 2.5, not a whole number",
      ],
      [
        checkApp({ app: { ...app, tasksHealthy: null } }),
        "an app whose app.tasksHealthy is null, not a whole number",
      ],
      [checkApp({ app: { ...app, deployments: [{}] } }), "an app without app.deployments[0].id"],
      [
        checkApp({ app: { ...app, tasks: [{ ...task, host: 1 }] } }),
        "an app whose app.tasks[0].host is 1, not a string",
      ],
      [
        checkApp({ app: { ...app, tasks: [{ ...task, healthCheckResults: [{ alive: "true" }] }] } }),
        'an app whose app.tasks[0].healthCheckResults[0].alive is "true", not true or false',
      ],
      [checkTaskList({ tasks: [{ ...task, appId: undefined }] }), "a task list without tasks[0].appId"],
      [
        checkTaskList({ tasks: [{ ...task, ipAddresses: [{ protocol: "IPv4" }] }] }),
        "a task list without tasks[0].ipAddresses[0].ipAddress",
      ],
      [
        checkTaskList({ tasks: [{ ...task, state: 1 }] }),
        "a task list whose tasks[0].state is 1, not a string",
      ],
      [checkDeployments({ deployments: [] }), "an object, not a deployment list"],
      [checkDeployments([{ id: 7 }]), "a deployment list whose [0].id is 7, not a string"],
      [
        checkDeployments([{ ...deployment, currentStep: "1" }]),
        'a deployment list whose [0].currentStep is "1", not a whole number',
      ],
      [
        checkDeployments([{ ...deployment, currentActions: [{ app: "/galera/node" }] }]),
        "a deployment list without [0].currentActions[0].action",
      ],
      [checkDeploymentResult({ deploymentId: "d-1" }), "a deployment without version"],
      [
        checkDeploymentResult({ deploymentId: "d-1", version: 3 }),
        "a deployment whose version is 3, not a string",
      ],
    ];
    for (const [result, problem] of cases) {
      assert.deepEqual(result, { ok: false, problem }, problem);
    }
  });
});
