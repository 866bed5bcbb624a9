import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseBackupSchedule, type BackupSchedule } from "../../../src/config/backup-schedule.js";

const at = (time: string) => Date.parse(`${time}Z`);
const iso = (times: number[]) => times.map((t) => new Date(t).toISOString());

function schedule(text: string): BackupSchedule {
  const parsed = parseBackupSchedule(text);
  if ("problem" in parsed) throw new Error(parsed.problem);
  return parsed;
}

function problem(text: string): string {
  const parsed = parseBackupSchedule(text);
  assert.ok("problem" in parsed, `${text} should be refused`);
  return parsed.problem;
}

describe("a backup schedule: five cron fields in UTC", () => {
  it("gives the slots after one instant up to and including another, oldest first", () => {
    const daily = schedule("0 2 * * *");
    assert.deepEqual(iso(daily.slotsBetween(at("2026-12-06T21:00:00"), at("2026-12-08T03:00:00"))), [
      "2026-12-07T02:00:00.000Z",
      "2026-12-08T02:00:00.000Z",
    ]);
    // The first instant is settled already: its slot is not given again; the second is.
    assert.deepEqual(iso(daily.slotsBetween(at("2026-12-07T02:00:00"), at("2026-12-08T02:00:00"))), [
      "2026-12-08T02:00:00.000Z",
    ]);
    assert.deepEqual(daily.slotsBetween(at("2026-12-07T02:00:00"), at("2026-12-07T02:00:00")), []);
    assert.deepEqual(daily.slotsBetween(at("2026-12-08T00:00:00"), at("2026-12-07T00:00:00")), []);
    const minutely = schedule("* * * * *");
    assert.equal(minutely.slotsBetween(at("2026-12-07T02:00:30"), at("2026-12-07T02:10:00")).length, 10);
  });

  it("reads its times in UTC, whatever the machine's zone", () => {
    const zone = process.env["TZ"];
    process.env["TZ"] = "Pacific/Auckland";
    try {
      const daily = schedule("0 2 * * *");
      assert.equal(
        new Date(daily.nextSlot(at("2026-12-06T21:00:00"))!).toISOString(),
        "2026-12-07T02:00:00.000Z",
      );
    } finally {
      if (zone === undefined) delete process.env["TZ"];
      else process.env["TZ"] = zone;
    }
  });

  it("gives the next slot after an instant; names of days and months, lists and steps are read", () => {
    const next = (text: string, after: string) => new Date(schedule(text).nextSlot(at(after))!).toISOString();
    assert.equal(next("0 2 * * *", "2026-12-07T02:00:00"), "2026-12-08T02:00:00.000Z");
    assert.equal(next("30 1 * * THU", "2026-12-07T00:00:00"), "2026-12-10T01:30:00.000Z");
    assert.equal(next("*/15 * * * *", "2026-12-07T02:01:00"), "2026-12-07T02:15:00.000Z");
    assert.equal(next("0 0 29 2 *", "2026-12-07T00:00:00"), "2028-02-29T00:00:00.000Z");
  });

  it("keeps the expression as given, its fields one space apart", () => {
    assert.equal(schedule("  0  2 *\t* *\n").expression, "0 2 * * *");
  });

  it("refuses anything but five fields, naming how many it found", () => {
    const fields = (n: number) =>
      `it has ${n} field${n === 1 ? "" : "s"}, not 5 (a seconds field, and names like @daily, are not read)`;
    assert.equal(problem("0 2 * *"), fields(4));
    assert.equal(problem("0 0 2 * * *"), fields(6));
    assert.equal(problem("@daily"), fields(1));
    assert.equal(problem(""), fields(0));
  });

  it("names the field that is wrong, with cron-parser's reason", () => {
    assert.equal(
      problem("0 25 * * *"),
      'its hour field "25" is refused (Constraint error, got value 25 expected range 0-23)',
    );
    assert.equal(
      problem("0 2 * * 8"),
      'its day-of-week field "8" is refused (Constraint error, got value 8 expected range 0-7)',
    );
    assert.equal(problem("x 2 * * *"), 'its minute field "x" is refused (Invalid characters, got value: x)');
  });

  it("refuses fields that never meet: no slot would ever come", () => {
    assert.equal(
      problem("0 0 30 2 *"),
      "no time matches all five fields (Invalid explicit day of month definition)",
    );
  });

  it("refuses H, which each agent would draw apart, but not a day named with an h", () => {
    assert.equal(
      problem("H 2 * * *"),
      'its minute field "H" uses H, a value drawn at random by each agent apart, so the agents\' slots would differ',
    );
    assert.equal(
      problem("0 2 * * 1,h(0-3)"),
      'its day-of-week field "1,h(0-3)" uses H, a value drawn at random by each agent apart, so the agents\' slots would differ',
    );
    assert.equal(schedule("0 2 * * THU,sat").expression, "0 2 * * THU,sat");
  });
});
