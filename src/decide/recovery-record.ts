/**
 * The recovery record: what the agent keeps in its run directory of its own recovery, so that
 * a restart of the agent (a kill -9, an OOM kill, a crash) does not lose it. The agent writes it
 * when its decision, its bootstrap intent or its mariadbd's exit record changes
 * (src/agent/recovery-record-file.ts), and a restarted agent takes back what `resumeRecord`
 * allows: the decision history and a crash loop still under way, never a bootstrap intent.
 * docs/recovery.md ("The recovery record") says the same for operators. Pure.
 */
import { schedulerBackoff } from "./restart-backoff.js";
import { fastFailureLimit, freshServerExitRecord, type ServerExitRecord } from "./server-exit.js";

export interface RecoveryRecord {
  version: 1;
  /** The node the record is of (GALERA_PILOT_NAME). */
  node: string;
  /** When the file was last written, ms since the epoch (the agent's clock). */
  writtenAt: number;
  /** The decisions, newest last, each one whose reason differed from the one before; at most recordedDecisionsLimit. */
  decisions: { action: string; reason: string; at: number }[];
  /** When this node announced a bootstrap, while it did; kept to be said, never resumed. */
  intentAnnouncedAt: number | null;
  /** The exit record of mariadbd (server-exit.ts), and when mariadbd last exited on its own. */
  serverExits: ServerExitRecord & { lastExitAt: number | null };
}

/** How many decisions the record keeps: the story of one recovery, not the node's life. */
export const recordedDecisionsLimit = 20;

/**
 * A quick-exit count and backoff are taken back only when mariadbd exited less than this
 * before the agent's restart: the restart backoff's own reset window (a run that long starts
 * the backoff afresh), so an exit older than that says nothing of a crash loop going on now.
 */
export const resumeExitsWithinMs = schedulerBackoff.healthyRunMs;

export function emptyRecord(node: string): RecoveryRecord {
  return {
    version: 1,
    node,
    writtenAt: 0,
    decisions: [],
    intentAnnouncedAt: null,
    serverExits: { ...freshServerExitRecord, lastExitAt: null },
  };
}

/**
 * The record with this decision appended, when its reason differs from the last one's (the
 * agent decides every 50 ms while it waits; the record keeps changes, as its log does). The
 * same record, unchanged, when it does not: a caller writes the file only when it changed.
 */
export function withDecision(
  record: RecoveryRecord,
  decision: { action: string; reason: string },
  now: number,
): RecoveryRecord {
  if (record.decisions.at(-1)?.reason === decision.reason) return record;
  const decisions = [...record.decisions, { action: decision.action, reason: decision.reason, at: now }];
  return { ...record, decisions: decisions.slice(-recordedDecisionsLimit) };
}

/** The record with the node's bootstrap intent as it is now (null: none); the same record when unchanged. */
export function withIntent(record: RecoveryRecord, intentAt: number | null): RecoveryRecord {
  return record.intentAnnouncedAt === intentAt ? record : { ...record, intentAnnouncedAt: intentAt };
}

/** The record after mariadbd exited on its own at `now`, with the exit record afterServerExit returned. */
export function withServerExit(
  record: RecoveryRecord,
  serverExits: ServerExitRecord,
  now: number,
): RecoveryRecord {
  return {
    ...record,
    serverExits: {
      fastFailures: serverExits.fastFailures,
      nextInLineMs: serverExits.nextInLineMs,
      lastExitAt: now,
    },
  };
}

export interface ResumedRecord {
  /** The record the restarted agent goes on with (and writes at its next change). */
  record: RecoveryRecord;
  /** The exit record its supervision of mariadbd starts from. */
  serverExits: ServerExitRecord;
  /** The line the agent logs; null when there was nothing to resume. */
  reason: string | null;
}

/**
 * What a restarted agent takes back of the record it found in its run directory (`saved`:
 * the record, what was wrong with the file, or null when there was none), and the line it
 * logs about it.
 */
export function resumeRecord(
  saved: RecoveryRecord | { problem: string } | null,
  { node, now }: { node: string; now: number },
): ResumedRecord {
  const fresh: ResumedRecord = {
    record: emptyRecord(node),
    serverExits: freshServerExitRecord,
    reason: null,
  };
  if (saved === null) return fresh;
  // A torn write or a file of a future version: nothing in it is needed to recover safely
  // (the rules decide from the datadir and the peers), so the agent goes on without it.
  if ("problem" in saved) {
    return {
      ...fresh,
      reason: `the recovery record in the run directory could not be read (${saved.problem}): not resumed, so the decision history and the count of mariadbd's quick exits start afresh; it is replaced`,
    };
  }
  // Another node's record (a run directory reused, or shared by mistake) says nothing of this
  // node: its decisions were another node's, its crash loop another mariadbd's.
  if (saved.node !== node) {
    return {
      ...fresh,
      reason: `the recovery record in the run directory is node ${saved.node}'s, not ${node}'s: not resumed; it is replaced`,
    };
  }
  // The history is resumed: it is what /status and an operator read to follow a recovery, and
  // a restart in the middle of one should not erase how it went so far.
  const decisions = saved.decisions.slice(-recordedDecisionsLimit);
  // The quick exits count toward giving up only while they are one crash loop: an agent killed
  // in the middle of one must not start it over (and never give up), but an exit older than
  // the backoff's reset window is not part of the loop going on now. A time in the future (the
  // clock was set back) gives no age to trust: forgotten too.
  const lastExitAt = saved.serverExits.lastExitAt;
  const exitAge = lastExitAt === null ? null : now - lastExitAt;
  const recent = exitAge !== null && exitAge >= 0 && exitAge < resumeExitsWithinMs;
  // A count that reached the limit ended the agent on purpose, for its scheduler to see: the
  // start that follows is the scheduler's new try, and gets the agent's three quick exits
  // again, rather than giving up at the first one.
  const gaveUp = saved.serverExits.fastFailures >= fastFailureLimit;
  const exitsResumed = recent && !gaveUp;
  // Within the bounds afterServerExit keeps them in: a file edited by hand must not make the
  // agent restart mariadbd at once in a loop, nor wait longer than the backoff ever does.
  const serverExits: ServerExitRecord = exitsResumed
    ? {
        fastFailures: Math.max(0, saved.serverExits.fastFailures),
        nextInLineMs: Math.min(
          Math.max(saved.serverExits.nextInLineMs, schedulerBackoff.initialMs),
          schedulerBackoff.maxMs,
        ),
      }
    : freshServerExitRecord;
  const record: RecoveryRecord = {
    version: 1,
    node,
    writtenAt: saved.writtenAt,
    decisions,
    // The intent's time is never resumed: a peer may have missed the first announcement while
    // this agent was down (or seen it expire), so the agent announces again and the intent
    // settles anew (rule S3 in docs/recovery.md). Taking back the old time would let it
    // bootstrap at once on a claim its peers never saw stand.
    intentAnnouncedAt: null,
    serverExits: { ...serverExits, lastExitAt },
  };
  const last = decisions.at(-1);
  const parts = [
    `resumed the recovery record written ${ago(now - saved.writtenAt)}: ${
      last ? `last decision ${last.action}: ${last.reason}` : "no decision had been taken yet"
    }`,
  ];
  if (exitAge !== null) {
    parts.push(
      recent && gaveUp
        ? `mariadbd's last exit, ${ago(exitAge)}, ended the agent after ${saved.serverExits.fastFailures} quick exits in a row: this start is a new try, with its quick exits counted from zero`
        : describeExits(serverExits, exitAge, exitsResumed),
    );
  }
  if (saved.intentAnnouncedAt !== null) {
    parts.push(
      `it had announced a bootstrap at ${clockTime(saved.intentAnnouncedAt)} before its restart: the announcement is made again and settles anew, since a peer may have missed it meanwhile`,
    );
  }
  return { record, serverExits, reason: parts.join("; ") };
}

function describeExits(exits: ServerExitRecord, age: number, resumed: boolean): string {
  if (!resumed) {
    return `mariadbd's last exit, ${ago(age)}, is forgotten: the count of its quick exits and its restart backoff start afresh`;
  }
  const backoff = `its next restart waits ${exits.nextInLineMs / 1000} s`;
  if (exits.fastFailures === 0) return `mariadbd last exited ${ago(age)}; ${backoff}`;
  const exitsWord = exits.fastFailures === 1 ? "quick exit" : "quick exits";
  return `${exits.fastFailures} ${exitsWord} of mariadbd in a row so far, the last ${ago(age)} (${fastFailureLimit} in a row end the agent); ${backoff}`;
}

/**
 * "3.2 s ago", "2 min ago", "5.5 h ago", "3 d ago": an age as a person reads it. A time later
 * than now (the clock was set back) reads "1.0 s in the future by this clock".
 */
function ago(ms: number): string {
  if (ms < 0) return `${duration(-ms)} in the future by this clock`;
  return `${duration(ms)} ago`;
}

function duration(ms: number): string {
  const seconds = ms / 1000;
  // Cut, not rounded: 59.99 s is "59.9 s", never "60.0 s" (nor 23.99 h "24.0 h").
  const tenths = (value: number): string => (Math.floor(value * 10) / 10).toFixed(1);
  if (seconds < 60) return `${tenths(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86_400) return `${tenths(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86_400)} d`;
}

/** "20:14:03.123 UTC": the clock time of the agent's log lines (UTC, as their timestamps). */
function clockTime(ms: number): string {
  const date = new Date(ms);
  // A time no Date holds (a file edited by hand) is shown as it is, not thrown over.
  if (Number.isNaN(date.getTime())) return `${ms} ms after the epoch`;
  return `${date.toISOString().slice(11, 23)} UTC`;
}
