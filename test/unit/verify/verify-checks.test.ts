import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { checkAppends, checkConvergence, type NodeSnapshot } from "../../../src/verify/verify-checks.js";
import { allFaultKinds, faultSchedule } from "../../../src/verify/fault-schedule.js";

describe("checkAppends", () => {
  it("an acknowledged id that is missing is lost; an indeterminate one may be either way", () => {
    const verdict = checkAppends({ acknowledged: [1, 2, 3], indeterminate: [4, 5] }, [1, 3, 5]);
    assert.deepEqual(verdict, { lost: [2], phantom: [], indeterminateCommitted: 1 });
  });
  it("a row nobody was told about (refused or never sent) is a phantom", () => {
    assert.deepEqual(checkAppends({ acknowledged: [1], indeterminate: [] }, [1, 9]).phantom, [9]);
  });
  it("never calls an id lost when it is present, nor phantom when it was acknowledged or indeterminate", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.nat(200)),
        fc.uniqueArray(fc.nat(200)),
        fc.uniqueArray(fc.nat(200)),
        (acknowledged, indeterminate, present) => {
          const v = checkAppends({ acknowledged, indeterminate }, present);
          for (const id of v.lost) assert.ok(acknowledged.includes(id) && !present.includes(id));
          for (const id of v.phantom) assert.ok(!acknowledged.includes(id) && !indeterminate.includes(id));
          assert.equal(v.lost.length, acknowledged.filter((id) => !present.includes(id)).length);
        },
      ),
    );
  });
});

describe("checkConvergence", () => {
  const node = (name: string, extra: Partial<NodeSnapshot> = {}): NodeSnapshot => ({
    name,
    clusterStateUuid: "u1",
    lastCommitted: 100,
    checksums: { "v.appends": 7, "v.accounts": 9 },
    bankTotal: 10_000,
    ...extra,
  });
  it("equal nodes with the right total: no problem", () => {
    assert.deepEqual(checkConvergence([node("n1"), node("n2"), node("n3")], 10_000), []);
  });
  it("names each kind of divergence", () => {
    const problems = checkConvergence(
      [
        node("n1"),
        node("n2", { clusterStateUuid: "u2" }),
        node("n3", { lastCommitted: 99, checksums: { "v.appends": 8, "v.accounts": 9 }, bankTotal: 9_990 }),
      ],
      10_000,
    );
    assert.deepEqual(problems, [
      "nodes are in different cluster states: n1 u1, n2 u2, n3 u1",
      "nodes differ in last committed seqno: n1 100, n2 100, n3 99",
      "v.appends differs between nodes (checksums n1 7, n2 7, n3 8)",
      "the bank's total on n3 is 9990, not 10000: money was made or lost",
    ]);
  });
});

describe("faultSchedule", () => {
  it("is the same for the same seed, and covers every kind before repeating one", () => {
    const a = faultSchedule(42, 14, allFaultKinds, ["n1", "n2", "n3"]);
    assert.deepEqual(a, faultSchedule(42, 14, allFaultKinds, ["n1", "n2", "n3"]));
    assert.deepEqual(new Set(a.slice(0, 7).map((f) => f.kind)), new Set(allFaultKinds));
    assert.deepEqual(new Set(a.slice(7).map((f) => f.kind)), new Set(allFaultKinds));
  });
  it("hits the right nodes: all for a total outage, a majority for kill-majority, one otherwise", () => {
    for (const f of faultSchedule(1, 70, allFaultKinds, ["n1", "n2", "n3", "n4", "n5"])) {
      const expected =
        { "kill-all": 5, "stop-all": 5, "restart-random": 5, "kill-majority": 3 }[f.kind as string] ?? 1;
      assert.equal(f.targets.length, expected, f.kind);
      assert.equal(new Set(f.targets).size, f.targets.length);
    }
  });
});
