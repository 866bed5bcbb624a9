import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { chooseArchiver, type ArchiverCandidate } from "../../../src/decide/archiver-node.js";
import { phases } from "../../../src/model/phase.js";

const member = (node: string, phase: ArchiverCandidate["phase"], writer = false): ArchiverCandidate => ({
  node,
  phase,
  writer,
  archive: { able: true, archiving: false },
});

void describe("chooseArchiver", () => {
  void it("takes the first member by name that is not the writer", () => {
    assert.deepEqual(
      chooseArchiver([member("n3", "synced"), member("n1", "synced", true), member("n2", "synced")]),
      {
        node: "n2",
        reason:
          "archiving the binlog on n2: the first by name of the members applying transactions that are not the writer (n2, n3)",
      },
    );
  });

  void it("stays on the member archiving already, unless it became the writer", () => {
    const archiving = { archive: { able: true, archiving: true } };
    assert.deepEqual(
      chooseArchiver([
        member("n1", "synced", true),
        member("n2", "synced"),
        { ...member("n3", "synced"), ...archiving },
      ]),
      {
        node: "n3",
        reason:
          "archiving the binlog on n3: of the members applying transactions that are not the writer (n2, n3), the one archiving already",
      },
    );
    const writerArchiving = chooseArchiver([
      { ...member("n1", "synced", true), ...archiving },
      member("n2", "synced"),
    ]);
    assert.ok("node" in writerArchiving && writerArchiving.node === "n2");
    const downArchiving = chooseArchiver([
      member("n1", "synced", true),
      { ...member("n2", "server-down"), ...archiving },
      member("n3", "synced"),
    ]);
    assert.ok("node" in downArchiving && downArchiving.node === "n3");
  });

  void it("keeps archiving on a member that takes a backup, or serves a state transfer", () => {
    const choice = chooseArchiver([
      member("n1", "synced", true),
      member("n2", "backing-up"),
      member("n3", "donor"),
    ]);
    assert.ok("node" in choice && choice.node === "n2");
  });

  void it("moves to the next member when the archiving one leaves the primary component", () => {
    for (const phase of ["server-down", "non-primary", "starting", "stopping", "draining"] as const) {
      const choice = chooseArchiver([
        member("n1", "synced", true),
        member("n2", phase),
        member("n3", "synced"),
      ]);
      assert.deepEqual(
        choice,
        {
          node: "n3",
          reason: "archiving the binlog on n3: the one member applying transactions that is not the writer",
        },
        phase,
      );
    }
  });

  void it("archives on the writer when it is the only member applying transactions", () => {
    assert.deepEqual(chooseArchiver([member("n1", "synced", true), member("n2", "server-down")]), {
      node: "n1",
      reason:
        "archiving the binlog on n1: the writer, since no other member applies transactions (n2 server-down)",
    });
  });

  void it("never names a member whose agent does not archive (switched off, no destination, or an older agent)", () => {
    const off = { ...member("n2", "synced"), archive: { able: false, archiving: false } };
    const older = { node: "n3", phase: "synced" as const, writer: false };
    assert.deepEqual(chooseArchiver([member("n1", "synced", true), off, older]), {
      node: "n1",
      reason:
        "archiving the binlog on n1: the writer, since no other member applies transactions (n2 synced, not archiving, n3 synced, not archiving)",
    });
    assert.deepEqual(chooseArchiver([off, older]), {
      none: "no member archives the binlog: no member both applies transactions in the primary component and archives (n2 synced, not archiving, n3 synced, not archiving); archiving resumes from the last archived transaction once one is",
    });
  });

  void it("names no one when no member applies transactions, saying what each is doing", () => {
    assert.deepEqual(chooseArchiver([member("n2", "non-primary"), member("n1", "waiting")]), {
      none: "no member archives the binlog: no member both applies transactions in the primary component and archives (n1 waiting, n2 non-primary); archiving resumes from the last archived transaction once one is",
    });
    assert.match((chooseArchiver([]) as { none: string }).none, /\(no member answered\)/);
  });

  void it("gives every agent the same answer whatever order the reports came in, and names an able member", () => {
    const arbitraryMember = fc.record({
      node: fc.constantFrom("n1", "n2", "n3", "n4", "n5"),
      phase: fc.constantFrom(...phases),
      writer: fc.boolean(),
      archive: fc.option(fc.record({ archiving: fc.boolean(), able: fc.boolean() }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.uniqueArray(arbitraryMember, { selector: (m) => m.node, maxLength: 5 }), (reports) => {
        const choice = chooseArchiver(reports);
        assert.deepEqual(chooseArchiver([...reports].reverse()), choice);
        const able = reports.filter(
          (r) => ["synced", "desynced", "donor", "backing-up"].includes(r.phase) && r.archive?.able === true,
        );
        if (able.length === 0) return assert.ok("none" in choice);
        assert.ok("node" in choice);
        const chosen = reports.find((r) => r.node === choice.node)!;
        assert.ok(able.includes(chosen));
        if (able.some((r) => !r.writer)) assert.equal(chosen.writer, false);
      }),
    );
  });
});
