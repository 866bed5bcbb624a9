/**
 * The agent's watch over the backup schedule (GALERA_PILOT_BACKUP_SCHEDULE; docs/backups.md,
 * "Scheduled backups"). Every agent of the cluster runs one. It only sequences: which slots are
 * due or missed is dueSlots, which agent takes a due slot is slotTurn (decide/backup-slot.ts),
 * and the backup itself is BackupTaking's.
 *
 * A check runs every 15 s and at each slot's time, so a slot starts within a moment of its
 * time without a check each second. Each check:
 *
 * - reports every slot that passed since the last one settled, once: missed (the
 *   missedSlotReason line), unless another agent claimed it meanwhile (it took the slot while
 *   this one waited); and a slot it left to another member, once that can no longer take
 *   it, is missed too if that member's agent never claimed it (agents a moment apart can each
 *   name the other);
 * - for the due slot, asks slotTurn with the members' reports as this agent holds them. To
 *   leave it to another member settles it here. To take it, this agent first reads the
 *   destination for a backup still running (one at a time, whoever started it: another
 *   agent's slot, or a `galera-pilot backup`), then claims the slot's marker there (an
 *   exclusive create, a conditional put on S3), and starts the backup only if it won the
 *   claim: two agents holding reports a moment apart may each believe they were chosen, and
 *   the marker lets one through. A lost claim settles the slot too: another agent took it;
 * - while no member may take it (a refusal, a running backup, the destination unreadable),
 *   leaves the slot due: the next checks try again until its grace ends, when it is missed.
 *
 * Nothing starts while the agent is stopping: it is checked before the claim and again before
 * the start. A backup of a won slot that fails, or cannot start, is reported failed, and the
 * next slot is its retry: the slot stays claimed, so no other agent takes it late.
 */
import {
  clockTime,
  dueSlots,
  missedSlotReason,
  slotGraceMs,
  slotName,
  slotTurn,
  slotWaitReason,
  type SlotTurn,
} from "../decide/backup-slot.js";
import { backupStanding } from "../decide/backup-liveness.js";
import type { BackupCandidate } from "../decide/backup-node.js";
import type { BackupSchedule } from "../config/backup-schedule.js";
import type { BackupDestination } from "../destination/destination.js";
import type { Logger } from "../logger.js";
import type { BackupTaking, ScheduleActivity } from "./backup-taking.js";

/** Between two checks when no slot comes sooner. */
export const scheduleCheckEveryMs = 15_000;

export interface BackupScheduleWatchDeps {
  schedule: BackupSchedule;
  nodeName: string;
  /** This node's and its view's other members' reports, as this agent holds them now. */
  members(): BackupCandidate[];
  backups: Pick<BackupTaking, "runningBackup" | "takeScheduled" | "destination">;
  /** The agent is leaving: nothing new is started. */
  stopping(): boolean;
  log: Logger;
  now?: () => number;
  checkEveryMs?: number;
  graceMs?: number;
}

type LastSlot = NonNullable<ScheduleActivity["lastSlot"]>;

/** A slot's marker on the destination: its time, `20261207T020000Z` (slots/SLOT.claim). */
export function slotKey(slot: number): string {
  return `${new Date(slot).toISOString().slice(0, 19).replace(/[-:]/g, "")}Z`;
}

export class BackupScheduleWatch {
  readonly #deps: BackupScheduleWatchDeps;
  readonly #now: () => number;
  readonly #graceMs: number;
  /** The last slot settled (taken, left, failed or missed), or where the watch began. */
  #since: number;
  /** The cause of the last wait of each slot still due: a missed slot's reason quotes it. */
  readonly #waits = new Map<number, string>();
  /** The slots left to another member, and to whom, until their claim is seen (#verifyLeft). */
  readonly #left = new Map<number, string>();
  #last: LastSlot | null = null;
  #missed = 0;
  #checking: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(deps: BackupScheduleWatchDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#graceMs = deps.graceMs ?? slotGraceMs;
    // A slot whose grace still runs when the agent starts is due, not settled: an agent (or a
    // whole cluster) restarted a minute after a slot's time still takes it, and the claim keeps
    // it from being taken twice. Older slots are nobody's to report now.
    const now = this.#now();
    const current = deps.schedule.slotsBetween(now - this.#graceMs, now).at(-1);
    this.#since = current === undefined ? now : current - 1;
  }

  /** Slots this agent reported missed, since it started (/metrics). */
  get missedCount(): number {
    return this.#missed;
  }

  /** Checks now, then every 15 s and at each slot's time, until stop(). */
  start(): void {
    this.#stopped = false;
    void this.#checkThenWait();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  activity(): ScheduleActivity {
    const next = this.#deps.schedule.nextSlot(this.#now());
    const waits = [...this.#waits].sort(([a], [b]) => a - b);
    const latest = waits.at(-1);
    const waiting = latest === undefined ? null : slotWaitReason(latest[0], latest[1], this.#graceMs);
    return {
      expression: this.#deps.schedule.expression,
      nextSlot: next === null ? null : new Date(next).toISOString(),
      waiting,
      lastSlot: this.#last,
    };
  }

  /** One check (the timer's; the tests call it). Two never overlap: a second waits for the first. */
  check(): Promise<void> {
    this.#checking ??= this.#check().finally(() => (this.#checking = null));
    return this.#checking;
  }

  async #checkThenWait(): Promise<void> {
    try {
      await this.check();
    } catch (error) {
      this.#deps.log.warn(
        `checking the backup schedule failed (${reason(error)}): tried again at the next check`,
      );
    }
    if (this.#stopped) return;
    const now = this.#now();
    const every = this.#deps.checkEveryMs ?? scheduleCheckEveryMs;
    const next = this.#deps.schedule.nextSlot(now);
    // A moment past the slot's time, so that it is due when the check runs.
    const wait = next === null ? every : Math.min(every, Math.max(0, next - now) + 50);
    this.#timer = setTimeout(() => void this.#checkThenWait(), wait);
    // The agent's other work keeps its process alive; this timer alone never does.
    this.#timer.unref();
  }

  async #check(): Promise<void> {
    const deps = this.#deps;
    if (deps.stopping()) return;
    const now = this.#now();
    const { due, missed } = dueSlots(
      deps.schedule.slotsBetween(this.#since, now),
      this.#since,
      now,
      this.#graceMs,
    );
    await this.#verifyLeft(now);
    // The destination is read only for the slots that passed: none, at almost every check.
    for (const slot of missed) {
      await this.#passed(slot, this.#waits.get(slot) ?? null, due ?? deps.schedule.nextSlot(now));
    }
    if (due === null) return;

    const members = deps.members();
    const here = slotTurn(due, deps.nodeName, members, deps.backups.runningBackup, this.#graceMs);
    if (here.action !== "take") return this.#follow(due, here);
    // One backup at a time, whoever started it: only the agent about to take the slot reads
    // the destination for one still running.
    let destination: BackupDestination;
    let running: string | null;
    try {
      destination = await deps.backups.destination();
      running = await runningBackupOn(destination, this.#now());
    } catch (error) {
      return this.#wait(due, `reading the backups on the destination failed: ${reason(error)}`);
    }
    const turn = running === null ? here : slotTurn(due, deps.nodeName, members, running, this.#graceMs);
    if (turn.action !== "take") return this.#follow(due, turn);
    await this.#take(due, turn.reason, destination);
  }

  /** Another member takes the slot, or none may now. */
  #follow(slot: number, turn: Exclude<SlotTurn, { action: "take" }>): void {
    if (turn.action === "retry") return this.#wait(slot, turn.cause);
    this.#deps.log.info(turn.reason);
    this.#settle(slot, { outcome: "left", node: turn.node, backup: null, reason: turn.reason });
    this.#left.set(slot, turn.node);
  }

  /**
   * A slot that can no longer be taken (its grace ended, or a newer slot came): taken, if
   * another agent claimed it meanwhile (it took the slot while this one waited), else missed.
   */
  async #passed(slot: number, lastWait: string | null, next: number | null): Promise<void> {
    const claim = await this.#claimOf(slot);
    if (claim !== null && claim.holder !== null) {
      const line = `leaving ${slotName(slot)} to ${claim.holder}, which claimed it (slots/${slotKey(slot)}.claim in ${claim.where})`;
      this.#deps.log.info(line);
      return this.#settle(slot, { outcome: "left", node: claim.holder, backup: null, reason: line });
    }
    const line = missedSlotReason(slot, lastWait, next, this.#graceMs);
    this.#deps.log.warn(line);
    this.#missed += 1;
    this.#settle(slot, { outcome: "missed", node: null, backup: null, reason: line });
  }

  /**
   * The slots this agent left to another member, once they can no longer be taken: one that
   * member's agent did not claim is missed. Agents a moment apart can each name the other,
   * and then no one takes the slot: this is where it is said.
   */
  async #verifyLeft(now: number): Promise<void> {
    for (const [slot, node] of [...this.#left]) {
      const next = this.#deps.schedule.nextSlot(slot);
      if (now - slot <= this.#graceMs && (next === null || next > now)) continue;
      const claim = await this.#claimOf(slot);
      // Unreadable: asked again at the next check.
      if (claim === null) continue;
      this.#left.delete(slot);
      if (claim.holder !== null) continue;
      const line = missedSlotReason(
        slot,
        `it was left to ${node}, whose agent did not claim it`,
        next,
        this.#graceMs,
      );
      this.#deps.log.warn(line);
      this.#missed += 1;
      this.#settle(slot, { outcome: "missed", node: null, backup: null, reason: line });
    }
  }

  /** Who claimed the slot (null: no one), and where; null when the destination cannot say. */
  async #claimOf(slot: number): Promise<{ holder: string | null; where: string } | null> {
    try {
      const destination = await this.#deps.backups.destination();
      const holder = await destination.slotHolder(slotKey(slot));
      // An empty marker: its agent stopped between creating it and writing its name.
      return { holder: holder === null ? null : holder || "another agent", where: destination.description };
    } catch {
      return null;
    }
  }

  /** This agent was chosen: the claim, then the backup if the claim was won. */
  async #take(slot: number, why: string, destination: BackupDestination): Promise<void> {
    const deps = this.#deps;
    if (deps.stopping()) return;
    const key = slotKey(slot);
    let won: boolean;
    try {
      won = await destination.claimSlot(key, deps.nodeName);
    } catch (error) {
      return this.#wait(slot, reason(error));
    }
    if (!won) {
      // Lost, even to a marker with this node's name: that is this agent's predecessor's (it
      // took the slot, then restarted within the grace), or its own put retried after a lost
      // answer (on S3); either way the slot may have a backup, so none is started.
      const holder = (await destination.slotHolder(key).catch(() => null)) || null;
      const first =
        holder === deps.nodeName
          ? `${holder} had claimed it already, before this agent restarted or in a retried claim`
          : `${holder ?? "another agent"} claimed the slot first`;
      const line = `leaving ${slotName(slot)}: ${deps.nodeName} was chosen here, but ${first} (slots/${key}.claim in ${destination.description}); nothing was started on ${deps.nodeName}`;
      deps.log.info(line);
      return this.#settle(slot, { outcome: "left", node: holder, backup: null, reason: line });
    }
    const start = deps.stopping()
      ? { refused: `${deps.nodeName}'s agent is stopping, and starts nothing more` }
      : await deps.backups.takeScheduled(why);
    if ("refused" in start) return this.#failed(slot, start.refused, null);
    this.#settle(slot, { outcome: "taken", node: deps.nodeName, backup: start.started, reason: why });
    // Not awaited: the checks go on while the backup runs (the next slots wait for it).
    void start.ended.then((end) => {
      if (end.state === "failed") this.#failed(slot, `backup ${end.id} failed: ${end.failure}`, end.id);
    });
  }

  /** A slot this agent claimed that produced no complete backup: reported, and settled. */
  #failed(slot: number, cause: string, backup: string | null): void {
    const next = this.#deps.schedule.nextSlot(Math.max(slot, this.#now()));
    const retry =
      next === null ? "the schedule has no later slot" : `the next slot, ${clockTime(next)}, is its retry`;
    const line = `${slotName(slot)} failed on ${this.#deps.nodeName}: ${cause}; no other agent takes it, since it is claimed; ${retry}`;
    this.#deps.log.error(line);
    this.#settle(slot, { outcome: "failed", node: this.#deps.nodeName, backup, reason: line });
  }

  /** The due slot stays due: the line is logged when its cause changes, not at every check. */
  #wait(slot: number, cause: string): void {
    if (this.#waits.get(slot) !== cause) this.#deps.log.info(slotWaitReason(slot, cause, this.#graceMs));
    this.#waits.set(slot, cause);
  }

  #settle(slot: number, how: Omit<LastSlot, "slot">): void {
    this.#since = Math.max(this.#since, slot);
    for (const waited of this.#waits.keys()) if (waited <= slot) this.#waits.delete(waited);
    // A later slot settled meanwhile keeps its place as the last one (a backup that fails
    // after the next slot was left, a left slot found unclaimed later).
    if (this.#last === null || Date.parse(this.#last.slot) <= slot) {
      this.#last = { slot: new Date(slot).toISOString(), ...how };
    }
  }
}

/** The newest backup on the destination that is running and not abandoned, or null. */
async function runningBackupOn(destination: BackupDestination, now: number): Promise<string | null> {
  const { parseManifest } = await import("../model/backup-manifest-schema.js");
  const running = (await destination.listManifests())
    .map((stored) => parseManifest(stored.text))
    .flatMap((manifest) => ("problem" in manifest ? [] : [manifest]))
    .filter((manifest) => backupStanding(manifest, now) === "running")
    .map((manifest) => manifest.id)
    .sort();
  return running.at(-1) ?? null;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
