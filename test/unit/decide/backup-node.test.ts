import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { chooseBackupNode, type BackupCandidate } from "../../../src/decide/backup-node.js";
import type { Phase } from "../../../src/model/phase.js";

/** A member's report: synced since `since` (an hour of the day), eligible as writer alike. */
function member(node: string, more: Partial<BackupCandidate> & { since?: string } = {}): BackupCandidate {
  const { since = "18:00", ...rest } = more;
  const syncedSince = `2026-12-06T${since}:00.000Z`;
  const synced = (rest.phase ?? "synced") === "synced";
  return {
    node,
    phase: "synced",
    writer: false,
    syncedSince: synced ? syncedSince : null,
    writerEligibleSince: synced ? syncedSince : null,
    ...rest,
  };
}

const writer = (node: string, since = "09:00") => member(node, { writer: true, since });

describe("chooseBackupNode: the automatic choice", () => {
  it("takes the member synced the longest among those that are not the writer", () => {
    assert.deepEqual(
      chooseBackupNode([writer("n1"), member("n2", { since: "20:40" }), member("n3", { since: "20:14" })]),
      {
        node: "n3",
        reason:
          "backing up on n3: of the synced members that are not the writer (n3 and n2), the one synced the longest; n1 and n2 stay synced while n3 is desynced for the backup",
      },
    );
  });

  it("breaks a tie by the first name, in code-unit order, and says so", () => {
    const reports = [member("n3"), member("n10"), writer("n1"), member("n2")];
    assert.deepEqual(chooseBackupNode(reports), {
      node: "n10",
      reason:
        "backing up on n10: of the synced members that are not the writer (n10, n2 and n3), the one synced the longest (n10 and n2 synced at the same time: the first by name); n1, n2 and n3 stay synced while n10 is desynced for the backup",
    });
  });

  it("takes the one synced member that is not the writer, leaving donors and joiners alone", () => {
    const reports = [
      writer("n1"),
      member("n2", { phase: "donor" }),
      member("n3", { since: "21:00" }),
      member("n4", { phase: "starting" }),
    ];
    assert.deepEqual(chooseBackupNode(reports), {
      node: "n3",
      reason:
        "backing up on n3: the one synced member that is not the writer; n1 stays synced while n3 is desynced for the backup",
    });
  });

  it("counts a synced member whose time is missing or unreadable as synced the most recently", () => {
    const reports = [
      writer("n1"),
      member("n2", { syncedSince: null }),
      member("n3", { since: "23:59" }),
      member("n4", { syncedSince: "soon" }),
    ];
    assert.equal((chooseBackupNode(reports) as { node: string }).node, "n3");
    assert.equal(
      (
        chooseBackupNode([
          writer("n1"),
          member("n2", { syncedSince: "soon" }),
          member("n3", { syncedSince: null }),
        ]) as { node: string }
      ).node,
      "n2",
    );
  });

  it("chooses in a cluster without a writer, when no member may be one (all read-only)", () => {
    const reports = [
      member("n1", { writerEligibleSince: null }),
      member("n2", { since: "17:00", writerEligibleSince: null }),
    ];
    assert.deepEqual(chooseBackupNode(reports), {
      node: "n2",
      reason:
        "backing up on n2: of the synced members that are not the writer (n2 and n1), the one synced the longest; n1 stays synced while n2 is desynced for the backup",
    });
  });

  it("refuses when no member is synced, naming each one's phase", () => {
    assert.deepEqual(
      chooseBackupNode([member("n2", { phase: "server-down" }), member("n1", { phase: "starting" })]),
      {
        refuse:
          "no backup is taken: no member is synced (n1 starting, n2 server-down), and a backup is read only from a synced member; nothing was changed; try again once the cluster is synced",
      },
    );
    assert.deepEqual(chooseBackupNode([]), {
      refuse:
        "no backup is taken: no member is synced (no member answered), and a backup is read only from a synced member; nothing was changed; try again once the cluster is synced",
    });
  });

  it("refuses to desync the last synced member, writer or not", () => {
    const refusal = {
      refuse:
        "no backup is taken: n1 is the only synced member, and the backup would desync it, leaving the cluster without a synced member; nothing was changed; try again once another member is synced",
    };
    assert.deepEqual(
      chooseBackupNode([writer("n1"), member("n2", { phase: "donor" }), member("n3", { phase: "starting" })]),
      refusal,
    );
    assert.deepEqual(chooseBackupNode([member("n1")]), refusal);
  });

  it("refuses while the writer is being elected: none claims it, yet some may be", () => {
    const reports = [
      member("n1"),
      member("n2"),
      member("n3", { writerEligibleSince: null }),
      member("n4", { phase: "starting" }),
    ];
    assert.deepEqual(chooseBackupNode(reports), {
      refuse:
        "no backup is taken: no member says it is the writer while n1 and n2 may be elected, as for a moment after a change, and the backup could desync the writer-to-be; nothing was changed; try again in a few seconds",
    });
  });

  it("refuses when every synced member says it is the writer (reports a moment apart)", () => {
    assert.deepEqual(chooseBackupNode([writer("n2"), writer("n1"), member("n3", { phase: "donor" })]), {
      refuse:
        "no backup is taken: every synced member (n1 and n2) says it is the writer, as reports taken a moment apart can after a change, and a backup never desyncs the writer; nothing was changed; try again in a few seconds",
    });
  });

  it("never takes the writer by itself, even when allowed (only a named node may be)", () => {
    const choice = chooseBackupNode([writer("n1", "08:00"), member("n2", { since: "12:00" })], {
      allowWriter: true,
    });
    assert.equal((choice as { node: string }).node, "n2");
  });
});

describe("chooseBackupNode: a node named with --node", () => {
  const cluster = [
    writer("n1"),
    member("n2", { since: "20:40" }),
    member("n3", { since: "20:14" }),
    member("n4", { phase: "donor" }),
  ];

  it("overrides the preference: the member named takes it", () => {
    assert.deepEqual(chooseBackupNode(cluster, { node: "n2" }), {
      node: "n2",
      reason: "backing up on n2, as named; n1 and n3 stay synced while n2 is desynced for the backup",
    });
  });

  it("refuses a name that no member answered as", () => {
    assert.deepEqual(chooseBackupNode(cluster, { node: "n9" }), {
      refuse:
        "no backup is taken: n9 is not among the members that answered (n1, n2, n3 and n4); nothing was changed; check the name, and that n9's agent answers",
    });
    assert.deepEqual(chooseBackupNode([], { node: "n9" }), {
      refuse:
        "no backup is taken: n9 is not among the members that answered (none); nothing was changed; check the name, and that n9's agent answers",
    });
  });

  it("refuses a member that is not synced: a donor, a joiner, one already desynced", () => {
    assert.deepEqual(chooseBackupNode(cluster, { node: "n4" }), {
      refuse:
        "no backup is taken on n4: it is donor, not synced, and a backup is read only from a synced member; nothing was changed; try again once n4 is synced, or name another member",
    });
    const desynced = chooseBackupNode([...cluster, member("n5", { phase: "desynced" })], {
      node: "n5",
      allowWriter: true,
    });
    assert.ok(
      "refuse" in desynced &&
        desynced.refuse.startsWith("no backup is taken on n5: it is desynced, not synced"),
    );
  });

  it("refuses the last synced member, even allowed to take the writer", () => {
    const reports = [writer("n1"), member("n2", { phase: "starting" })];
    assert.deepEqual(chooseBackupNode(reports, { node: "n1", allowWriter: true }), {
      refuse:
        "no backup is taken on n1: n1 is the only synced member, and the backup would desync it, leaving the cluster without a synced member; nothing was changed; try again once another member is synced",
    });
  });

  it("refuses the writer unless --allow-writer, and says what taking it there does", () => {
    assert.deepEqual(chooseBackupNode(cluster, { node: "n1" }), {
      refuse:
        "no backup is taken on n1: it is the writer, and desyncing it for the backup would move the writer role, and the clients' writes, to another member; nothing was changed; name another member, or add --allow-writer to take it there anyway",
    });
    assert.deepEqual(chooseBackupNode(cluster, { node: "n1", allowWriter: true }), {
      node: "n1",
      reason:
        "backing up on n1, as named, though it is the writer (--allow-writer): its role, and the clients' writes, move to another member; n2 and n3 stay synced while n1 is desynced for the backup",
    });
  });

  it("refuses while the writer is being elected, unless the writer is allowed anyway", () => {
    const electing = [member("n1"), member("n2"), member("n3", { since: "12:00" })];
    assert.deepEqual(chooseBackupNode(electing, { node: "n3" }), {
      refuse:
        "no backup is taken: no member says it is the writer while n1, n2 and n3 may be elected, as for a moment after a change, and the backup could desync the writer-to-be; nothing was changed; try again in a few seconds",
    });
    assert.deepEqual(chooseBackupNode(electing, { node: "n3", allowWriter: true }), {
      node: "n3",
      reason: "backing up on n3, as named; n1 and n2 stay synced while n3 is desynced for the backup",
    });
  });
});

describe("chooseBackupNode: properties", () => {
  const phases: Phase[] = [
    "synced",
    "synced",
    "synced",
    "donor",
    "starting",
    "desynced",
    "server-down",
    "draining",
  ];
  const time = fc.oneof(
    fc.constant(null),
    fc.integer({ min: 0, max: 5 }).map((h) => `2026-12-06T1${h}:00:00.000Z`),
  );
  const cluster = fc
    .array(
      fc.record({
        phase: fc.constantFrom(...phases),
        writer: fc.boolean(),
        syncedSince: time,
        writerEligibleSince: time,
      }),
      { maxLength: 6 },
    )
    .map((members) => members.map((m, i): BackupCandidate => ({ node: `n${i + 1}`, ...m })));
  const options = fc.record({
    node: fc.option(
      fc.integer({ min: 1, max: 7 }).map((i) => `n${i}`),
      { nil: undefined },
    ),
    allowWriter: fc.option(fc.boolean(), { nil: undefined }),
  });

  it("never chooses a member that is not synced, the writer unless named and allowed, or the last synced one", () => {
    fc.assert(
      fc.property(cluster, options, (reports, opts) => {
        const choice = chooseBackupNode(reports, opts);
        const synced = reports.filter((r) => r.phase === "synced");
        const electing = !synced.some((r) => r.writer) && synced.some((r) => r.writerEligibleSince !== null);
        if (opts.node !== undefined) {
          // Oracle for a named member, written out here.
          const named = reports.find((r) => r.node === opts.node);
          const allowed =
            named !== undefined &&
            named.phase === "synced" &&
            synced.length >= 2 &&
            (opts.allowWriter === true || (!named.writer && !electing));
          assert.deepEqual("node" in choice ? choice.node : null, allowed ? opts.node : null);
          return;
        }
        const candidates = synced.filter((r) => !r.writer);
        const allowed = synced.length >= 2 && !electing && candidates.length > 0;
        assert.equal("node" in choice, allowed);
        if (!("node" in choice)) return;
        const chosen = reports.find((r) => r.node === choice.node)!;
        assert.equal(chosen.phase, "synced");
        assert.equal(chosen.writer, false);
        assert.ok(
          synced.some((r) => r.node !== chosen.node),
          "another member stays synced",
        );
        // The one synced the longest (no time: the newest), ties to the first name.
        const at = (r: BackupCandidate) => (r.syncedSince === null ? Infinity : Date.parse(r.syncedSince));
        for (const other of candidates) {
          assert.ok(
            at(chosen) < at(other) || (at(chosen) === at(other) && chosen.node <= other.node),
            other.node,
          );
        }
      }),
    );
  });

  it("gives the same answer, sentence and all, whatever order the reports come in", () => {
    fc.assert(
      fc.property(
        cluster.chain((reports) =>
          fc.tuple(fc.constant(reports), fc.shuffledSubarray(reports, { minLength: reports.length })),
        ),
        options,
        ([reports, shuffled], opts) => {
          assert.deepEqual(chooseBackupNode(shuffled, opts), chooseBackupNode(reports, opts));
        },
      ),
    );
  });
});
