// What the agent does when its mariadbd exits on its own: start it again after a backoff, or
// give up so that the scheduler sees a failing task. A server that keeps failing within
// seconds of its start (a bad option, a datadir it cannot open, a port taken) only fills the
// log if restarted forever; one that ran, or synced, is worth starting again.
import { ExitCode } from "../errors.js";
import { restartDelay, schedulerBackoff } from "./restart-backoff.js";

/** mariadbd exiting this soon after its start… */
export const fastFailureMs = 30_000;
/** …this many times in a row, without having synced, ends the agent. */
export const fastFailureLimit = 3;

/** How a mariadbd run ended, as the agent saw it. */
export interface ServerExit {
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  /** The node reached Synced during this run. */
  syncedSinceStart: boolean;
}

/** What the agent remembers between exits of its mariadbd. */
export interface ServerExitRecord {
  /** Quick exits in a row, without a sync in between. */
  fastFailures: number;
  /** The backoff's next wait (restart-backoff.ts). */
  nextInLineMs: number;
}

export const freshServerExitRecord: ServerExitRecord = {
  fastFailures: 0,
  nextInLineMs: schedulerBackoff.initialMs,
};

export type AfterServerExit =
  | { action: "give-up"; reason: string; exitCode: number; record: ServerExitRecord }
  | { action: "restart"; reason: string; waitMs: number; record: ServerExitRecord };

/** The next step after mariadbd exited on its own, and the record to keep. Pure. */
export function afterServerExit(record: ServerExitRecord, exit: ServerExit): AfterServerExit {
  const fast = exit.durationMs < fastFailureMs && !exit.syncedSinceStart;
  const fastFailures = fast ? record.fastFailures + 1 : 0;
  if (fastFailures >= fastFailureLimit) {
    return {
      action: "give-up",
      reason: `mariadbd failed ${fastFailures} times in a row within ${fastFailureMs / 1000} s of starting: giving up so the scheduler sees it; its log lines above say why`,
      exitCode: exitCodeOf(exit),
      record: { ...record, fastFailures },
    };
  }
  const delay = restartDelay(schedulerBackoff, exit.durationMs, record.nextInLineMs);
  return {
    action: "restart",
    reason: `mariadbd ${describeExit(exit)}; starting it again in ${delay.waitMs / 1000} s`,
    waitMs: delay.waitMs,
    record: { fastFailures, nextInLineMs: delay.nextInLineMs },
  };
}

/** "was killed by SIGKILL", "exited with status 1". */
export function describeExit(exit: Pick<ServerExit, "exitCode" | "signal">): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited with status ${exit.exitCode}`;
}

const signalNumbers: Record<string, number> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGSEGV: 11, SIGABRT: 6 };

/** mariadbd's exit mapped to the agent's exit code: its status, or 128 + the signal number. */
export function exitCodeOf(exit: Pick<ServerExit, "exitCode" | "signal">): number {
  if (exit.signal) return 128 + (signalNumbers[exit.signal] ?? 1);
  return exit.exitCode ?? ExitCode.serverFailed;
}
