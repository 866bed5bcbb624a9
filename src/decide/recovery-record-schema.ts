/**
 * The schema of the recovery record's file (RecoveryRecord, recovery-record.ts): an earlier
 * agent process wrote it, and a restarted one checks it before reading a field, as it checks a
 * peer's answer. A module of its own, imported by src/agent/recovery-record-file.ts only when
 * there is a file to read: valibot takes 10–20 ms to load (docs/architecture.md).
 */
import * as v from "valibot";

import type { RecoveryRecord } from "./recovery-record.js";
import {
  checkFileText,
  list,
  number,
  orNull,
  record,
  text,
  wholeNumber,
  type SameShape,
} from "../model/wire-check.js";

export const recoveryRecordSchema = record({
  // Another version's record is not guessed at: it is reported, and replaced.
  version: v.literal(1, "1"),
  node: text(),
  writtenAt: number(),
  decisions: list(record({ action: text(), reason: text(), at: number() })),
  intentAnnouncedAt: orNull(number()),
  serverExits: record({
    fastFailures: wholeNumber(),
    nextInLineMs: number(),
    lastExitAt: orNull(number()),
  }),
});

// The schema and the type it checks cannot drift apart: this line stops compiling.
export const recoveryRecordShapeMatches: SameShape<
  v.InferOutput<typeof recoveryRecordSchema>,
  RecoveryRecord
> = true;

/**
 * The file's text as a record, or what is wrong with it in words: `not JSON (Unexpected end of
 * JSON input)`, `a recovery record without serverExits`, `a recovery record whose version is
 * 2, not 1`.
 */
export function parseRecoveryRecord(fileText: string): RecoveryRecord | { problem: string } {
  const checked = checkFileText(recoveryRecordSchema, fileText, "a recovery record");
  return checked.ok ? checked.value : { problem: checked.problem };
}
