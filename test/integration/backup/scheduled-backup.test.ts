import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { slotKey } from "../../../src/agent/backup-schedule-watch.js";
import { clockTime } from "../../../src/decide/backup-slot.js";
import { readBackupActivity } from "../../../src/peer-api/backup-client.js";
import { failureAwareSteps } from "../../support/failure-aware-steps.js";
import { agentLog, allSynced, testCluster } from "../../support/local-cluster-harness.js";

/**
 * Scheduled backups of a real 3-node cluster (docs/backups.md, "Scheduled backups"): every
 * agent watches the schedule `* * * * *`, and each slot is taken by one agent, whose node the
 * rules choose, the others leaving it. Addresses 127.0.31.x; the destination is the state
 * folder's backups/, which the three agents share (what the local runner gives them).
 */
describe("given a 3-node cluster whose agents back it up every minute", { timeout: 600_000 }, () => {
  const { cluster, events } = testCluster("sched-backup", "127.0.31.2", {
    agentEnv: { GALERA_PILOT_BACKUP_SCHEDULE: "* * * * *" },
  });
  const stateDir = join(cluster.layout[0]!.datadir, "..", "..");
  const destination = join(stateDir, "backups");
  const { step, failed } = failureAwareSteps();
  /** Slot marker file → the agent that claimed it. */
  const claims = (): Map<string, string> => {
    const folder = join(destination, "slots");
    if (!existsSync(folder)) return new Map();
    return new Map(
      readdirSync(folder).map((file) => [file, readFileSync(join(folder, file), "utf8").trim()]),
    );
  };
  const manifests = (): { id: string; state: string; node: string; startedAt: string }[] =>
    readdirSync(destination)
      .filter((name) => existsSync(join(destination, name, "manifest.json")))
      .map((id) => JSON.parse(readFileSync(join(destination, id, "manifest.json"), "utf8")));
  /** The backups started within a slot's minute (a slot is taken within seconds of its time). */
  const backupsOf = (slot: number) =>
    manifests().filter((m) => Date.parse(m.startedAt) >= slot && Date.parse(m.startedAt) < slot + 60_000);
  let syncedAt = 0;

  before(async () => {
    await cluster.up();
    await cluster.waitFor(allSynced(3), 240_000, "3 of 3 synced");
    syncedAt = Date.now();
  });
  after(async () => {
    await cluster.down();
    if (failed()) console.error(events.join("\n"));
  });

  step(
    "when two slots pass with the cluster synced, then each produced exactly one complete backup, on a synced member that is not the writer, and the two other agents left it",
    async () => {
      // The first two slots after the cluster synced (earlier ones came while it formed).
      const first = Math.ceil(syncedAt / 60_000) * 60_000;
      const slots = [first, first + 60_000];
      await cluster.waitFor(
        () => slots.every((slot) => backupsOf(slot).some((m) => m.state === "complete")),
        200_000,
        `the backups of the slots of ${slots.map(clockTime).join(" and ")} complete`,
      );
      const status = await cluster.status();
      const writers = status.filter((n) => n.writer).map((n) => n.name);
      assert.equal(writers.length, 1, `one writer: ${writers.join(", ")}`);

      for (const slot of slots) {
        const key = slotKey(slot);
        const taker = claims().get(`${key}.claim`);
        assert.ok(taker, `slot ${key} is claimed (claims: ${[...claims().keys()].join(", ")})`);
        const backups = backupsOf(slot);
        assert.deepEqual(
          backups.map((m) => [m.node, m.state]),
          [[taker, "complete"]],
          `one backup for slot ${key}, by its claimant`,
        );
        assert.notEqual(taker, writers[0], "not the writer");
        const id = backups[0]!.id;
        assert.match(
          agentLog(cluster, taker),
          new RegExp(
            `backup ${id} starts to ${destination}: taking the backup slot of ${clockTime(slot)}: backing up on ${taker}: (of the synced members that are not the writer \\(|the one synced member that is not the writer)`,
          ),
        );
        // To the taker, or to another member (reports a moment apart), or after losing the
        // claim, or, for an agent that waited (its reports late), once the slot passed and it
        // found the claim: each is a way to leave it; none started a backup (asserted above).
        const left = new RegExp(
          `info: leaving the backup slot of ${clockTime(slot)}( to n\\d: |: n\\d was chosen here, but ${taker} claimed the slot first| to ${taker}, which claimed it)`,
        );
        const others = cluster.layout.map((n) => n.name).filter((name) => name !== taker);
        await cluster.waitFor(
          () => others.every((other) => left.test(agentLog(cluster, other))),
          75_000,
          `${others.join(" and ")} to leave the slot of ${clockTime(slot)}`,
        );
      }
      // No backup was taken without a claim, and one slot's marker stands for one backup.
      for (const m of manifests()) {
        const slot = Math.floor(Date.parse(m.startedAt) / 60_000) * 60_000;
        assert.equal(claims().get(`${slotKey(slot)}.claim`), m.node, `backup ${m.id} has its slot's claim`);
      }

      // What the agents show of it: GET /backup's schedule, and /metrics.
      for (const node of cluster.layout) {
        const schedule = (await readBackupActivity(node.healthUrl))?.schedule;
        assert.equal(schedule?.expression, "* * * * *", node.name);
        assert.ok(schedule.lastSlot !== null, `${node.name} settled a slot`);
        assert.ok(Date.parse(schedule.nextSlot ?? "") > Date.now() - 60_000, `${node.name}'s next slot`);
      }
      const takers = new Set(slots.map((slot) => claims().get(`${slotKey(slot)}.claim`)!));
      for (const taker of takers) {
        const url = cluster.layout.find((n) => n.name === taker)!.healthUrl;
        const metrics = await (await fetch(`${url}/metrics`)).text();
        const completedAt = Number(
          /^galera_pilot_backup_last_complete_timestamp_seconds (\S+)$/m.exec(metrics)?.[1],
        );
        assert.ok(completedAt * 1000 >= slots[0]!, `${taker}'s last complete backup: ${completedAt}`);
        assert.match(metrics, /^galera_pilot_backup_failures_total 0$/m);
      }
      await cluster.waitFor(allSynced(3), 60_000, "3 of 3 synced after the backups");
    },
  );
});
