/**
 * The schema of the peer report (NodeReport, peer-report.ts) as a peer sends it on GET
 * /peer/state: src/peer-api/peer-state-client.ts checks every answer with it. Reports of older
 * agents lack `running` and `clusterName`; those of newer ones may carry more fields, kept.
 */
import type * as v from "valibot";

import type { Position } from "./galera-state.js";
import type { NodeReport } from "./peer-report.js";
import {
  checkAnswer,
  flag,
  list,
  number,
  optional,
  orNull,
  record,
  text,
  wholeNumber,
  type Checked,
  type SameShape,
} from "./wire-check.js";

export const positionSchema = record({ uuid: text(), seqno: wholeNumber() });

export const nodeReportSchema = record({
  name: text(),
  inPrimary: flag(),
  primaryUuid: orNull(text()),
  position: orNull(positionSchema),
  running: optional(flag()),
  safeToBootstrap: flag(),
  fresh: flag(),
  lastPrimaryView: orNull(record({ myUuid: text(), members: list(text()) })),
  bootstrapIntentAt: orNull(number()),
  reportedAt: number(),
  clusterName: optional(text()),
});

// The schemas and the types they check cannot drift apart: these two lines stop compiling.
export const positionShapeMatches: SameShape<v.InferOutput<typeof positionSchema>, Position> = true;
export const nodeReportShapeMatches: SameShape<v.InferOutput<typeof nodeReportSchema>, NodeReport> = true;

/** A peer's answer checked: the report as sent (unknown fields kept), or what is wrong with it. */
export function checkNodeReport(value: unknown): Checked<NodeReport> {
  return checkAnswer(nodeReportSchema, value, "a report");
}
