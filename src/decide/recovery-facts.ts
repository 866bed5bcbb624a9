/**
 * The facts one recovery decision is made on (src/decide/recovery-decision.ts): one frozen
 * snapshot per turn — this node's own files, the reports its authenticated peers sent, the
 * configuration and the time — gathered by the agent and never changed by the decision.
 */
import type { NodeReport } from "../model/peer-report.js";

export interface RecoveryFacts {
  self: NodeReport;
  /** Reports from peers that authenticated; unauthenticated ones never reach here. Keyed by name. */
  peers: readonly NodeReport[];
  /** Every node expected by configuration (names), self included — e.g. from discovery or the static host list. */
  expected: readonly string[];
  mode: "seed" | "node";
  now: number;
  /** When this node started waiting (ms); with forceBootstrapAfterMs gives the data-loss override deadline. */
  waitingSince: number;
  /** GALERA_PILOT_FORCE_BOOTSTRAP_AFTER in ms, or null (never force). */
  forceBootstrapAfterMs: number | null;
  /** A peer report older than this is treated as absent (stale). */
  reportTtlMs: number;
  /**
   * How long an announced intent must stand unchallenged before the announcer bootstraps.
   * It must exceed twice the oldest report a node may act on (reportTtlMs) plus one decision
   * interval: then two nodes that announce at about the same time see each other's intent
   * before either one's has settled, and the lower-ranked one yields.
   */
  intentSettleMs: number;
}
