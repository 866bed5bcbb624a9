import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { chooseBackupNode, type BackupCandidate } from "../../../src/decide/backup-node.js";
import {
  clockTime,
  dueSlots,
  missedSlotReason,
  slotGraceMs,
  slotName,
  slotTurn,
  slotWaitReason,
} from "../../../src/decide/backup-slot.js";

const at = (time: string) => Date.parse(`2026-12-06T${time}Z`);
/** An hourly schedule's slots from 18:00 to 23:00. */
const hourly = [18, 19, 20, 21, 22, 23].map((h) => at(`${h}:00:00`));
const minute = 60_000;

const member = (node: string, more: Partial<BackupCandidate> = {}): BackupCandidate => ({
  node,
  phase: "synced",
  writer: false,
  syncedSince: "2026-12-06T12:00:00.000Z",
  writerEligibleSince: "2026-12-06T12:00:00.000Z",
  ...more,
});
const cluster = [
  member("n1", { writer: true, syncedSince: "2026-12-06T08:00:00.000Z" }),
  member("n2", { syncedSince: "2026-12-06T20:40:00.000Z" }),
  member("n3", { syncedSince: "2026-12-06T20:14:00.000Z" }),
];

describe("dueSlots", () => {
  it("a slot is due from its time until its grace ends, then missed", () => {
    const since = at("20:00:00");
    assert.deepEqual(dueSlots(hourly, since, at("20:59:59")), { due: null, missed: [] });
    assert.deepEqual(dueSlots(hourly, since, at("21:00:00")), { due: at("21:00:00"), missed: [] });
    assert.deepEqual(dueSlots(hourly, since, at("21:00:00") + slotGraceMs), {
      due: at("21:00:00"),
      missed: [],
    });
    assert.deepEqual(dueSlots(hourly, since, at("21:00:00") + slotGraceMs + 1), {
      due: null,
      missed: [at("21:00:00")],
    });
  });

  it("a slot settled (taken, left or reported) is no longer due", () => {
    assert.deepEqual(dueSlots(hourly, at("21:00:00"), at("21:05:00")), { due: null, missed: [] });
  });

  it("after a gap, the newest slot is due and the older ones were missed, oldest first", () => {
    assert.deepEqual(dueSlots([...hourly].reverse(), at("18:30:00"), at("21:03:00")), {
      due: at("21:00:00"),
      missed: [at("19:00:00"), at("20:00:00")],
    });
    assert.deepEqual(dueSlots(hourly, at("18:30:00"), at("21:30:00"), 5 * minute), {
      due: null,
      missed: [at("19:00:00"), at("20:00:00"), at("21:00:00")],
    });
  });

  it("takes each slot once and reports every other one once, whatever the times checked (property)", () => {
    const slots = fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { maxLength: 8 });
    const checks = fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(slots, checks, fc.integer({ min: 0, max: 100 }), (times, steps, grace) => {
        // An agent that checks at increasing times, settling what each check gives.
        let since = -1;
        let now = 0;
        const settled: number[] = [];
        for (const step of steps) {
          now += step;
          const { due, missed } = dueSlots(times, since, now, grace);
          for (const slot of missed) assert.ok(slot > since && slot <= now && slot !== due);
          if (due !== null) assert.ok(due > since && due <= now && now - due <= grace);
          settled.push(...missed, ...(due === null ? [] : [due]));
          since = Math.max(since, ...missed, ...(due === null ? [] : [due]));
        }
        // Every slot up to the last check settled exactly once, in time order.
        assert.deepEqual(
          settled,
          times.filter((t) => t <= now).sort((a, b) => a - b),
        );
      }),
    );
  });
});

describe("slotTurn", () => {
  const slot = at("21:00:00");

  it("the agent of the node chooseBackupNode names takes the slot; the others leave it to that node", () => {
    const choice =
      "backing up on n3: of the synced members that are not the writer (n3 and n2), the one synced the longest; n1 and n2 stay synced while n3 is desynced for the backup";
    assert.deepEqual(slotTurn(slot, "n3", cluster, null), {
      action: "take",
      reason: `taking the backup slot of 2026-12-06T21:00:00Z: ${choice}`,
    });
    assert.deepEqual(slotTurn(slot, "n1", cluster, null), {
      action: "leave",
      node: "n3",
      reason: `leaving the backup slot of 2026-12-06T21:00:00Z to n3: ${choice}`,
    });
  });

  it("waits while no member may take it, until its grace ends", () => {
    const refusal =
      "no backup is taken: n1 is the only synced member, and the backup would desync it, leaving the cluster without a synced member; nothing was changed; try again once another member is synced";
    const lone = [cluster[0]!, member("n2", { phase: "starting" })];
    assert.deepEqual(slotTurn(slot, "n2", lone, null), {
      action: "retry",
      cause: refusal,
      reason: `the backup slot of 2026-12-06T21:00:00Z waits: ${refusal}; the agents try again until 2026-12-06T21:10:00Z, when the slot counts as missed`,
    });
  });

  it("waits while a backup still runs: one at a time", () => {
    assert.deepEqual(slotTurn(slot, "n3", cluster, "20261206T200000Z-n2", 30 * minute), {
      action: "retry",
      cause: "backup 20261206T200000Z-n2 is still running, and one backup runs at a time",
      reason:
        "the backup slot of 2026-12-06T21:00:00Z waits: backup 20261206T200000Z-n2 is still running, and one backup runs at a time; the agents try again until 2026-12-06T21:30:00Z, when the slot counts as missed",
    });
  });

  it("exactly one agent takes a slot when all hold the same reports, the node chooseBackupNode names (property)", () => {
    const phase = fc.constantFrom("synced", "synced", "donor", "starting" as const);
    const time = fc.constantFrom(null, "2026-12-06T10:00:00.000Z", "2026-12-06T11:00:00.000Z");
    const reports = fc
      .array(fc.record({ phase, writer: fc.boolean(), syncedSince: time, writerEligibleSince: time }), {
        maxLength: 5,
      })
      .map((ms) => ms.map((m, i): BackupCandidate => ({ node: `n${i + 1}`, ...m })));
    fc.assert(
      fc.property(reports, (members) => {
        const turns = members.map((m) => slotTurn(slot, m.node, members, null));
        const takers = members.filter((_, i) => turns[i]!.action === "take").map((m) => m.node);
        const choice = chooseBackupNode(members);
        assert.deepEqual(takers, "node" in choice ? [choice.node] : []);
        for (const turn of turns) {
          if (turn.action === "leave") assert.equal(turn.node, "node" in choice ? choice.node : null);
          if (turn.action === "retry") assert.ok("refuse" in choice);
        }
      }),
    );
  });
});

describe("missedSlotReason", () => {
  it("says why a slot was missed, that it is not taken late, and the next slot", () => {
    assert.equal(
      missedSlotReason(at("21:00:00"), null, at("22:00:00")),
      "missed the backup slot of 2026-12-06T21:00:00Z: no agent saw it due within 10 min of its time (the agents were down, or busy); no backup is taken late; the next slot, 2026-12-06T22:00:00Z, is its retry",
    );
    assert.equal(
      missedSlotReason(
        at("21:00:00"),
        "backup 20261206T200000Z-n2 is still running, and one backup runs at a time",
        null,
        30 * minute,
      ),
      "missed the backup slot of 2026-12-06T21:00:00Z: no member could take it within 30 min of its time (the last try: backup 20261206T200000Z-n2 is still running, and one backup runs at a time); no backup is taken late; the schedule has no later slot",
    );
  });
});

describe("the words every slot line shares", () => {
  it("names a slot by its time, to the second, in UTC", () => {
    assert.equal(clockTime(at("21:00:00") + 999), "2026-12-06T21:00:00Z");
    assert.equal(slotName(at("21:00:00")), "the backup slot of 2026-12-06T21:00:00Z");
  });

  it("says why a due slot waits, and until when (the agent's own causes too: the destination)", () => {
    assert.equal(
      slotWaitReason(
        at("21:00:00"),
        "claiming slot 20261206T210000Z in /srv/backups failed: no space left on the device (ENOSPC)",
      ),
      "the backup slot of 2026-12-06T21:00:00Z waits: claiming slot 20261206T210000Z in /srv/backups failed: no space left on the device (ENOSPC); the agents try again until 2026-12-06T21:10:00Z, when the slot counts as missed",
    );
    assert.equal(
      slotWaitReason(at("21:00:00"), "x", 30 * minute),
      "the backup slot of 2026-12-06T21:00:00Z waits: x; the agents try again until 2026-12-06T21:30:00Z, when the slot counts as missed",
    );
  });
});
