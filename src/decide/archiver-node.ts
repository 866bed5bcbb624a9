/**
 * The member whose agent archives the cluster's binlog (docs/point-in-time.md), from the
 * members' /status reports. Pure: every agent computes it from the reports it holds, and the
 * one it names archives; the others do not.
 *
 * - A member can archive while its server is in the primary component and applies the
 *   cluster's transactions: synced, desynced, donor, or backing up (a backup desyncs its node
 *   but the node still commits, and binlogs, every transaction); and while its agent says it
 *   archives when named (a destination set, GALERA_PILOT_ARCHIVE not "no"; an agent that says
 *   nothing, older or not heard from, is never named: it would archive nothing).
 * - Not the writer, when another member can: the writer serves the clients, and a session on
 *   it with `sql_log_bin=0` leaves a hole in its binlog only (its transaction is still
 *   replicated, and binlogged by the others).
 * - Then the member that says it archives already, if one of those does: a handover is a
 *   moment with two archivers (below), so the archive stays where it is while it may.
 * - Then the first name in code-unit order: the choice moves only when the members or the
 *   writer change, not with each backup or restart of another member.
 *
 * Two agents may, for a moment, both think they archive (reports a moment apart disagree):
 * the archive then holds some transactions twice, under the same sequence numbers, which the
 * coverage and the restore count once (archive-coverage.ts). No transaction is lost that way;
 * one would be if no agent archived, so the rule never waits for agreement.
 */
import type { NodeStatusReport } from "../model/node-status.js";
import type { Phase } from "../model/phase.js";

export type ArchiverCandidate = Pick<NodeStatusReport, "node" | "phase" | "writer"> & {
  archive?: Pick<NonNullable<NodeStatusReport["archive"]>, "archiving" | "able"> | undefined;
};

export type ArchiverChoice = { node: string; reason: string } | { none: string };

const ARCHIVING_PHASES: ReadonlySet<Phase> = new Set(["synced", "desynced", "donor", "backing-up"]);

export function chooseArchiver(reports: readonly ArchiverCandidate[]): ArchiverChoice {
  const members = [...reports].sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  const able = members.filter((r) => ARCHIVING_PHASES.has(r.phase) && r.archive?.able === true);
  if (able.length === 0) {
    const states =
      members
        .map((r) => `${r.node} ${r.archive?.able === true ? r.phase : `${r.phase}, not archiving`}`)
        .join(", ") || "no member answered";
    return {
      none: `no member archives the binlog: no member both applies transactions in the primary component and archives (${states}); archiving resumes from the last archived transaction once one is`,
    };
  }
  const notWriter = able.filter((r) => !r.writer);
  const candidates = notWriter.length > 0 ? notWriter : able;
  const already = candidates.find((r) => r.archive?.archiving === true);
  const chosen = already ?? candidates[0]!;
  const why =
    notWriter.length === 0
      ? `the writer, since no other member applies transactions (${names(members, able)})`
      : notWriter.length === 1
        ? "the one member applying transactions that is not the writer"
        : already !== undefined
          ? `of the members applying transactions that are not the writer (${notWriter.map((r) => r.node).join(", ")}), the one archiving already`
          : `the first by name of the members applying transactions that are not the writer (${notWriter.map((r) => r.node).join(", ")})`;
  return { node: chosen.node, reason: `archiving the binlog on ${chosen.node}: ${why}` };
}

function names(members: readonly ArchiverCandidate[], able: readonly ArchiverCandidate[]): string {
  return (
    members
      .filter((r) => !able.includes(r))
      .map((r) => `${r.node} ${r.archive?.able === true ? r.phase : `${r.phase}, not archiving`}`)
      .join(", ") || "it is the only member"
  );
}
