import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { planLocalStart, type NodeDiskFacts } from "../../../src/local/start-plan.js";

const uuid = "2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e";
const node = (name: string, seqno: number, safe: boolean): NodeDiskFacts => ({
  name,
  empty: false,
  grastate: { version: "2.1", uuid, seqno, safeToBootstrap: safe },
});

describe("planLocalStart", () => {
  it("a brand-new cluster is seeded by the first node", () => {
    const plan = planLocalStart(["n1", "n2", "n3"].map((name) => ({ name, empty: true, grastate: null })));
    assert.equal(plan.seed, "n1");
  });

  it("after a clean full stop the node that left last seeds", () => {
    const plan = planLocalStart([node("n1", 10, false), node("n2", 12, false), node("n3", 12, true)]);
    assert.equal(plan.seed, "n3");
    assert.match(plan.reason, /n3 left the cluster last/);
  });

  it("after a crash of all nodes nobody seeds: pc.recovery restores the primary", () => {
    const plan = planLocalStart([node("n1", -1, false), node("n2", -1, false), node("n3", -1, false)]);
    assert.equal(plan.seed, null);
    assert.match(plan.reason, /pc.recovery/);
  });

  it("two nodes marked safe is ambiguous: nobody seeds", () => {
    assert.equal(planLocalStart([node("n1", 5, true), node("n2", 5, true)]).seed, null);
  });
});
