import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { logTimeMs, lossesOutsideFaults, primaryLosses } from "../../../src/mysqld/primary-losses.js";

const line = (time: string, text: string) => `2026-12-06 ${time} 0 [Note] ${text}`;
const start = (time: string) =>
  line(time, "WSREP: Passing config to GCS: base_dir = /x/; evs.suspect_timeout = PT1S");
const component = (time: string, primary: "yes" | "no", members: number) =>
  line(time, `WSREP: New COMPONENT: primary = ${primary}, bootstrap = no, my_idx = 0, memb_num = ${members}`);

describe("primaryLosses: when a running member lost its primary component, from mariadbd's log", () => {
  it("a joiner's own non-primary component at start, before it found its peers, is no loss", () => {
    const log = [start(" 4:06:19"), component(" 4:06:20", "no", 1), component(" 4:06:20", "yes", 2)].join(
      "\n",
    );
    assert.deepEqual(primaryLosses(log), []);
  });

  it("a member of a primary component that logs a non-primary one lost it: the time and the members left", () => {
    const log = [
      start(" 4:06:19"),
      component(" 4:06:19", "yes", 1),
      component(" 4:06:21", "yes", 2),
      line(" 4:06:22", "WSREP: discarding connection 643b1b44-aae5 (tcp://127.0.27.3:4567) after 1 retries"),
      component(" 4:06:23", "no", 2),
      component(" 4:06:24", "yes", 3),
    ].join("\n");
    assert.deepEqual(primaryLosses(log), [{ at: "2026-12-06  4:06:23", members: 2 }]);
  });

  it("the non-primary components a node logs while it leaves on request are no loss", () => {
    const log = [
      start(" 4:06:19"),
      component(" 4:06:19", "yes", 3),
      line(" 4:06:52", "/usr/sbin/mariadbd (initiated by: unknown): Normal shutdown"),
      component(" 4:06:52", "no", 1),
    ].join("\n");
    assert.deepEqual(primaryLosses(log), []);
  });

  it("a new process starts afresh: its start-up component is no loss, and a later split is one", () => {
    const log = [
      start(" 4:06:19"),
      component(" 4:06:19", "yes", 3),
      line(" 4:06:40", "/usr/sbin/mariadbd (initiated by: unknown): Normal shutdown"),
      start(" 4:06:53"),
      component(" 4:06:53", "no", 1),
      component(" 4:06:54", "yes", 3),
      component(" 4:07:10", "no", 1),
    ].join("\n");
    assert.deepEqual(primaryLosses(log), [{ at: "2026-12-06  4:07:10", members: 1 }]);
  });

  it("two non-primary components in a row are one loss, counted when the primary went", () => {
    const log = [
      start(" 1:00:00"),
      component(" 1:00:01", "yes", 3),
      component(" 1:00:05", "no", 1),
      component(" 1:00:06", "no", 2),
    ].join("\n");
    assert.equal(primaryLosses(log).length, 1);
  });

  it("a log without Galera's component lines has no loss", () => {
    assert.deepEqual(primaryLosses("2026-12-06  4:06:19 0 [Note] InnoDB: Starting shutdown...\n"), []);
  });
});

describe("lossesOutsideFaults: the losses no injected fault explains", () => {
  const at = (time: string) => new Date(logTimeMs(`2026-12-06 ${time}`)).toISOString();
  const faults = [
    { at: at("10:00:00"), recoveredAfterMs: 10_000 },
    { at: at("10:05:00"), recoveredAfterMs: null },
  ];

  it("reads mariadbd's time stamps, one-digit hours padded with a space included", () => {
    assert.equal(logTimeMs("2026-12-06  4:06:19"), new Date(2026, 11, 6, 4, 6, 19).getTime());
    assert.equal(logTimeMs("2026-12-06 14:06:19"), new Date(2026, 11, 6, 14, 6, 19).getTime());
    assert.ok(Number.isNaN(logTimeMs("not a time")));
  });

  it("keeps a loss outside every fault's window, with 2 s of slack on each side", () => {
    const losses = [
      { at: "2026-12-06  9:59:57" }, // before the first fault, beyond the slack: kept
      { at: "2026-12-06  9:59:59" }, // inside the slack before it
      { at: "2026-12-06 10:00:05" }, // during it
      { at: "2026-12-06 10:00:12" }, // its recovery + 2 s
      { at: "2026-12-06 10:00:13" }, // after: kept
      { at: "2026-12-06 10:06:00" }, // during the fault that never recovered
    ];
    assert.deepEqual(
      lossesOutsideFaults(losses, faults).map((l) => l.at),
      ["2026-12-06  9:59:57", "2026-12-06 10:00:13"],
    );
  });

  it("a loss whose time cannot be read is not counted as outside", () => {
    assert.deepEqual(lossesOutsideFaults([{ at: "garbled" }], []), []);
  });
});
