// The clock of the recovery turns, from the agent's options: how old a peer's report may be,
// how often the peers are asked, and how long an intent settles (recovery-decision.ts).
import { intentSettleMs } from "./recovery-decision.js";

/**
 * While it decides, the agent asks its peers and decides again this often (at most the
 * sampling interval). After a total outage every round between the last peer's first answer
 * and the bootstrap is on the critical path (the bootstrapper's intent settles for one round);
 * a round is one small authenticated GET to each peer.
 */
export const decisionPollMs = 50;

export interface DecisionTiming {
  /** A peer's report older than this is ignored: three polls missed, plus a fetch timeout. */
  reportTtlMs: number;
  /** How often the peers are asked while deciding. */
  decisionIntervalMs: number;
  /** How long a bootstrap intent stands before the announcer acts. */
  intentSettleMs: number;
}

export function decisionTiming(
  options: { sampleIntervalMs: number; mode: "seed" | "node"; forceBootstrapAfterMs: number | null },
  fresh: boolean,
): DecisionTiming {
  const reportTtlMs = 3 * options.sampleIntervalMs + 1000;
  const decisionIntervalMs = Math.min(decisionPollMs, options.sampleIntervalMs);
  return {
    reportTtlMs,
    decisionIntervalMs,
    intentSettleMs: intentSettleMs({
      mode: options.mode,
      forceConfigured: options.forceBootstrapAfterMs !== null,
      fresh,
      reportTtlMs,
      intervalMs: options.sampleIntervalMs,
      decisionIntervalMs,
    }),
  };
}
