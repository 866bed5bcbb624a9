import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decideStart, type StartFacts } from "../../../src/decide/start-decision.js";

const uuid = "2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e";
const peers = [
  { address: "10.0.0.2", port: 4567 },
  { address: "10.0.0.3", port: 4567 },
];

function facts(overrides: Partial<StartFacts>): StartFacts {
  return {
    mode: "node",
    nodeName: "n1",
    initialisedNow: false,
    grastate: { version: "2.1", uuid, seqno: -1, safeToBootstrap: false },
    grastateEmpty: false,
    recovered: { uuid, seqno: 41, gtid: null },
    peers,
    ...overrides,
  };
}

describe("decideStart", () => {
  it("a node with peers joins them, and says through whom and from which position", () => {
    assert.deepEqual(decideStart(facts({})), {
      action: "join",
      reason: `joining the cluster through 10.0.0.2:4567, 10.0.0.3:4567; local position ${uuid}:41`,
    });
  });

  it("a node whose last state transfer did not finish joins by full SST and says so", () => {
    const d = decideStart(facts({ grastate: null, grastateEmpty: true }));
    assert.equal(d.action, "join");
    assert.match(d.reason, /earlier state transfer did not finish, so this node takes a full SST/);
  });

  it("a node with no peer left after removing its own address refuses", () => {
    const d = decideStart(facts({ peers: [] }));
    assert.equal(d.action, "refuse");
    assert.match(d.reason, /no peers to join/);
  });

  it("a seed with a fresh datadir bootstraps a new cluster", () => {
    assert.deepEqual(decideStart(facts({ mode: "seed", initialisedNow: true, peers: [] })), {
      action: "bootstrap",
      reason: "bootstrapping a new cluster: seed mode with a fresh datadir",
    });
  });

  it("a seed that left last (safe_to_bootstrap: 1) bootstraps", () => {
    const d = decideStart(
      facts({
        mode: "seed",
        peers: [],
        grastate: { version: "2.1", uuid, seqno: 41, safeToBootstrap: true },
      }),
    );
    assert.equal(d.action, "bootstrap");
    assert.match(d.reason, /safe to bootstrap \(it left the cluster last\); position .*:41/);
  });

  it("a seed not marked safe refuses rather than fork the history", () => {
    const d = decideStart(facts({ mode: "seed", peers: [] }));
    assert.equal(d.action, "refuse");
    assert.match(d.reason, /safe_to_bootstrap: 0/);
  });

  it("a seed whose grastate.dat is empty never bootstraps", () => {
    assert.equal(
      decideStart(facts({ mode: "seed", peers: [], grastate: null, grastateEmpty: true })).action,
      "refuse",
    );
  });
});
