import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseRecoveryRecord } from "../../../src/decide/recovery-record-schema.js";
import {
  emptyRecord,
  withDecision,
  withIntent,
  withServerExit,
} from "../../../src/decide/recovery-record.js";

const now = Date.parse("2026-12-06T20:14:03.123Z");
const full = {
  ...withServerExit(
    withIntent(
      withDecision(emptyRecord("n1"), { action: "wait", reason: "waiting for n3" }, now - 900),
      now - 100,
    ),
    { fastFailures: 2, nextInLineMs: 4000 },
    now - 3000,
  ),
  writtenAt: now,
};
const text = (value: unknown): string => JSON.stringify(value);

describe("parseRecoveryRecord", () => {
  it("reads a record as the agent writes it", () => {
    assert.deepEqual(parseRecoveryRecord(`${text(full)}\n`), full);
  });

  it("keeps what a newer agent added: an action or a field this version does not know", () => {
    const newer = { ...full, decisions: [{ action: "a-newer-action", reason: "r", at: now }], extra: true };
    assert.deepEqual(parseRecoveryRecord(text(newer)), newer);
  });

  it("says what is wrong with a torn or empty file", () => {
    assert.deepEqual(parseRecoveryRecord(""), { problem: "the file is empty" });
    assert.deepEqual(parseRecoveryRecord(" \n"), { problem: "the file is empty" });
    const torn = parseRecoveryRecord(text(full).slice(0, 40));
    assert.ok("problem" in torn);
    assert.match(torn.problem, /^not JSON \(.+\)$/);
  });

  it("names the field that is wrong, and what it should be", () => {
    const cases: [unknown, string][] = [
      [{ ...full, version: 2 }, "a recovery record whose version is 2, not 1"],
      [{ ...full, node: 1 }, "a recovery record whose node is 1, not a string"],
      [{ ...full, writtenAt: "now" }, 'a recovery record whose writtenAt is "now", not a number'],
      [{ ...full, decisions: {} }, "a recovery record whose decisions is an object, not a list"],
      [
        { ...full, decisions: [{ action: "wait", reason: "r" }] },
        "a recovery record without decisions[0].at",
      ],
      [
        { ...full, intentAnnouncedAt: "x" },
        'a recovery record whose intentAnnouncedAt is "x", not a number or null',
      ],
      [
        { ...full, serverExits: { ...full.serverExits, fastFailures: 1.5 } },
        "a recovery record whose serverExits.fastFailures is 1.5, not a whole number",
      ],
      [
        { ...full, serverExits: { fastFailures: 0, nextInLineMs: 1000 } },
        "a recovery record without serverExits.lastExitAt",
      ],
      [{ ...full, serverExits: null }, "a recovery record whose serverExits is null, not an object"],
      [[], "a list, not a recovery record"],
      ["text", '"text", not a recovery record'],
    ];
    for (const [value, problem] of cases) assert.deepEqual(parseRecoveryRecord(text(value)), { problem });
  });
});
