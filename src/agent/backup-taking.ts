// The backups this agent takes of its own node, when asked (POST /backup, from `galera-pilot
// backup`): one at a time, only when the pure rule allows it from what this agent knows now
// (decide/backup-node.ts: synced, not the last synced member, never the writer unless asked),
// with the node desynced and out of the pools meanwhile (phase "backing-up").
//
// A marker file in the run directory says a backup is under way. An agent killed mid-backup
// finds it when it starts again: the backup is marked failed on the destination, and
// wsrep_desync is lifted as soon as mariadbd answers (mariadbd may have outlived the agent,
// still desynced). Then the marker goes.
//
// The schedule's slots come here too (takeScheduled, from backup-schedule-watch.ts, once that
// agent won the slot's claim on the destination): the same checks and the same run, the
// writer never allowed.
import { existsSync, readFileSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { BackupRunFailed, runBackup, type BackupRunOptions } from "../backup/backup-run.js";
import type { BackupStream } from "../backup/backup-stream.js";
import type { BackupCpu } from "../model/backup-cpu.js";
import { progressLine } from "../backup/progress-line.js";
import { chooseBackupNode, type BackupCandidate } from "../decide/backup-node.js";
import type { BackupDestination } from "../destination/destination.js";
import { openDestination } from "../destination/open-destination.js";
import type { Logger } from "../logger.js";
import type { CompleteBackup, FailedBackup } from "../model/backup-manifest.js";
import { version } from "../version.js";
import type { BackupActivity, ScheduleActivity } from "../model/backup-activity.js";

export type { BackupActivity, ScheduleActivity } from "../model/backup-activity.js";

export interface BackupTakingDeps {
  nodeName: string;
  /** GALERA_PILOT_BACKUP_DESTINATION; null: this agent takes no backups. */
  destinationSpec: string | null;
  env: Readonly<Record<string, string | undefined>>;
  runDir: string;
  configFile: string;
  socket: string;
  /** How hard a backup may use the node's CPU (GALERA_PILOT_BACKUP_THREADS, _PRIORITY). */
  cpu?: BackupCpu;
  /** This node's and its view's other members' reports, as this agent holds them now. */
  members(): BackupCandidate[];
  server: {
    facts(): Promise<{ version: string; clusterUuid: string }>;
    setDesync(on: boolean): Promise<void>;
  };
  /** The datadir's size now, for the progress estimate. */
  datadirBytes(): Promise<number | null>;
  /** The phase changes (backing-up, and back): the health answers are posted again. */
  changed(): void;
  log: Logger;
  /** Takes one backup: backup/backup-run.ts's runBackup; the unit tests give one that runs no mariabackup. */
  runBackup?: (options: BackupRunOptions) => Promise<CompleteBackup>;
}

export type BackupRequestAnswer = { accepted: string } | { refused: string; status: 409 | 503 };

/** How a backup this agent started ended. */
export type BackupEnd =
  { id: string; state: "complete"; endedAt: string } | { id: string; state: "failed"; failure: string };

/** A scheduled slot's backup: started (its end to come), or refused with the reason. */
export type ScheduledStart = { started: string; ended: Promise<BackupEnd> } | { refused: string };

/** For /metrics: this agent's backups since it started. */
export interface BackupCounts {
  running: boolean;
  /** When the last backup this agent took completed (ms since the epoch), or null. */
  lastCompleteAtMs: number | null;
  /** Backups this agent took that failed, and scheduled slots it claimed but could not start. */
  failures: number;
}

interface Running {
  id: string;
  startedAtMs: number;
  stream: BackupStream;
  expectedBytes: number | null;
}

const markerName = "backup-in-progress.json";

export class BackupTaking {
  readonly #deps: BackupTakingDeps;
  #running: Running | null = null;
  #starting = false;
  #last: BackupActivity["last"] = null;
  /** A backup of a killed agent may have left wsrep_desync on: lifted once mariadbd answers. */
  #leftoverDesync = false;
  #destination: Promise<BackupDestination> | null = null;
  #lastCompleteAtMs: number | null = null;
  #failures = 0;

  constructor(deps: BackupTakingDeps) {
    this.#deps = deps;
  }

  /** The id of the backup this agent runs now ("(starting)" before it has one), or null. */
  get runningBackup(): string | null {
    return this.#running?.id ?? (this.#starting ? "(starting)" : null);
  }

  get counts(): BackupCounts {
    return { running: this.backingUp, lastCompleteAtMs: this.#lastCompleteAtMs, failures: this.#failures };
  }

  /** The node is desynced for a backup of this agent (phase backing-up). */
  get backingUp(): boolean {
    return this.#running !== null || this.#starting;
  }

  /**
   * At the agent's start: a backup left by a killed agent is marked failed on its
   * destination, and its desync is lifted once mariadbd answers (liftLeftoverDesync).
   */
  async settleLeftover(): Promise<void> {
    const marker = join(this.#deps.runDir, markerName);
    if (!existsSync(marker)) return;
    let id = "unknown";
    try {
      id = (JSON.parse(readFileSync(marker, "utf8")) as { id: string }).id;
      this.#leftoverDesync = true;
      const destination = await this.#openDestination();
      const text = await destination.readManifest(id);
      const { parseManifest } = await import("../model/backup-manifest-schema.js");
      const manifest = text === null ? null : parseManifest(text);
      if (manifest !== null && !("problem" in manifest) && manifest.state === "running") {
        const failed: FailedBackup = {
          ...manifest,
          state: "failed",
          endedAt: new Date().toISOString(),
          updatedAt: new Date().toISOString(),
          failure: "the agent taking it stopped before it ended (killed, or its container ended)",
        };
        await destination.writeManifest(id, JSON.stringify(failed, null, 2) + "\n");
      }
      this.#deps.log.warn(
        `backup ${id} was under way when this agent last stopped: it is marked failed; wsrep_desync is lifted once mariadbd answers`,
      );
    } catch (error) {
      this.#deps.log.warn(
        `backup ${id} was under way when this agent last stopped, and could not be marked failed (${reason(error)}): its manifest stays running, which \`backup list\` shows as abandoned once its heartbeat is old`,
      );
    }
    await rm(marker, { force: true });
  }

  /** Called on each good sample while no backup runs: lifts a killed agent's desync, once. */
  liftLeftoverDesync(): void {
    if (!this.#leftoverDesync || this.backingUp) return;
    this.#leftoverDesync = false;
    this.#deps.server.setDesync(false).then(
      () =>
        this.#deps.log.info("wsrep_desync lifted: the backup of the agent before this one had left it on"),
      (error: unknown) => {
        this.#leftoverDesync = true;
        this.#deps.log.warn(
          `lifting a leftover wsrep_desync failed (${reason(error)}): tried again at the next sample`,
        );
      },
    );
  }

  /** POST /backup: starts a backup of this node when the rules allow it, and answers at once. */
  async request(allowWriter: boolean): Promise<BackupRequestAnswer> {
    const begun = await this.#begin(allowWriter, (choice) => choice);
    return "answer" in begun ? begun.answer : begun;
  }

  /**
   * A scheduled slot whose claim this agent won: starts a backup of this node under request()'s
   * rules, the writer never allowed; `why` is the slot's line, logged with the start. The slot
   * is claimed already, so no other agent takes it: a refusal here counts as a failed backup,
   * and the next slot is its retry.
   */
  async takeScheduled(why: string): Promise<ScheduledStart> {
    const begun = await this.#begin(false, () => why);
    if (!("answer" in begun)) {
      this.#failures += 1;
      return { refused: begun.refused };
    }
    // A run that failed at its start was counted, and logged, where it ended.
    const answer = await begun.answer;
    return "accepted" in answer
      ? { started: answer.accepted, ended: begun.ended }
      : { refused: answer.refused };
  }

  /**
   * The checks both ways in share, then the run: its answer once the node is desynced (or it
   * failed before), and its end. `why` turns the rule's sentence into the start line's reason.
   */
  async #begin(
    allowWriter: boolean,
    why: (choice: string) => string,
  ): Promise<
    | { refused: string; status: 409 | 503 }
    | { answer: Promise<BackupRequestAnswer>; ended: Promise<BackupEnd> }
  > {
    const { deps } = { deps: this.#deps };
    if (deps.destinationSpec === null) {
      return {
        status: 409,
        refused: `no backup is taken on ${deps.nodeName}: its agent has no destination (GALERA_PILOT_BACKUP_DESTINATION); nothing was changed; set it on the agents, a folder or s3://bucket/prefix`,
      };
    }
    if (this.backingUp) {
      return {
        status: 409,
        refused: `no backup is taken on ${deps.nodeName}: backup ${this.#running?.id ?? "(starting)"} is under way there; nothing was changed; wait for it to end`,
      };
    }
    const choice = chooseBackupNode(deps.members(), { node: deps.nodeName, allowWriter });
    if ("refuse" in choice) return { status: 409, refused: choice.refuse };
    this.#starting = true;
    deps.changed();
    try {
      const destination = await this.#openDestination();
      await destination.check();
      const server = await deps.server.facts();
      const expectedBytes = await deps.datadirBytes();
      return this.#start(destination, server, expectedBytes, why(choice.reason));
    } catch (error) {
      this.#starting = false;
      deps.changed();
      return {
        status: 503,
        refused: `no backup is taken on ${deps.nodeName}: ${reason(error)}; nothing was changed; fix the destination or the server and ask again`,
      };
    }
  }

  /** GET /backup: `schedule` comes from the agent's schedule watch, when it has one. */
  activity(schedule: ScheduleActivity | null, now = Date.now()): BackupActivity {
    const running = this.#running;
    return {
      running: running && {
        id: running.id,
        startedAt: new Date(running.startedAtMs).toISOString(),
        bytesStreamed: running.stream.bytesStreamed,
        bytesStored: running.stream.bytesStored,
        progress: progressLine(running.id, running.stream, now - running.startedAtMs, running.expectedBytes),
      },
      last: this.#last,
      destination: this.#destinationDescription(),
      schedule,
    };
  }

  /** The destination this agent writes to (opened once): the schedule watch claims its slots there. */
  destination(): Promise<BackupDestination> {
    return this.#openDestination();
  }

  /**
   * Starts the run: `answer` resolves with its id once the node is desynced (or with the
   * failure, if it failed before), `ended` when it ends; neither rejects.
   */
  #start(
    destination: BackupDestination,
    server: { version: string; clusterUuid: string },
    expectedBytes: number | null,
    why: string,
  ): { answer: Promise<BackupRequestAnswer>; ended: Promise<BackupEnd> } {
    const deps = this.#deps;
    const marker = join(deps.runDir, markerName);
    let resolve: (answer: BackupRequestAnswer) => void = () => undefined;
    const answer = new Promise<BackupRequestAnswer>((settle) => (resolve = settle));
    let answered = false;
    const run = (deps.runBackup ?? runBackup)({
      destination,
      node: deps.nodeName,
      clusterUuid: server.clusterUuid,
      mariadbVersion: server.version,
      galeraPilotVersion: version,
      defaultsFile: deps.configFile,
      socket: deps.socket,
      scratchParent: deps.runDir,
      ...(deps.cpu ? { cpu: deps.cpu } : {}),
      expectedBytes,
      log: deps.log,
      desync: {
        on: async () => {
          // The marker first: an agent killed from here on leaves it for its successor.
          await writeFile(marker, JSON.stringify({ id: this.#running?.id }) + "\n");
          await deps.server.setDesync(true);
          answered = true;
          resolve({ accepted: this.#running!.id });
        },
        off: () => deps.server.setDesync(false),
      },
      onStart: (id, stream) => {
        this.#running = { id, startedAtMs: Date.now(), stream, expectedBytes };
        this.#starting = false;
        deps.log.info(`backup ${id} starts to ${destination.description}: ${why}`);
      },
    });
    const ended = run
      .then(
        (complete): BackupEnd => {
          this.#last = {
            id: complete.id,
            state: "complete",
            endedAt: complete.endedAt,
            failure: null,
            recorded: true,
          };
          this.#lastCompleteAtMs = Date.parse(complete.endedAt);
          deps.log.info(
            `backup ${complete.id} is complete: ${complete.bytesStreamed} bytes read, ${complete.bytesStored} stored in ${destination.description}, position ${complete.position.uuid}:${complete.position.seqno}; ${deps.nodeName} is back in the pools`,
          );
          return { id: complete.id, state: "complete", endedAt: complete.endedAt };
        },
        (error: unknown): BackupEnd => {
          const id = this.#running?.id ?? "unknown";
          const recorded = error instanceof BackupRunFailed && error.manifest !== null;
          this.#last = {
            id,
            state: "failed",
            endedAt: new Date().toISOString(),
            failure: reason(error),
            recorded,
          };
          this.#failures += 1;
          deps.log.error(
            `backup ${id} failed: ${reason(error)}; ${recorded ? "it is marked failed" : "its manifest could not be marked failed (it reads as abandoned once its heartbeat is old)"}; nothing was marked complete; ${deps.nodeName} is back in the pools`,
          );
          if (!answered)
            resolve({
              status: 503,
              refused: `backup ${id} on ${deps.nodeName} failed at its start: ${reason(error)}`,
            });
          return { id, state: "failed", failure: reason(error) };
        },
      )
      .finally(() => {
        this.#running = null;
        this.#starting = false;
        void rm(marker, { force: true });
        deps.changed();
      });
    return { answer, ended };
  }

  #openDestination(): Promise<BackupDestination> {
    this.#destination ??= openDestination(this.#deps.destinationSpec ?? "", this.#deps.env);
    // A refused setting is not kept: the next request says so again.
    this.#destination.catch(() => (this.#destination = null));
    return this.#destination;
  }

  #destinationDescription(): string | null {
    const spec = this.#deps.destinationSpec;
    // An s3:// URL holds no credential (they come from the environment): shown as it is.
    return spec;
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
