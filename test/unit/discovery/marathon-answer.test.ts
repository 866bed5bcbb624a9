import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkTaskList } from "../../../src/discovery/marathon-answer.js";

/** A task in the shape of Marathon's examples/tasks.json (as the Marathon stand-in answers). */
const task = {
  id: "galera_node.instance-1._app.1",
  appId: "/galera/node",
  host: "10.0.40.1",
  ports: [31003, 31004],
  ipAddresses: [{ ipAddress: "172.17.0.1", protocol: "IPv4" }],
  slaveId: "stand-in-agent-1",
  state: "TASK_RUNNING",
  healthCheckResults: [{ alive: true, consecutiveFailures: 0, instanceId: "galera_node.instance-1" }],
};

describe("the schema of Marathon's task list (discovery)", () => {
  it("tasks as Marathon sends them pass unchanged, unread fields kept", () => {
    const answer = { tasks: [task, { ...task, healthCheckResults: [] }] };
    assert.deepEqual(checkTaskList(answer), { ok: true, value: answer });
    assert.deepEqual(checkTaskList({ tasks: [] }), { ok: true, value: { tasks: [] } });
  });

  it("every field of a task may be missing: no health result yet, no container network", () => {
    const answer = {
      tasks: [{}, { host: "agent-1.mesos" }, { ipAddresses: [{}], healthCheckResults: [{}] }],
    };
    assert.deepEqual(checkTaskList(answer), { ok: true, value: answer });
  });

  it("a field of the wrong type: its path, the value, what it should be", () => {
    const cases: [unknown, string][] = [
      [{ tasks: [{ ...task, id: 1 }] }, "a task list whose tasks[0].id is 1, not a string"],
      [{ tasks: [task, { ...task, host: null }] }, "a task list whose tasks[1].host is null, not a string"],
      [{ tasks: [{ ...task, ports: "31003" }] }, 'a task list whose tasks[0].ports is "31003", not a list'],
      [
        { tasks: [{ ...task, ports: [31003, "x"] }] },
        'a task list whose tasks[0].ports[1] is "x", not a number',
      ],
      [
        { tasks: [{ ...task, ipAddresses: [{ ipAddress: 17 }] }] },
        "a task list whose tasks[0].ipAddresses[0].ipAddress is 17, not a string",
      ],
      [
        { tasks: [{ ...task, healthCheckResults: [{ alive: "yes" }] }] },
        'a task list whose tasks[0].healthCheckResults[0].alive is "yes", not true or false',
      ],
      [{ tasks: ["t1"] }, 'a task list whose tasks[0] is "t1", not an object'],
    ];
    for (const [answer, problem] of cases) {
      assert.deepEqual(checkTaskList(answer), { ok: false, problem }, problem);
    }
  });
});
