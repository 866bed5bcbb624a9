import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { phases } from "../../../src/model/phase.js";
import { steadyState } from "../../../src/health/steady-state.js";

describe("the steady-state sentence", () => {
  it("n2, synced and the writer of three: no action", () => {
    assert.equal(
      steadyState({ node: "n2", phase: "synced", ready: true, writer: true, clusterSize: 3 }),
      "no action: n2 is synced, the writer, in a primary component of 3",
    );
  });

  it("n3, synced and ready but not the writer: a reader", () => {
    assert.equal(
      steadyState({ node: "n3", phase: "synced", ready: true, writer: false, clusterSize: 3 }),
      "no action: n3 is synced, a reader, in a primary component of 3",
    );
  });

  it("a synced node whose mariadbd is read-only is not ready, and the sentence says why", () => {
    assert.equal(
      steadyState({ node: "n1", phase: "synced", ready: false, writer: false, clusterSize: 2 }),
      "no action: n1 is synced in a primary component of 2, but not ready: mariadbd is read-only",
    );
  });

  it("a donor says whether it stays in the routers' pools", () => {
    assert.equal(
      steadyState({ node: "n1", phase: "donor", ready: false, writer: false, clusterSize: 3 }),
      "no action: n1 serves a state transfer as a donor, out of the routers' pools meanwhile",
    );
    assert.equal(
      steadyState({ node: "n1", phase: "donor", ready: true, writer: false, clusterSize: 3 }),
      "no action: n1 serves a state transfer as a donor, and stays ready",
    );
  });

  it("outside a primary component, the sentence says the agent will decide if it lasts", () => {
    assert.equal(
      steadyState({ node: "n2", phase: "non-primary", ready: false, writer: false, clusterSize: 1 }),
      "no action yet: n2's mariadbd runs outside any primary component of 1; the agent decides with its peers if this lasts",
    );
  });

  it("a mariadbd that starts or joins, and one that stopped answering, each have their line", () => {
    assert.equal(
      steadyState({ node: "n3", phase: "starting", ready: false, writer: false, clusterSize: null }),
      "no action: n3's mariadbd is starting or joining (state transfer, or awaiting its primary component)",
    );
    assert.equal(
      steadyState({ node: "n3", phase: "server-down", ready: false, writer: false, clusterSize: null }),
      "no action yet: n3's mariadbd does not answer; it is restarted if it exited",
    );
  });

  it("an unknown cluster size is left out rather than guessed", () => {
    assert.equal(
      steadyState({ node: "n2", phase: "desynced", ready: false, writer: false, clusterSize: null }),
      "no action: n2 is in a primary component but desynced (wsrep_desync set by hand, or a backup of another tool): out of the routers' pools",
    );
  });

  it("a node being backed up says so, and that it is out of the pools until the end", () => {
    assert.equal(
      steadyState({ node: "n3", phase: "backing-up", ready: false, writer: false, clusterSize: 3 }),
      "no action: n3 is being backed up, desynced for it: out of the routers' pools until the backup ends",
    );
  });

  it("the phases a decision or a lifecycle step speaks for have no steady sentence", () => {
    for (const phase of ["preparing", "waiting", "refused", "draining", "stopping", "stopped"] as const) {
      assert.equal(
        steadyState({ node: "n1", phase, ready: false, writer: false, clusterSize: 3 }),
        null,
        phase,
      );
    }
  });

  it("property: every other phase has a sentence naming the node, and a writer is never called a reader", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...phases),
        fc.boolean(),
        fc.boolean(),
        fc.option(fc.nat(9)),
        (phase, ready, writer, clusterSize) => {
          const sentence = steadyState({ node: "n7", phase, ready, writer, clusterSize });
          if (["preparing", "waiting", "refused", "draining", "stopping", "stopped"].includes(phase)) {
            assert.equal(sentence, null);
            return;
          }
          assert.match(sentence!, /^no action( yet)?: n7/);
          if (writer && ready && phase === "synced") assert.match(sentence!, /the writer/);
          assert.doesNotMatch(sentence!, writer ? /a reader/ : /the writer/);
        },
      ),
    );
  });
});
