// The situations the recovery rules are tested on (recovery-decision*.test.ts): node reports as
// the agents send them, and the facts one node decides on. Not a test file itself.
import { ZERO_UUID } from "../../../src/model/galera-state.js";
import type { NodeReport } from "../../../src/model/peer-report.js";
import type { RecoveryFacts } from "../../../src/decide/recovery-facts.js";
import { decideRecovery, type RecoveryDecision } from "../../../src/decide/recovery-decision.js";

/** Cluster state UUIDs; A sorts before B, B before C. */
export const A = "2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e";
export const B = "7f1c0d2e-0a4b-11f1-8000-0242ac120002";
export const C = "c0ffee00-0a4b-11f1-8000-0242ac120003";
/** gcomm UUIDs (gvwstate.dat my_uuid) of n1 … n4 (n4: a node that never came back). */
export const G1 = "3e1f5ab1-e8fb-11f1-9e5c-5e7b8c1a1b01";
export const G2 = "3e1f5ab1-e8fb-11f1-9e5c-5e7b8c1a1b02";
export const G3 = "3e1f5ab1-e8fb-11f1-9e5c-5e7b8c1a1b03";
export const G4 = "3e1f5ab1-e8fb-11f1-9e5c-5e7b8c1a1b04";
export const NOW = 10_000_000;
export const SETTLE = 15_000;

/** A node with data of cluster A, as after a clean shutdown (no gvwstate.dat), reported just now. */
export function node(name: string, seqno: number, more: Partial<NodeReport> = {}): NodeReport {
  return {
    name,
    inPrimary: false,
    primaryUuid: null,
    position: { uuid: A, seqno },
    safeToBootstrap: false,
    fresh: false,
    lastPrimaryView: null,
    bootstrapIntentAt: null,
    reportedAt: NOW - 1000,
    ...more,
  };
}

/** A brand-new node: empty datadir, nothing recovered. */
export function empty(name: string, more: Partial<NodeReport> = {}): NodeReport {
  return node(name, -1, { position: { uuid: ZERO_UUID, seqno: -1 }, fresh: true, ...more });
}

/** A node killed with -9 while in the primary `members` (n1, n2, n3 by default): recovered position, gvwstate.dat kept. */
export function crashed(name: string, seqno: number, myUuid: string, members = [G1, G2, G3]): NodeReport {
  return node(name, seqno, { lastPrimaryView: { myUuid, members } });
}

/** The facts `self` decides on, seeing `peers`; expected defaults to n1, n2, n3. */
export function facts(
  self: NodeReport,
  peers: NodeReport[],
  more: Partial<RecoveryFacts> = {},
): RecoveryFacts {
  return {
    self: { ...self, reportedAt: NOW },
    peers,
    expected: ["n1", "n2", "n3"],
    mode: "node",
    now: NOW,
    waitingSince: NOW - 20_000,
    forceBootstrapAfterMs: null,
    reportTtlMs: 6000,
    intentSettleMs: SETTLE,
    ...more,
  };
}

/** Every node of a situation, each deciding on the others' reports. */
export function decideEach(
  nodes: NodeReport[],
  more: Partial<RecoveryFacts> = {},
): Record<string, RecoveryDecision> {
  return Object.fromEntries(
    nodes.map((self) => [
      self.name,
      decideRecovery(
        facts(
          self,
          nodes.filter((peer) => peer !== self),
          more,
        ),
      ),
    ]),
  );
}
