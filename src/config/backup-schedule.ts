/**
 * A backup schedule (GALERA_PILOT_BACKUP_SCHEDULE): five cron fields, read in UTC, and the slot
 * times it holds between two instants. Which agent takes a slot, and when one counts as missed,
 * are the pure core's rules (decide/backup-slot.ts); this file only turns the text into times.
 *
 * Why UTC and not the machine's zone: every agent must compute the same slots, and agents run
 * in containers whose zones nobody chose; a zone also makes a slot vanish or happen twice at a
 * daylight-saving change.
 *
 * cron-parser (and luxon under it) is loaded when the first schedule is read, not when the
 * agent starts: about 25 ms that an agent without a schedule, or one recovering, never spends.
 * It is a CommonJS package, so it is required synchronously: the options are checked in one
 * synchronous pass before anything is started.
 */
import { createRequire } from "node:module";
import type { CronExpressionParser } from "cron-parser";

type Parser = typeof CronExpressionParser;

const fieldNames = ["minute", "hour", "day-of-month", "month", "day-of-week"] as const;

/** What a person is shown as a schedule that works (the tests and docs/cli.md show it too). */
export const scheduleExample = `"0 2 * * *" for 02:00 UTC every day`;

let parser: Parser | null = null;

function cronParser(): Parser {
  parser ??= (createRequire(import.meta.url)("cron-parser") as { CronExpressionParser: Parser })
    .CronExpressionParser;
  return parser;
}

export interface BackupSchedule {
  /** The five fields as given (trimmed, one space apart): shown on GET /backup. */
  readonly expression: string;
  /** The slot times after `from` up to and including `to` (ms since the epoch), oldest first. */
  slotsBetween(from: number, to: number): number[];
  /** The first slot after `after`, or null when the schedule holds none. */
  nextSlot(after: number): number | null;
}

/** A schedule of an expression parseBackupSchedule has checked. */
function scheduleOf(expression: string): BackupSchedule {
  return {
    expression,
    slotsBetween(from, to) {
      if (to <= from) return [];
      const times = cronParser().parse(expression, { tz: "UTC", currentDate: from, endDate: to });
      const slots: number[] = [];
      while (times.hasNext()) slots.push(times.next().getTime());
      return slots;
    },
    nextSlot(after) {
      try {
        return cronParser().parse(expression, { tz: "UTC", currentDate: after }).next().getTime();
      } catch {
        return null;
      }
    },
  };
}

/**
 * The schedule in `text`, or what is wrong with it (a clause for the caller's one-line error:
 * `its hour field "25" is refused (…)`).
 */
export function parseBackupSchedule(text: string): BackupSchedule | { problem: string } {
  const fields = text.trim().split(/\s+/).filter(Boolean);
  if (fields.length !== fieldNames.length) {
    return {
      problem: `it has ${fields.length} field${fields.length === 1 ? "" : "s"}, not 5 (a seconds field, and names like @daily, are not read)`,
    };
  }
  // H is cron-parser's random value: each agent would draw its own, and their slots would differ.
  const hashed = fields.findIndex((field) => /(^|,)h/i.test(field));
  if (hashed >= 0) {
    return {
      problem: `its ${fieldNames[hashed]} field "${fields[hashed]}" uses H, a value drawn at random by each agent apart, so the agents' slots would differ`,
    };
  }
  const expression = fields.join(" ");
  const whole = attempt(expression);
  if (whole === null) return scheduleOf(expression);
  // Which field is wrong: the first that fails alone, the others left at "*".
  for (const [index, field] of fields.entries()) {
    const alone = fieldNames.map((_, i) => (i === index ? field : "*")).join(" ");
    const failure = attempt(alone);
    if (failure !== null) {
      return { problem: `its ${fieldNames[index]} field "${field}" is refused (${failure})` };
    }
  }
  return { problem: `no time matches all five fields (${whole})` };
}

/** Null when `expression` parses and holds a next slot; else cron-parser's reason. */
function attempt(expression: string): string | null {
  try {
    cronParser().parse(expression, { tz: "UTC", currentDate: 0 }).next();
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
