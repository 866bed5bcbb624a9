// Keeps the recovery record (decide/recovery-record.ts) in the run directory: resumed at the
// agent's start, written whenever its decision, its bootstrap intent or mariadbd's exit record
// changes. A write that fails is said once; the agent goes on (the record serves a restart of
// the agent, never the safety of this run).
import {
  emptyRecord,
  resumeRecord,
  withDecision,
  withIntent,
  withServerExit,
  type RecoveryRecord,
} from "../decide/recovery-record.js";
import type { TurnRecord } from "../decide/recovery-turn.js";
import type { ServerExitRecord } from "../decide/server-exit.js";
import type { Logger } from "../logger.js";
import { readRecoveryRecord, writeRecoveryRecord } from "./recovery-record-file.js";

export class RecoveryRecordKeeper {
  readonly #runDir: string;
  readonly #node: string;
  readonly #log: Logger;
  #record: RecoveryRecord;
  /** The last failure to write the record, said once. */
  #failure = "";

  constructor(runDir: string, node: string, log: Logger) {
    this.#runDir = runDir;
    this.#node = node;
    this.#log = log;
    this.#record = emptyRecord(node);
  }

  /** Takes back what resumeRecord allows, says so, and returns the exit record mariadbd's supervision starts from. */
  async resume(now = Date.now()): Promise<ServerExitRecord> {
    const resumed = resumeRecord(await readRecoveryRecord(this.#runDir), { node: this.#node, now });
    this.#record = resumed.record;
    if (resumed.reason !== null) this.#log.info(resumed.reason);
    return resumed.serverExits;
  }

  /** The recovery turns' record changed: its decision and its intent go into the file. */
  turnChanged(turn: TurnRecord): void {
    let next = this.#record;
    if (turn.decision !== null) next = withDecision(next, turn.decision, turn.decision.at);
    this.#keep(withIntent(next, turn.intent?.at ?? null));
  }

  /** mariadbd exited on its own: the exit record after it. */
  serverExited(exits: ServerExitRecord, now = Date.now()): void {
    this.#keep(withServerExit(this.#record, exits, now));
  }

  #keep(next: RecoveryRecord): void {
    if (next === this.#record) return;
    this.#record = next;
    try {
      writeRecoveryRecord(this.#runDir, next);
      this.#failure = "";
    } catch (error) {
      const message = (error as Error).message;
      if (message !== this.#failure) {
        this.#log.warn(
          `could not write the recovery record (${message}): the agent goes on, but a restart of it would not resume this recovery's history; check that the run directory ${this.#runDir} is writable`,
        );
      }
      this.#failure = message;
    }
  }
}
