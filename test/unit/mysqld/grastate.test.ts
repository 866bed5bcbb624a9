import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseGrastate } from "../../../src/mysqld/grastate.js";
import { ZERO_UUID } from "../../../src/model/galera-state.js";

// The brief's example: a running node that bootstrapped (seqno stays -1 while mariadbd runs).
const runningBootstrapNode = `# GALERA saved state
version: 2.1
uuid:    2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e
seqno:   -1
safe_to_bootstrap: 1
`;

// Captured on this machine (galera-4 26.4.23): the last node out after a clean stop.
const cleanlyStoppedLastNodeOut = `# GALERA saved state
version: 2.1
uuid:    1225ea1d-e8fc-11f1-8fed-233f75bf33cf
seqno:   1
safe_to_bootstrap: 1
`;

void describe("parseGrastate", () => {
  void it("reads a running bootstrap node's file", () => {
    assert.deepEqual(parseGrastate(runningBootstrapNode), {
      version: "2.1",
      uuid: "2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e",
      seqno: -1,
      safeToBootstrap: true,
    });
  });

  void it("reads the last node out of a clean stop", () => {
    assert.deepEqual(parseGrastate(cleanlyStoppedLastNodeOut), {
      version: "2.1",
      uuid: "1225ea1d-e8fc-11f1-8fed-233f75bf33cf",
      seqno: 1,
      safeToBootstrap: true,
    });
  });

  void it("reads another cleanly stopped node: a real seqno, not safe to bootstrap", () => {
    const text = cleanlyStoppedLastNodeOut.replace("seqno:   1", "seqno:   812").replace(": 1", ": 0");
    assert.deepEqual(parseGrastate(text), {
      version: "2.1",
      uuid: "1225ea1d-e8fc-11f1-8fed-233f75bf33cf",
      seqno: 812,
      safeToBootstrap: false,
    });
  });

  void it("takes a missing safe_to_bootstrap (Galera before 3.19) as false and skips cert_index", () => {
    const oldGalera = `# GALERA saved state
version: 2.1
uuid:    1917033b-7081-11e2-0800-707f5d3b106b
seqno:   -1
cert_index:
`;
    assert.deepEqual(parseGrastate(oldGalera), {
      version: "2.1",
      uuid: "1917033b-7081-11e2-0800-707f5d3b106b",
      seqno: -1,
      safeToBootstrap: false,
    });
  });

  void it("reads a never-joined node's zero UUID, CRLF line ends and upper-case hex", () => {
    const text = `version: 2.1\r\nuuid: ${ZERO_UUID}\r\nseqno: -1\r\n`;
    assert.equal(parseGrastate(text).uuid, ZERO_UUID);
    assert.equal(
      parseGrastate(text.replace(ZERO_UUID, "2AC6DFBE-E8FB-11F1-AEE4-D2BBB464C24E")).uuid,
      "2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e",
    );
  });

  void it("refuses empty, zeroed and torn files", () => {
    assert.throws(() => parseGrastate(""), { message: "grastate.dat is empty" });
    assert.throws(() => parseGrastate(" \n"), { message: "grastate.dat is empty" });
    assert.throws(() => parseGrastate("\0".repeat(100)), {
      message: "grastate.dat is zeroed (100 NUL bytes): a torn write",
    });
    assert.throws(() => parseGrastate(runningBootstrapNode + "\0\0\0"), {
      message: "grastate.dat contains NUL bytes: a torn write",
    });
  });

  void it("refuses a file without uuid or seqno", () => {
    assert.throws(() => parseGrastate("version: 2.1\nseqno: -1\n"), {
      message: "grastate.dat has no uuid line",
    });
    assert.throws(() => parseGrastate(`uuid: ${ZERO_UUID}\n`), { message: "grastate.dat has no seqno line" });
  });

  void it("refuses a malformed uuid", () => {
    for (const uuid of [
      "",
      "2ac6dfbe-e8fb-11f1-aee4",
      "2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24g",
      "2ac6dfbee8fb11f1aee4d2bbb464c24e",
    ]) {
      assert.throws(() => parseGrastate(`uuid: ${uuid}\nseqno: 1\n`), {
        message: `grastate.dat has a malformed uuid: ${JSON.stringify(uuid)}`,
      });
    }
  });

  void it("refuses a seqno that is not an integer ≥ -1 held exactly", () => {
    for (const seqno of ["", "abc", "1.5", "-2", "12x", "9007199254740993"]) {
      assert.throws(() => parseGrastate(`uuid: ${ZERO_UUID}\nseqno: ${seqno}\n`), {
        message: `grastate.dat has a malformed seqno: ${JSON.stringify(seqno)}`,
      });
    }
  });

  void it("refuses a malformed safe_to_bootstrap and a repeated line", () => {
    assert.throws(() => parseGrastate(`uuid: ${ZERO_UUID}\nseqno: 1\nsafe_to_bootstrap: yes\n`), {
      message: 'grastate.dat has a malformed safe_to_bootstrap: "yes"',
    });
    assert.throws(() => parseGrastate(`uuid: ${ZERO_UUID}\nseqno: 1\nseqno: 2\n`), {
      message: "grastate.dat has two seqno lines",
    });
  });
});
