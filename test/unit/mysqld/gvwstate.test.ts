import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseGvwstate } from "../../../src/mysqld/gvwstate.js";

// The brief's example, in the shape gcomm::ViewState::write_stream produces (gcomm/src/view.cpp).
const threeNodesAfterKill9 = `my_uuid: 3e1f5ab1-e8fb-11f1-9e5c-5e7b8c1a1b2c
#vwbeg
view_id: 3 3e1f5ab1-e8fb-11f1-9e5c-5e7b8c1a1b2c 3
bootstrap: 0
member: 3e1f5ab1-e8fb-11f1-9e5c-5e7b8c1a1b2c 0
member: 4a2b6cc2-e8fb-11f1-8f1d-6f8c9d2b2c3d 0
member: 5b3c7dd3-e8fb-11f1-a02e-7a9dae3c3d4e 0
#vwend
`;

// Galera's documentation example: the view's UUID is another member's, segments set to 1.
const viewOfAnotherNodeInSegment1 = `my_uuid: d3124bc8-1605-11e4-aa3d-ab44303c044a
#vwbeg
view_id: 3 0dae1307-1606-11e4-aa94-5255b1455aa0 12
bootstrap: 0
member: 0dae1307-1606-11e4-aa94-5255b1455aa0 1
member: 47bbe2e2-1606-11e4-8593-2a6d8335bc79 1
member: d3124bc8-1605-11e4-aa3d-ab44303c044a 1
#vwend
`;

// Captured on this machine (galera-4 26.4.23): a one-node cluster after kill -9.
const oneNodeAfterKill9 = `my_uuid: 0870e8d4-e8fc-11f1-a7a0-37ba2d34c6e9
#vwbeg
view_id: 3 0870e8d4-e8fc-11f1-a7a0-37ba2d34c6e9 1
bootstrap: 0
member: 0870e8d4-e8fc-11f1-a7a0-37ba2d34c6e9 0
#vwend
`;

void describe("parseGvwstate", () => {
  void it("reads the file galera-4 left after kill -9", () => {
    assert.deepEqual(parseGvwstate(oneNodeAfterKill9), {
      myUuid: "0870e8d4-e8fc-11f1-a7a0-37ba2d34c6e9",
      viewId: { type: 3, uuid: "0870e8d4-e8fc-11f1-a7a0-37ba2d34c6e9", seq: 1 },
      bootstrap: false,
      members: [{ uuid: "0870e8d4-e8fc-11f1-a7a0-37ba2d34c6e9", segment: 0 }],
    });
  });

  void it("reads the last primary view of three nodes", () => {
    assert.deepEqual(parseGvwstate(threeNodesAfterKill9), {
      myUuid: "3e1f5ab1-e8fb-11f1-9e5c-5e7b8c1a1b2c",
      viewId: { type: 3, uuid: "3e1f5ab1-e8fb-11f1-9e5c-5e7b8c1a1b2c", seq: 3 },
      bootstrap: false,
      members: [
        { uuid: "3e1f5ab1-e8fb-11f1-9e5c-5e7b8c1a1b2c", segment: 0 },
        { uuid: "4a2b6cc2-e8fb-11f1-8f1d-6f8c9d2b2c3d", segment: 0 },
        { uuid: "5b3c7dd3-e8fb-11f1-a02e-7a9dae3c3d4e", segment: 0 },
      ],
    });
  });

  void it("reads a view whose id is another member's, with segments", () => {
    const state = parseGvwstate(viewOfAnotherNodeInSegment1);
    assert.notEqual(state, "empty");
    if (state === "empty") return;
    assert.equal(state.myUuid, "d3124bc8-1605-11e4-aa3d-ab44303c044a");
    assert.deepEqual(state.viewId, { type: 3, uuid: "0dae1307-1606-11e4-aa94-5255b1455aa0", seq: 12 });
    assert.deepEqual(
      state.members.map((m) => m.segment),
      [1, 1, 1],
    );
  });

  void it("reads bootstrap: 1 and a trailing space after view_id (seen in Percona's docs)", () => {
    const text = threeNodesAfterKill9.replace("bootstrap: 0", "bootstrap: 1").replace(" 3\n", " 3 \n");
    const state = parseGvwstate(text);
    assert.ok(state !== "empty" && state.bootstrap && state.viewId.seq === 3);
  });

  void it('answers "empty" for the zero-length crash leftover', () => {
    assert.equal(parseGvwstate(""), "empty");
    assert.equal(parseGvwstate("  \n\n"), "empty");
  });

  void it("refuses NUL bytes", () => {
    assert.throws(() => parseGvwstate("\0".repeat(64)), {
      message: "gvwstate.dat contains NUL bytes: a torn write",
    });
  });

  void it("refuses a file without my_uuid, a complete view, a view_id or members", () => {
    const cases: [string, string][] = [
      [threeNodesAfterKill9.replace(/^my_uuid.*\n/, ""), "gvwstate.dat has no my_uuid line"],
      [threeNodesAfterKill9.replace("#vwend\n", ""), "gvwstate.dat has no complete #vwbeg…#vwend view"],
      ["my_uuid: 3e1f5ab1-e8fb-11f1-9e5c-5e7b8c1a1b2c\n", "gvwstate.dat has no complete #vwbeg…#vwend view"],
      [threeNodesAfterKill9.replace(/^view_id.*\n/m, ""), "gvwstate.dat has no view_id line"],
      [threeNodesAfterKill9.replace(/^member.*\n/gm, ""), "gvwstate.dat has no member lines"],
    ];
    for (const [text, message] of cases) assert.throws(() => parseGvwstate(text), { message });
  });

  void it("refuses malformed fields", () => {
    const cases: [string, string, string][] = [
      [
        "my_uuid: 3e1f5ab1-e8fb-11f1-9e5c-5e7b8c1a1b2c",
        "my_uuid: nope",
        'gvwstate.dat has a malformed my_uuid: "nope"',
      ],
      ["view_id: 3 3e1f5ab1", "view_id: 3", "gvwstate.dat has a malformed view_id: "],
      [
        "-5e7b8c1a1b2c 3\n",
        "-5e7b8c1a1b2c x\n",
        'gvwstate.dat has a malformed view_id: "3 3e1f5ab1-e8fb-11f1-9e5c-5e7b8c1a1b2c x"',
      ],
      ["bootstrap: 0", "bootstrap: 2", 'gvwstate.dat has a malformed bootstrap: "2"'],
      [
        "-7a9dae3c3d4e 0",
        "-7a9dae3c3d4e",
        'gvwstate.dat has a malformed member: "5b3c7dd3-e8fb-11f1-a02e-7a9dae3c3d4e"',
      ],
      [
        "-7a9dae3c3d4e 0",
        "-7a9dae3c3d4e -1",
        'gvwstate.dat has a malformed member: "5b3c7dd3-e8fb-11f1-a02e-7a9dae3c3d4e -1"',
      ],
    ];
    for (const [from, to, message] of cases) {
      assert.throws(
        () => parseGvwstate(threeNodesAfterKill9.replace(from, to)),
        (error: Error) => error.message.startsWith(message),
      );
    }
  });

  void it("refuses repeated or misplaced lines", () => {
    const twice = threeNodesAfterKill9.replace("bootstrap: 0\n", "bootstrap: 0\nbootstrap: 0\n");
    assert.throws(() => parseGvwstate(twice), {
      message: "gvwstate.dat has bootstrap: out of place or twice",
    });
    const memberTwice = threeNodesAfterKill9.replace(
      "#vwend",
      "member: 3e1f5ab1-e8fb-11f1-9e5c-5e7b8c1a1b2c 0\n#vwend",
    );
    assert.throws(() => parseGvwstate(memberTwice), {
      message: "gvwstate.dat lists member 3e1f5ab1-e8fb-11f1-9e5c-5e7b8c1a1b2c twice",
    });
    const memberOutside = threeNodesAfterKill9 + "member: 3e1f5ab1-e8fb-11f1-9e5c-5e7b8c1a1b2c 0\n";
    assert.throws(() => parseGvwstate(memberOutside), {
      message: "gvwstate.dat has member: out of place or twice",
    });
  });

  void it("ignores lines it does not know, as Galera does", () => {
    const state = parseGvwstate(
      threeNodesAfterKill9.replace("bootstrap: 0\n", "bootstrap: 0\nsomething_new: 7\n"),
    );
    assert.ok(state !== "empty" && state.members.length === 3);
  });
});
