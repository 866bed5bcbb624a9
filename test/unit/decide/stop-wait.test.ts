import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { joinerStopGraceMs, stopWait } from "../../../src/decide/stop-wait.js";

const stopTimeoutMs = 120_000;

describe("how long a stopping agent waits for mariadbd before SIGKILL", () => {
  it("a node that synced since its start leaves cleanly, however long that takes up to the stop timeout", () => {
    assert.deepEqual(stopWait({ startKind: "join", syncedSinceStart: true, stopTimeoutMs }), {
      waitMs: stopTimeoutMs,
      joining: null,
    });
    assert.deepEqual(stopWait({ startKind: "await-pc-recovery", syncedSinceStart: true, stopTimeoutMs }), {
      waitMs: stopTimeoutMs,
      joining: null,
    });
  });

  it("the bootstrapper holds the cluster's data: the full timeout even before it synced", () => {
    assert.deepEqual(stopWait({ startKind: "bootstrap", syncedSinceStart: false, stopTimeoutMs }), {
      waitMs: stopTimeoutMs,
      joining: null,
    });
  });

  it("no mariadbd started: the configured timeout, no joiner's sentence", () => {
    assert.deepEqual(stopWait({ startKind: null, syncedSinceStart: false, stopTimeoutMs: 7000 }), {
      waitMs: 7000,
      joining: null,
    });
  });

  it("a joiner mid-transfer gets 5 s, and the log says why", () => {
    const wait = stopWait({ startKind: "join", syncedSinceStart: false, stopTimeoutMs });
    assert.equal(joinerStopGraceMs, 5000);
    assert.equal(wait.waitMs, 5000);
    assert.equal(
      wait.joining,
      "mariadbd is still joining the cluster (not synced since this start): it has nothing to hand over, and a state transfer under way does not end on SIGTERM; it gets 5 s to exit, then SIGKILL; its next start joins from the position it holds",
    );
  });

  it("a node awaiting pc.recovery has not joined either: the short grace, named for what it waits on", () => {
    const wait = stopWait({ startKind: "await-pc-recovery", syncedSinceStart: false, stopTimeoutMs });
    assert.equal(wait.waitMs, 5000);
    assert.match(wait.joining ?? "", /^mariadbd is still awaiting the primary's restoration \(not synced/);
  });

  it("a stop timeout shorter than the grace wins", () => {
    const wait = stopWait({ startKind: "join", syncedSinceStart: false, stopTimeoutMs: 2000 });
    assert.equal(wait.waitMs, 2000);
    assert.match(wait.joining ?? "", /it gets 2 s to exit, then SIGKILL/);
  });
});
