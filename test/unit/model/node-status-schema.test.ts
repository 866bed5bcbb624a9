import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkNodeStatus } from "../../../src/model/node-status-schema.js";
import { aStatus } from "./wire-fixtures.js";

const optionalFields = ["memberUuid", "galeraAddress"];

function without(status: object, key: string): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...status };
  delete copy[key];
  return copy;
}

describe("the /status schema (GET /status)", () => {
  it("a whole status passes unchanged, and so do its variants: null where null is allowed", () => {
    for (const status of [
      aStatus(),
      aStatus({
        phase: "server-down",
        pid: null,
        state: null,
        clusterStatus: null,
        clusterSize: null,
        clusterStateUuid: null,
        seqno: null,
        readOnly: null,
        clusterConfId: null,
        members: [],
        syncedSince: null,
        writerEligibleSince: null,
        ready: false,
        writer: false,
        recoveredPosition: null,
        lastDecision: null,
        sampleError: "connect ENOENT /run/galera-pilot/mysqld.sock",
        memberUuid: null,
      }),
      aStatus({
        recoveredPosition: { uuid: "adb45e98-e8fc-11f1-96fe-721d16e53e1b", seqno: -1, gtid: "0-1-5" },
      }),
    ]) {
      assert.deepEqual(checkNodeStatus(status), { ok: true, value: status });
    }
  });

  it("every phase and every decision's action passes", () => {
    for (const phase of [
      "preparing",
      "waiting",
      "refused",
      "starting",
      "donor",
      "synced",
      "non-primary",
      "desynced",
      "server-down",
      "draining",
      "stopping",
      "stopped",
    ] as const) {
      assert.equal(checkNodeStatus(aStatus({ phase })).ok, true, phase);
    }
    for (const action of [
      "join",
      "await-pc-recovery",
      "announce-bootstrap",
      "bootstrap",
      "bootstrap-in-place",
      "bootstrap-new-cluster",
      "wait",
      "refuse",
    ] as const) {
      const status = aStatus({ lastDecision: { action, reason: "r", at: "2026-11-25T18:19:03.000Z" } });
      assert.equal(checkNodeStatus(status).ok, true, action);
    }
  });

  it("an older agent's status, without memberUuid and galeraAddress, passes", () => {
    const older = without(without(aStatus(), "memberUuid"), "galeraAddress");
    assert.deepEqual(checkNodeStatus(older), { ok: true, value: older });
  });

  it("a newer agent's fields, at the top or inside, pass and are kept", () => {
    const newer = {
      ...aStatus(),
      flowControlPaused: 0.02,
      lastDecision: { action: "join", reason: "r", at: "2026-11-25T18:19:03.000Z", by: "n2" },
    };
    assert.deepEqual(checkNodeStatus(newer), { ok: true, value: newer });
  });

  it("a newer agent's phase, mode or decision action passes as it is: a rolling upgrade must not make it look silent", () => {
    const newer = {
      ...aStatus(),
      mode: "arbitrator",
      phase: "archiving",
      lastDecision: { action: "restore-backup", reason: "r", at: "2026-11-25T18:19:03.000Z" },
    };
    assert.deepEqual(checkNodeStatus(newer), { ok: true, value: newer });
  });

  it("each required field missing: `a status without FIELD`", () => {
    const fields = Object.keys(aStatus()).filter((key) => !optionalFields.includes(key));
    assert.equal(fields.length, 27);
    for (const key of fields) {
      assert.deepEqual(checkNodeStatus(without(aStatus(), key)), {
        ok: false,
        problem: `a status without ${key}`,
      });
    }
    for (const [where, value] of [
      ["recoveredPosition", { uuid: "u", seqno: 1 }],
      ["lastDecision", { action: "join", reason: "r" }],
    ] as const) {
      const missing = where === "recoveredPosition" ? "gtid" : "at";
      assert.deepEqual(checkNodeStatus({ ...aStatus(), [where]: value }), {
        ok: false,
        problem: `a status without ${where}.${missing}`,
      });
    }
  });

  it("each field of the wrong type: its path, the value found, what it should be", () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ node: 1 }, "a status whose node is 1, not a string"],
      [{ address: null }, "a status whose address is null, not a string"],
      [{ mode: 2 }, "a status whose mode is 2, not a string"],
      [{ phase: null }, "a status whose phase is null, not a string"],
      [{ pid: 1.5 }, "a status whose pid is 1.5, not a whole number"],
      [{ pid: "1234" }, 'a status whose pid is "1234", not a whole number or null'],
      [{ state: 4 }, "a status whose state is 4, not a string or null"],
      [{ clusterStatus: true }, "a status whose clusterStatus is true, not a string or null"],
      [{ clusterSize: "3" }, 'a status whose clusterSize is "3", not a whole number or null'],
      [{ clusterStateUuid: [] }, "a status whose clusterStateUuid is a list, not a string or null"],
      [{ seqno: "x" }, 'a status whose seqno is "x", not a whole number or null'],
      [{ seqno: 18.5 }, "a status whose seqno is 18.5, not a whole number"],
      [{ readOnly: "no" }, 'a status whose readOnly is "no", not true, false or null'],
      [{ clusterConfId: {} }, "a status whose clusterConfId is an object, not a whole number or null"],
      [{ incomingAddress: null }, "a status whose incomingAddress is null, not a string"],
      [{ members: "a,b" }, 'a status whose members is "a,b", not a list'],
      [{ members: ["a", null] }, "a status whose members[1] is null, not a string"],
      [{ syncedSince: 0 }, "a status whose syncedSince is 0, not a string or null"],
      [{ writerEligibleSince: false }, "a status whose writerEligibleSince is false, not a string or null"],
      [{ ready: "true" }, 'a status whose ready is "true", not true or false'],
      [{ writer: 1 }, "a status whose writer is 1, not true or false"],
      [{ recoveredPosition: "x" }, 'a status whose recoveredPosition is "x", not an object or null'],
      [
        { recoveredPosition: { uuid: "u", seqno: -1, gtid: 5 } },
        "a status whose recoveredPosition.gtid is 5, not a string or null",
      ],
      [
        { recoveredPosition: { uuid: "u", seqno: "-1", gtid: null } },
        'a status whose recoveredPosition.seqno is "-1", not a whole number',
      ],
      [
        { lastDecision: { action: 7, reason: "r", at: "t" } },
        "a status whose lastDecision.action is 7, not a string",
      ],
      [
        { lastDecision: { action: "wait", reason: 5, at: "t" } },
        "a status whose lastDecision.reason is 5, not a string",
      ],
      [{ peers: [1] }, "a status whose peers[0] is 1, not a string"],
      [{ sampleAgeMs: "412" }, 'a status whose sampleAgeMs is "412", not a number'],
      [{ sampledAt: null }, "a status whose sampledAt is null, not a string"],
      [{ answeredAt: 1 }, "a status whose answeredAt is 1, not a string"],
      [{ sampleError: {} }, "a status whose sampleError is an object, not a string or null"],
      [{ memberUuid: 5 }, "a status whose memberUuid is 5, not a string or null"],
      [{ galeraAddress: null }, "a status whose galeraAddress is null, not a string"],
      [{ startedAt: undefined }, "a status without startedAt"],
      [{ version: 1 }, "a status whose version is 1, not a string"],
    ];
    for (const [change, problem] of cases) {
      const status: Record<string, unknown> = { ...aStatus(), ...change };
      for (const [key, value] of Object.entries(change)) if (value === undefined) delete status[key];
      assert.deepEqual(checkNodeStatus(status), { ok: false, problem }, JSON.stringify(change));
    }
  });

  it("something else than an object: what it is, not a status", () => {
    assert.deepEqual(checkNodeStatus([]), { ok: false, problem: "a list, not a status" });
    assert.deepEqual(checkNodeStatus("ok"), { ok: false, problem: '"ok", not a status' });
  });
});
