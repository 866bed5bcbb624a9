import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { timelineEvents, type TimelineNodeState } from "../../../src/dashboard/cluster-timeline.js";

const node = (
  name: string,
  phase: string,
  writer = false,
  lastDecision: string | null = null,
): TimelineNodeState => ({
  name,
  phase,
  writer,
  lastDecision,
});

describe("timelineEvents", () => {
  it("names every node's phase at the first poll, with its decision", () => {
    assert.deepEqual(
      timelineEvents(null, [node("n1", "waiting", false, "wait: waiting for n2")], "t").map((e) => [
        e.node,
        e.kind,
        e.text,
      ]),
      [
        ["n1", "phase", "waiting"],
        ["n1", "decision", "wait: waiting for n2"],
      ],
    );
  });
  it("records phase changes, new decisions and writer changes, and nothing when nothing changed", () => {
    const before = [node("n1", "synced", true, "join: x"), node("n2", "synced"), node("n3", "synced")];
    const after = [
      node("n1", "server-down", false, "join: x"),
      node("n2", "synced", true),
      node("n4", "starting"),
    ];
    assert.deepEqual(
      timelineEvents(before, after, "t").map((e) => `${e.node} ${e.kind}: ${e.text}`),
      [
        "n1 phase: synced → server-down",
        "n1 writer: is no longer the writer",
        "n2 writer: became the writer",
        "n4 phase: starting",
        "n3 phase: removed",
      ],
    );
    assert.deepEqual(timelineEvents(after, after, "t"), []);
  });
});
