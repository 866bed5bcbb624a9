import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { StopRequest } from "../../../src/agent/stop-request.js";

describe("a stop request", () => {
  it("wakes every waiter at once: a run of mariadbd and a pause", async () => {
    const stop = new StopRequest();
    const run = stop.watch();
    const pause = stop.pause(60_000);
    assert.equal(stop.request("SIGTERM"), true);
    assert.equal(await run.promise, "stop");
    assert.equal(await pause, "stop");
  });

  it("keeps the first reason: a later request changes nothing", () => {
    const stop = new StopRequest();
    assert.equal(stop.requested, false);
    assert.equal(stop.request("SIGTERM"), true);
    assert.equal(stop.request("health listener failure"), false);
    assert.equal(stop.requested, true);
  });

  it("a pause that slept its time, or a cancelled watch, leaves no waiter behind", async () => {
    const stop = new StopRequest();
    assert.equal(await stop.pause(5), "slept");
    const run = stop.watch();
    run.cancel();
    let woken = false;
    void run.promise.then(() => (woken = true));
    stop.request("SIGTERM");
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(woken, false, "a cancelled watch is not woken");
  });

  it("once requested, a new watch or pause ends at once", async () => {
    const stop = new StopRequest();
    stop.request("SIGINT");
    assert.equal(await stop.watch().promise, "stop");
    assert.equal(await stop.pause(60_000), "stop");
  });

  it("a failure (the health listener down for good) makes a clean exit non-zero, and stops the agent", () => {
    const stop = new StopRequest();
    assert.equal(stop.exitCode(0), 0);
    stop.fail(new Error("the health port is gone"), "health listener failure");
    assert.equal(stop.requested, true);
    assert.notEqual(stop.exitCode(0), 0);
    assert.equal(stop.exitCode(5), 5, "a failing exit keeps its own code");
  });
});
