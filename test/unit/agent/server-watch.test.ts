import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { ServerWatch } from "../../../src/agent/server-watch.js";
import { unreachableSample, type WsrepSample } from "../../../src/probe/wsrep-sample.js";

const sample = (takenAt: number, clusterStatus: string, localState: number): WsrepSample => ({
  ...unreachableSample(takenAt, "x"),
  error: null,
  clusterStatus,
  localState,
});
const child = { pid: 42 } as ChildProcess;

describe("what the agent knows of the mariadbd it runs", () => {
  it("a joiner: starting, then its first sync is news once, and synced-since holds while it stays synced", () => {
    const watch = new ServerWatch();
    watch.started(child, "join");
    assert.deepEqual(watch.observe(sample(1000, "Primary", 1)), {
      synced: false,
      firstSync: false,
      primary: true,
    });
    assert.deepEqual(watch.observe(sample(2000, "Primary", 4)), {
      synced: true,
      firstSync: true,
      primary: true,
    });
    assert.deepEqual(watch.observe(sample(3000, "Primary", 4)), {
      synced: true,
      firstSync: false,
      primary: true,
    });
    assert.equal(watch.syncedSince, 2000);
    assert.equal(watch.syncedSinceStart, true);
    watch.observe(sample(4000, "Primary", 2));
    assert.equal(watch.syncedSince, null, "a donor is no longer synced");
    assert.equal(watch.syncedSinceStart, true);
  });

  it("outside a primary since the first such sample; an unanswered sample changes nothing of it", () => {
    const watch = new ServerWatch();
    watch.started(child, "await-pc-recovery");
    watch.observe(sample(1000, "non-Primary", 1));
    watch.observe(sample(2000, "non-Primary", 1));
    watch.observe(unreachableSample(2500, "timeout"));
    assert.equal(watch.outsidePrimarySince, 1000);
    assert.equal(watch.primarySinceStart, false);
    watch.observe(sample(3000, "Primary", 4));
    assert.equal(watch.outsidePrimarySince, null);
    assert.equal(watch.primarySinceStart, true);
  });

  it("a new start forgets the last run", () => {
    const watch = new ServerWatch();
    watch.started(child, "bootstrap");
    watch.observe(sample(1000, "Primary", 4));
    watch.ended();
    assert.equal(watch.child, null);
    watch.started(child, "join");
    assert.equal(watch.kind, "join");
    assert.equal(watch.syncedSinceStart, false);
    assert.equal(watch.syncedSince, null);
    assert.equal(watch.primarySinceStart, false);
    assert.equal(watch.outsidePrimarySince, null);
  });
});
