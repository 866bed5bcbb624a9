/**
 * Scheduled backups (`GALERA_PILOT_BACKUP_SCHEDULE`, cron syntax): when a slot is due, which
 * agent takes it, and the line said of a slot that was missed. Pure: the slot times come in
 * already computed from the schedule (the cron parsing is the caller's), and so does `now`.
 *
 * Every agent checks the schedule. When a slot is due, each computes chooseBackupNode from the
 * members' reports it holds, and only the agent of the node named takes the slot; while no
 * member may take it (a refusal, or a backup still running), the agents try again until the
 * slot's grace ends, and then it counts as missed: it is reported, and the next slot is its
 * retry. A slot is never taken late, past its grace: a backup hours after its time would
 * crowd the next one, and say less about the time it was meant for.
 *
 * Why the slot is still locked on the destination (an exclusive create of the slot's marker,
 * a conditional put on S3; I/O, outside this file) when every agent computes the same
 * choice: the same answer needs the same reports, and agents never hold the same reports at
 * the same instant. Each agent polls its peers on its own clock: at the slot's time one agent
 * may hold n2's report from just before n2 synced and name n3, while another already holds
 * n2 synced for longer and names n2; a member may have answered one agent and not another;
 * the agents' clocks differ, so one sees the slot due first, on older reports; and a retry
 * within the grace may meet a choice that changed since another agent took the slot. So two
 * agents can each believe they are named. The lock makes the first one the only one: the
 * other finds the marker taken and leaves the slot. The rule keeps the choice deterministic
 * and safe (a synced member that is not the writer); the lock makes it exclusive.
 */
import { chooseBackupNode, type BackupCandidate } from "./backup-node.js";

/** How long after its time a slot may still be started: the agents retry within it. */
export const slotGraceMs = 10 * 60_000;

export interface DueSlots {
  /** The slot to take now, if any: the newest slot past `since` whose grace has not ended. */
  due: number | null;
  /** The slots past `since` that can no longer be taken, oldest first: each is reported once. */
  missed: number[];
}

/**
 * The slots due at `now`, from the schedule's slot times (ms since the epoch, any order) and
 * `since`: the last slot this agent settled (taken, left to another, or reported missed), or
 * the time it started watching the schedule. Slots at or before `since` are settled; slots
 * after `now` are not due yet. Of the others, the newest is due while its grace lasts, and
 * every older one was missed (the agents were down, or a backup ran over them).
 */
export function dueSlots(
  slots: readonly number[],
  since: number,
  now: number,
  graceMs: number = slotGraceMs,
): DueSlots {
  const passed = slots.filter((slot) => slot > since && slot <= now).sort((a, b) => a - b);
  const newest = passed.at(-1);
  if (newest === undefined || now - newest > graceMs) return { due: null, missed: passed };
  return { due: newest, missed: passed.slice(0, -1) };
}

export type SlotTurn =
  /** This agent takes the slot: it locks the slot's marker on the destination, then backs up. */
  | { action: "take"; reason: string }
  /** Another member's agent takes it. */
  | { action: "leave"; node: string; reason: string }
  /**
   * No member may take it now: the agents check again, until the slot's grace ends. `cause`
   * is why, without the slot: what missedSlotReason says if the grace ends so.
   */
  | { action: "retry"; cause: string; reason: string };

/**
 * What the agent of `self` does with a due slot, from the members' reports (its own among
 * them) and the id of a backup still running on the destination, if any: one backup at a time.
 */
export function slotTurn(
  slot: number,
  self: string,
  reports: readonly BackupCandidate[],
  runningBackup: string | null,
  graceMs: number = slotGraceMs,
): SlotTurn {
  const name = slotName(slot);
  const retry = (cause: string): SlotTurn => ({
    action: "retry",
    cause,
    reason: slotWaitReason(slot, cause, graceMs),
  });
  if (runningBackup !== null) {
    return retry(`backup ${runningBackup} is still running, and one backup runs at a time`);
  }
  const choice = chooseBackupNode(reports);
  if ("refuse" in choice) return retry(choice.refuse);
  if (choice.node === self) return { action: "take", reason: `taking ${name}: ${choice.reason}` };
  return {
    action: "leave",
    node: choice.node,
    reason: `leaving ${name} to ${choice.node}: ${choice.reason}`,
  };
}

/** How every line names a slot: "the backup slot of 2026-12-06T21:00:00Z". */
export function slotName(slot: number): string {
  return `the backup slot of ${clockTime(slot)}`;
}

/**
 * The line of a due slot that waits, for `cause`: slotTurn's retries, and the agent's own
 * (the destination could not be read or written), which are retried alike within the grace.
 */
export function slotWaitReason(slot: number, cause: string, graceMs: number = slotGraceMs): string {
  return `${slotName(slot)} waits: ${cause}; the agents try again until ${clockTime(slot + graceMs)}, when the slot counts as missed`;
}

/**
 * The line reported of a missed slot (status, /metrics, the dashboard): `lastWait` is the
 * cause of the last retry while the slot was due (null when no agent saw it due within its
 * grace), `nextSlot` the schedule's next slot (null when it has none).
 */
export function missedSlotReason(
  slot: number,
  lastWait: string | null,
  nextSlot: number | null,
  graceMs: number = slotGraceMs,
): string {
  const why =
    lastWait === null
      ? `no agent saw it due within ${graceMs / 60_000} min of its time (the agents were down, or busy)`
      : `no member could take it within ${graceMs / 60_000} min of its time (the last try: ${lastWait})`;
  const next =
    nextSlot === null
      ? "the schedule has no later slot"
      : `the next slot, ${clockTime(nextSlot)}, is its retry`;
  return `missed ${slotName(slot)}: ${why}; no backup is taken late; ${next}`;
}

/** "2026-12-06T21:00:00Z": a slot's time, to the second, in UTC. */
export function clockTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}
