import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { knownPosition } from "../../../src/decide/known-position.js";
import { parseGrastate } from "../../../src/mysqld/grastate.js";
import { ZERO_UUID, type Grastate } from "../../../src/model/galera-state.js";

const A = "2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e";
const grastate = (uuid: string, seqno: number, safeToBootstrap = false): Grastate => ({
  version: "2.1",
  uuid,
  seqno,
  safeToBootstrap,
});

void describe("knownPosition: when --wsrep-recover can be skipped", () => {
  const table: { situation: string; file: Grastate | null; known: { uuid: string; seqno: number } | null }[] =
    [
      { situation: "no grastate.dat (never ran Galera)", file: null, known: null },
      { situation: "running, crashed or killed: seqno -1", file: grastate(A, -1), known: null },
      { situation: "the last node out of a crash, marked safe", file: grastate(A, -1, true), known: null },
      { situation: "never joined a cluster: zero UUID", file: grastate(ZERO_UUID, -1), known: null },
      { situation: "zero UUID with a seqno (not a real cluster)", file: grastate(ZERO_UUID, 5), known: null },
      {
        situation: "clean shutdown, not the last out",
        file: grastate(A, 1841),
        known: { uuid: A, seqno: 1841 },
      },
      {
        situation: "clean shutdown, the last out",
        file: grastate(A, 1841, true),
        known: { uuid: A, seqno: 1841 },
      },
      {
        situation: "clean shutdown of a cluster with no write yet",
        file: grastate(A, 0),
        known: { uuid: A, seqno: 0 },
      },
    ];
  for (const row of table) {
    void it(`${row.situation}: ${row.known ? "known" : "--wsrep-recover"}`, () => {
      const answer = knownPosition(row.file);
      if (row.known === null) {
        assert.equal(answer.known, false);
        assert.match(answer.reason, /--wsrep-recover reads the position from InnoDB/);
      } else {
        assert.deepEqual(answer, {
          known: true,
          position: row.known,
          reason: "from grastate.dat, written by a clean shutdown: no --wsrep-recover needed",
        });
      }
    });
  }

  void it("reads the file a clean stop left on this machine (galera-4 26.4.23)", () => {
    const file = parseGrastate(
      "# GALERA saved state\nversion: 2.1\nuuid:    1225ea1d-e8fc-11f1-8fed-233f75bf33cf\nseqno:   1\nsafe_to_bootstrap: 1\n",
    );
    assert.deepEqual(knownPosition(file), {
      known: true,
      position: { uuid: "1225ea1d-e8fc-11f1-8fed-233f75bf33cf", seqno: 1 },
      reason: "from grastate.dat, written by a clean shutdown: no --wsrep-recover needed",
    });
  });

  void it("a state transfer cut short: the zero UUID, known without --wsrep-recover, whatever grastate.dat or InnoDB hold", () => {
    for (const file of [grastate(ZERO_UUID, -1), grastate(A, -1), null]) {
      assert.deepEqual(
        knownPosition(
          file,
          "an sst_in_progress file is in the datadir: a state transfer into it was cut short",
        ),
        {
          known: true,
          position: { uuid: ZERO_UUID, seqno: -1 },
          reason:
            "(none held: an sst_in_progress file is in the datadir: a state transfer into it was cut short; the node rejoins by a new state transfer and never bootstraps)",
        },
      );
    }
  });
});
