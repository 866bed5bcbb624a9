import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { newClusterRisk, type PrimaryStartFacts } from "../../../src/decide/new-cluster-guard.js";
import { ZERO_UUID } from "../../../src/model/galera-state.js";

const A = "75e9801f-d1c2-11f1-9a3b-2f1e0c6b7a10";
const B = "99a3f9ff-d1c2-11f1-8000-0242ac120002";

function start(more: Partial<PrimaryStartFacts>): PrimaryStartFacts {
  return {
    kind: "await-pc-recovery",
    fresh: false,
    grastateUuid: A,
    startPosition: { uuid: A, seqno: 442841 },
    ...more,
  };
}

describe("newClusterRisk: never a new cluster over another cluster's data", () => {
  it("the issue's start: awaiting pc.recovery with the zero UUID in grastate.dat and cluster A's data: refused", () => {
    assert.equal(
      newClusterRisk(start({ grastateUuid: ZERO_UUID })),
      `refusing to let Galera restore the last primary component from this node: grastate.dat holds the zero UUID, so Galera would start a new cluster from the zero position while this datadir holds cluster ${A}'s data`,
    );
  });

  it("a bootstrap with no grastate.dat: refused (Galera ignores the start position without the file)", () => {
    assert.equal(
      newClusterRisk(start({ kind: "bootstrap", grastateUuid: null })),
      `refusing to bootstrap a primary component from this node: grastate.dat is absent or empty, so Galera would start a new cluster from the zero position while this datadir holds cluster ${A}'s data`,
    );
  });

  it("a grastate.dat of another cluster than the start position: refused", () => {
    assert.match(
      newClusterRisk(start({ kind: "bootstrap", grastateUuid: B })) ?? "",
      new RegExp(`grastate.dat holds cluster ${B}, not the start position's ${A}`),
    );
  });

  it("a datadir with data but the zero position, bootstrapped: refused", () => {
    assert.match(
      newClusterRisk(
        start({ kind: "bootstrap", grastateUuid: ZERO_UUID, startPosition: { uuid: ZERO_UUID, seqno: -1 } }),
      ) ?? "",
      /while this datadir holds data but no position of any cluster$/,
    );
  });

  it("allowed: a bootstrap or pc.recovery whose grastate.dat holds the start position's cluster", () => {
    assert.equal(newClusterRisk(start({})), null);
    assert.equal(newClusterRisk(start({ kind: "bootstrap" })), null);
  });

  it("allowed: a new cluster from a datadir that was empty at this start", () => {
    assert.equal(
      newClusterRisk(
        start({
          kind: "bootstrap",
          fresh: true,
          grastateUuid: null,
          startPosition: { uuid: ZERO_UUID, seqno: -1 },
        }),
      ),
      null,
    );
  });

  it("allowed: any join (a state transfer brings the cluster's state)", () => {
    assert.equal(newClusterRisk(start({ kind: "join", grastateUuid: ZERO_UUID })), null);
  });
});
