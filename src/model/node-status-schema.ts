/**
 * The schema of GET /status (NodeStatusReport, node-status.ts): src/peer-api/node-status-client.ts
 * checks every answer with it. `memberUuid`, `galeraAddress` and `archive` are absent from older agents;
 * fields of newer ones are kept, and so are a `phase`, `mode` or decision `action` this version
 * does not know (knownOrNewer: a rolling upgrade must not make newer agents look silent).
 */
import type * as v from "valibot";

import type { RecoveredPosition } from "./galera-state.js";
import type { ArchiveReport, DecisionRecord, NodeStatusReport, RecoveryAction } from "./node-status.js";
import type { Phase } from "./phase.js";
import {
  checkAnswer,
  flag,
  list,
  number,
  knownOrNewer,
  optional,
  orNull,
  record,
  text,
  wholeNumber,
  type Checked,
  type SameShape,
} from "./wire-check.js";

export const recoveredPositionSchema = record({ uuid: text(), seqno: wholeNumber(), gtid: orNull(text()) });

export const decisionRecordSchema = record({
  action: knownOrNewer<RecoveryAction>(),
  reason: text(),
  at: text(),
});

export const archiveReportSchema = record({
  able: flag(),
  archiving: flag(),
  reason: text(),
  archivedSeqno: orNull(wholeNumber()),
  waitingTransactions: wholeNumber(),
  waitingMs: number(),
  lastStoredAt: orNull(text()),
  segmentsStored: wholeNumber(),
  gaps: list(record({ first: wholeNumber(), last: wholeNumber() })),
  failure: orNull(text()),
});

export const nodeStatusSchema = record({
  node: text(),
  address: text(),
  mode: knownOrNewer<NodeStatusReport["mode"]>(),
  phase: knownOrNewer<Phase>(),
  pid: orNull(wholeNumber()),
  state: orNull(text()),
  clusterStatus: orNull(text()),
  clusterSize: orNull(wholeNumber()),
  clusterStateUuid: orNull(text()),
  seqno: orNull(wholeNumber()),
  readOnly: orNull(flag()),
  clusterConfId: orNull(wholeNumber()),
  incomingAddress: text(),
  members: list(text()),
  syncedSince: orNull(text()),
  writerEligibleSince: orNull(text()),
  ready: flag(),
  writer: flag(),
  recoveredPosition: orNull(recoveredPositionSchema),
  lastDecision: orNull(decisionRecordSchema),
  peers: list(text()),
  sampleAgeMs: number(),
  sampledAt: text(),
  answeredAt: text(),
  sampleError: orNull(text()),
  memberUuid: optional(orNull(text())),
  galeraAddress: optional(text()),
  archive: optional(archiveReportSchema),
  startedAt: text(),
  version: text(),
});

// The schemas and the types they check cannot drift apart: these lines stop compiling. (A
// Phase or RecoveryAction added to its type and not to the lists above fails the last one.)
export const recoveredPositionShapeMatches: SameShape<
  v.InferOutput<typeof recoveredPositionSchema>,
  RecoveredPosition
> = true;
export const decisionRecordShapeMatches: SameShape<
  v.InferOutput<typeof decisionRecordSchema>,
  DecisionRecord
> = true;
export const archiveReportShapeMatches: SameShape<
  v.InferOutput<typeof archiveReportSchema>,
  ArchiveReport
> = true;
export const nodeStatusShapeMatches: SameShape<
  v.InferOutput<typeof nodeStatusSchema>,
  NodeStatusReport
> = true;

/** An agent's /status answer checked: the report as sent (unknown fields kept), or what is wrong. */
export function checkNodeStatus(value: unknown): Checked<NodeStatusReport> {
  return checkAnswer(nodeStatusSchema, value, "a status");
}
