import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkHealthEntries } from "../../../src/discovery/consul-answer.js";

/** An entry in the shape of Consul's documentation: Node, Service, Checks. */
const entry = {
  Node: { ID: "id-agent-3", Node: "agent-3", Address: "10.0.0.3", Datacenter: "dc1" },
  Service: {
    ID: "agent-3:galera:3306",
    Service: "galera",
    Tags: ["node"],
    Address: "172.17.0.3",
    Port: 31003,
  },
  Checks: [{ Node: "agent-3", CheckID: "serfHealth", Name: "Serf Health Status", Status: "passing" }],
};

describe("the schema of Consul's health answer", () => {
  it("entries as Consul sends them pass unchanged, unread fields (Checks, Datacenter) kept", () => {
    const entries = [entry, { ...entry, Service: { ...entry.Service, Address: "", Tags: null } }];
    assert.deepEqual(checkHealthEntries(entries), { ok: true, value: entries });
    assert.deepEqual(checkHealthEntries([]), { ok: true, value: [] });
  });

  it("every field may be missing, as Consul may leave one out", () => {
    const sparse = [{}, { Node: {} }, { Service: {} }, { Node: { Address: "10.0.0.1" } }];
    assert.deepEqual(checkHealthEntries(sparse), { ok: true, value: sparse });
  });

  it("a field of the wrong type: its path in the list, the value, what it should be", () => {
    const cases: [unknown, string][] = [
      [
        [entry, { ...entry, Service: { ...entry.Service, Port: "31002" } }],
        'a list whose [1].Service.Port is "31002", not a number',
      ],
      [
        [{ ...entry, Service: { ...entry.Service, Address: 17 } }],
        "a list whose [0].Service.Address is 17, not a string",
      ],
      [
        [{ ...entry, Service: { ...entry.Service, ID: null } }],
        "a list whose [0].Service.ID is null, not a string",
      ],
      [
        [{ ...entry, Service: { ...entry.Service, Service: [] } }],
        "a list whose [0].Service.Service is a list, not a string",
      ],
      [
        [{ ...entry, Service: { ...entry.Service, Tags: "node" } }],
        'a list whose [0].Service.Tags is "node", not a list or null',
      ],
      [
        [{ ...entry, Service: { ...entry.Service, Tags: ["node", 1] } }],
        "a list whose [0].Service.Tags[1] is 1, not a string",
      ],
      [[{ ...entry, Service: "galera" }], 'a list whose [0].Service is "galera", not an object'],
      [
        [{ ...entry, Node: { ...entry.Node, Address: false } }],
        "a list whose [0].Node.Address is false, not a string",
      ],
      [[{ ...entry, Node: { ...entry.Node, Node: 3 } }], "a list whose [0].Node.Node is 3, not a string"],
      [[{ ...entry, Node: 1 }], "a list whose [0].Node is 1, not an object"],
      [[entry, "agent-2"], 'a list whose [1] is "agent-2", not an object'],
    ];
    for (const [answer, problem] of cases) {
      assert.deepEqual(checkHealthEntries(answer), { ok: false, problem }, problem);
    }
  });
});
