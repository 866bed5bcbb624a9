import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { judgeLastStart, type LastStartEvidence } from "../../../src/decide/last-start.js";
import { ZERO_UUID, type Grastate } from "../../../src/model/galera-state.js";

const A = "75e9801f-d1c2-11f1-9a3b-2f1e0c6b7a10";
const grastate = (uuid: string, seqno: number): Grastate => ({
  version: "2.1",
  uuid,
  seqno,
  safeToBootstrap: false,
});
/** A view listing only n1, as a joiner left alone in the primary saves it. */
const ALONE =
  "my_uuid: 3e1f5ab1-e8fb-11f1-9e5c-5e7b8c1a1b01\n#vwbeg\nview_id: 3 3e1f5ab1-e8fb-11f1-9e5c-5e7b8c1a1b01 7\nbootstrap: 0\nmember: 3e1f5ab1-e8fb-11f1-9e5c-5e7b8c1a1b01 0\n#vwend\n";
/** The view of all three, saved while n1 was synced, before its crash. */
const ALL = ALONE.replace("member:", "member: 3e1f5ab1-e8fb-11f1-9e5c-5e7b8c1a1b02 0\nmember:");

function evidence(more: Partial<LastStartEvidence>): LastStartEvidence {
  return {
    grastate: grastate(A, -1),
    grastateEmpty: false,
    transferLeftovers: false,
    sstInProgress: false,
    joinRecord: null,
    gvwstate: ALL,
    ...more,
  };
}

describe("judgeLastStart: how mariadbd's last start ended", () => {
  it("the issue's node: zero UUID in grastate.dat and a view of itself alone saved while it joined: a cut-short transfer and a void view", () => {
    const verdict = judgeLastStart(
      evidence({ grastate: grastate(ZERO_UUID, -1), joinRecord: { gvwstateAtStart: ALL }, gvwstate: ALONE }),
    );
    const cause =
      "grastate.dat holds the zero UUID, which Galera writes before a state transfer and replaces once it completes: a transfer was cut short, or the node never joined a cluster";
    assert.deepEqual(verdict, {
      transferCutShort: cause,
      voidView: `${cause}, so the primary view saved in gvwstate.dat is one this node held no data in`,
    });
  });

  it("zero UUID without any record (a container's run directory did not survive): still cut short, still void", () => {
    const verdict = judgeLastStart(evidence({ grastate: grastate(ZERO_UUID, -1), gvwstate: ALONE }));
    assert.match(verdict.transferCutShort ?? "", /^grastate.dat holds the zero UUID/);
    assert.match(verdict.voidView ?? "", /held no data in$/);
  });

  const cutShort: [string, Partial<LastStartEvidence>, RegExp][] = [
    ["an sst_in_progress file", { sstInProgress: true }, /^an sst_in_progress file is in the datadir/],
    ["an empty grastate.dat", { grastate: null, grastateEmpty: true }, /^grastate.dat is empty/],
    [
      "transfer files without a mysql/ schema, under this agent's marker",
      { grastate: null, grastateEmpty: true, transferLeftovers: true },
      /^the datadir holds the files of a state transfer this agent began/,
    ],
  ];
  for (const [situation, more, reason] of cutShort) {
    it(`${situation}: a cut-short transfer, and the view is void`, () => {
      const verdict = judgeLastStart(evidence(more));
      assert.match(verdict.transferCutShort ?? "", reason);
      assert.notEqual(verdict.voidView, null);
    });
  }

  it("a start that never synced (an IST joiner killed), during which Galera saved a new view: void, but no transfer was cut short", () => {
    assert.deepEqual(judgeLastStart(evidence({ joinRecord: { gvwstateAtStart: ALL }, gvwstate: ALONE })), {
      transferCutShort: null,
      voidView:
        "mariadbd's last start never reached Synced and Galera saved gvwstate.dat during it, so that primary view is one this node held no synced state in",
    });
  });

  it("a start that never synced and found no view, after which one exists: void", () => {
    const verdict = judgeLastStart(evidence({ joinRecord: { gvwstateAtStart: null }, gvwstate: ALONE }));
    assert.match(verdict.voidView ?? "", /Galera saved gvwstate.dat during it/);
  });

  it("an older agent's record, which did not keep the view: void, saying it may have been saved then", () => {
    const verdict = judgeLastStart(evidence({ joinRecord: { gvwstateAtStart: "unknown" } }));
    assert.match(verdict.voidView ?? "", /Galera may have saved gvwstate.dat during it/);
  });

  it("a start that never synced and never got a view: the view saved while synced before it stands", () => {
    assert.deepEqual(judgeLastStart(evidence({ joinRecord: { gvwstateAtStart: ALL }, gvwstate: ALL })), {
      transferCutShort: null,
      voidView: null,
    });
  });

  it("a crash of a synced node (no record): its view stands and its position is InnoDB's", () => {
    assert.deepEqual(judgeLastStart(evidence({})), { transferCutShort: null, voidView: null });
  });

  it("no gvwstate.dat: nothing to void, but a cut-short transfer is still said", () => {
    assert.deepEqual(judgeLastStart(evidence({ gvwstate: null, joinRecord: { gvwstateAtStart: ALL } })), {
      transferCutShort: null,
      voidView: null,
    });
    assert.notEqual(judgeLastStart(evidence({ gvwstate: null, sstInProgress: true })).transferCutShort, null);
  });

  it("no grastate.dat at all (absent, not empty), nothing else on disk: nothing cut short, the view stands", () => {
    assert.deepEqual(judgeLastStart(evidence({ grastate: null })), {
      transferCutShort: null,
      voidView: null,
    });
  });

  it("a clean stop (a real seqno in grastate.dat): nothing cut short", () => {
    assert.deepEqual(judgeLastStart(evidence({ grastate: grastate(A, 442844), gvwstate: null })), {
      transferCutShort: null,
      voidView: null,
    });
  });
});
