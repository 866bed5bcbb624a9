import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkNodeReport } from "../../../src/model/peer-report-schema.js";
import type { NodeReport } from "../../../src/model/peer-report.js";
import { aReport } from "./wire-fixtures.js";

const required: (keyof NodeReport)[] = [
  "name",
  "inPrimary",
  "primaryUuid",
  "position",
  "safeToBootstrap",
  "fresh",
  "lastPrimaryView",
  "bootstrapIntentAt",
  "reportedAt",
];

function without(report: object, key: keyof NodeReport): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...report };
  delete copy[key];
  return copy;
}

describe("the peer report's schema (GET /peer/state)", () => {
  it("a whole report passes unchanged, and so do its variants: null where null is allowed", () => {
    for (const report of [
      aReport(),
      aReport({ inPrimary: true, primaryUuid: "adb45e98-e8fc-11f1-96fe-721d16e53e1b", running: true }),
      aReport({ position: null, lastPrimaryView: null, bootstrapIntentAt: 1_000_500, fresh: true }),
      aReport({ position: { uuid: "adb45e98-e8fc-11f1-96fe-721d16e53e1b", seqno: -1 } }),
    ]) {
      assert.deepEqual(checkNodeReport(report), { ok: true, value: report });
    }
  });

  it("an older agent's report, without running and clusterName, passes", () => {
    const older = without(without(aReport(), "running"), "clusterName");
    assert.deepEqual(checkNodeReport(older), { ok: true, value: older });
  });

  it("a newer agent's fields, at the top or inside, pass and are kept", () => {
    const newer = {
      ...aReport(),
      donorQueue: [1, 2],
      position: { uuid: "adb45e98-e8fc-11f1-96fe-721d16e53e1b", seqno: 42, gtid: "0-1-42" },
    };
    assert.deepEqual(checkNodeReport(newer), { ok: true, value: newer });
  });

  it("each required field missing: `a report without FIELD`", () => {
    for (const key of required) {
      assert.deepEqual(checkNodeReport(without(aReport(), key)), {
        ok: false,
        problem: `a report without ${key}`,
      });
    }
  });

  it("each field of the wrong type: its path, the value found, what it should be", () => {
    const cases: [Partial<Record<keyof NodeReport, unknown>>, string][] = [
      [{ name: 5 }, "a report whose name is 5, not a string"],
      [{ inPrimary: "yes" }, 'a report whose inPrimary is "yes", not true or false'],
      [{ primaryUuid: 7 }, "a report whose primaryUuid is 7, not a string or null"],
      [{ position: "x" }, 'a report whose position is "x", not an object or null'],
      [{ position: { uuid: "u", seqno: "x" } }, 'a report whose position.seqno is "x", not a whole number'],
      [{ position: { uuid: "u", seqno: 1.5 } }, "a report whose position.seqno is 1.5, not a whole number"],
      [{ position: { uuid: null, seqno: 1 } }, "a report whose position.uuid is null, not a string"],
      [{ position: { seqno: 1 } }, "a report without position.uuid"],
      [{ running: 1 }, "a report whose running is 1, not true or false"],
      [{ safeToBootstrap: "1" }, 'a report whose safeToBootstrap is "1", not true or false'],
      [{ fresh: null }, "a report whose fresh is null, not true or false"],
      [{ lastPrimaryView: 3 }, "a report whose lastPrimaryView is 3, not an object or null"],
      [
        { lastPrimaryView: { myUuid: "a", members: "b" } },
        'a report whose lastPrimaryView.members is "b", not a list',
      ],
      [
        { lastPrimaryView: { myUuid: "a", members: ["b", 3] } },
        "a report whose lastPrimaryView.members[1] is 3, not a string",
      ],
      [{ lastPrimaryView: { members: [] } }, "a report without lastPrimaryView.myUuid"],
      [{ bootstrapIntentAt: "now" }, 'a report whose bootstrapIntentAt is "now", not a number or null'],
      [{ reportedAt: null }, "a report whose reportedAt is null, not a number"],
      [{ clusterName: false }, "a report whose clusterName is false, not a string"],
      [{ name: { first: "n" } }, "a report whose name is an object, not a string"],
    ];
    for (const [change, problem] of cases) {
      assert.deepEqual(
        checkNodeReport({ ...aReport(), ...change }),
        { ok: false, problem },
        JSON.stringify(change),
      );
    }
  });

  it("something else than an object: what it is, not a report", () => {
    assert.deepEqual(checkNodeReport([1, 2]), { ok: false, problem: "a list, not a report" });
    assert.deepEqual(checkNodeReport("n2"), { ok: false, problem: '"n2", not a report' });
    assert.deepEqual(checkNodeReport(null), { ok: false, problem: "null, not a report" });
    assert.deepEqual(checkNodeReport(42), { ok: false, problem: "42, not a report" });
  });

  it("a long string found is cut in the line", () => {
    assert.deepEqual(checkNodeReport({ ...aReport(), inPrimary: "y".repeat(100) }), {
      ok: false,
      problem: `a report whose inPrimary is "${"y".repeat(37)}…", not true or false`,
    });
  });
});
