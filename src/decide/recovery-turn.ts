/**
 * One recovery turn: the agent's whole step while it is outside a primary component, stopped
 * (deciding how to start mariadbd) or running (deciding in place). From the record it keeps
 * and one frozen snapshot, it returns the decision, the record to keep, and the line to log:
 * the decision's reason when it changed, or again after a while so that a long wait stays
 * visible in the log. Pure: the agent does the I/O the decision asks for.
 */
import { decideRecovery, keepsBootstrapIntent, type RecoveryDecision } from "./recovery-decision.js";
import type { RecoveryFacts } from "./recovery-facts.js";

/** A decision unchanged this long is logged again. */
export const repeatDecisionAfterMs = 30_000;

/**
 * This node's bootstrap intent, as published in its peer report. `whileRunning`: announced by
 * a turn with mariadbd running outside a primary (decided in place), as opposed to one
 * announced before a start, which stands until the node is primary: while mariadbd starts
 * no sample answers, and withdrawing it then would let another node claim beside a
 * bootstrap under way.
 */
export interface BootstrapIntent {
  at: number;
  whileRunning: boolean;
}

export interface TurnRecord {
  /** The last decision and when it was taken. */
  decision: { action: RecoveryDecision["action"]; reason: string; at: number } | null;
  intent: BootstrapIntent | null;
  /** When a decision line was last logged. */
  loggedAt: number | null;
}

export const freshTurnRecord: TurnRecord = { decision: null, intent: null, loggedAt: null };

export interface TurnSnapshot {
  facts: RecoveryFacts;
  /** Where mariadbd is: stopped, or running outside any primary component. */
  server: "stopped" | "running-outside-primary";
}

export interface TurnResult {
  decision: RecoveryDecision;
  record: TurnRecord;
  /** The line to log, or null: the same decision was logged less than 30 s ago. */
  log: string | null;
  /** The decision's reason differs from the last one's. */
  changed: boolean;
}

/**
 * The intent after a decision (rule S3 of docs/recovery.md): from its first announcement for
 * as long as the decisions name this node; a yielded intent is gone, except one announced
 * before this start of mariadbd, which only a primary component ends.
 */
export function intentAfterTurn(
  intent: BootstrapIntent | null,
  decision: RecoveryDecision,
  snapshot: TurnSnapshot,
): BootstrapIntent | null {
  const running = snapshot.server === "running-outside-primary";
  // Kept from its first announcement; a turn in place makes it this run's to withdraw.
  if (keepsBootstrapIntent(decision, snapshot.facts.self.name)) {
    return { at: intent?.at ?? snapshot.facts.now, whileRunning: running };
  }
  return running ? withdrawnInPlace(intent) : null;
}

/**
 * The intent once this node no longer decides in place (it is primary again, or its stay
 * outside one is too short to act on): only one announced in place is withdrawn.
 */
export function withdrawnInPlace(intent: BootstrapIntent | null): BootstrapIntent | null {
  return intent?.whileRunning ? null : intent;
}

/** A new wait for a start of mariadbd begins: its first decision is logged. */
export function beginWait(record: TurnRecord): TurnRecord {
  return { ...record, loggedAt: null };
}

/**
 * mariadbd was started: the first decision of this run's stay outside a primary is logged,
 * and an intent standing now was announced before this start (it stands until the node is
 * primary: the bootstrap it started may be under way), whatever the last run did.
 */
export function runStarted(record: TurnRecord): TurnRecord {
  return { ...record, loggedAt: null, intent: record.intent && { ...record.intent, whileRunning: false } };
}

/** One turn: decide, keep the intent, say what changed. */
export function recoveryTurn(record: TurnRecord, snapshot: TurnSnapshot): TurnResult {
  const now = snapshot.facts.now;
  const decision = decideRecovery({ ...snapshot.facts, self: withIntent(snapshot, record.intent) });
  const changed = record.decision?.reason !== decision.reason;
  const due = changed || record.loggedAt === null || now - record.loggedAt > repeatDecisionAfterMs;
  return {
    decision,
    changed,
    log: due ? `decision: ${decision.action}: ${decision.reason}` : null,
    record: {
      decision: changed ? { action: decision.action, reason: decision.reason, at: now } : record.decision,
      intent: intentAfterTurn(record.intent, decision, snapshot),
      loggedAt: due ? now : record.loggedAt,
    },
  };
}

/** This node's own report carries the intent it holds as the turn begins. */
function withIntent(snapshot: TurnSnapshot, intent: BootstrapIntent | null): RecoveryFacts["self"] {
  return { ...snapshot.facts.self, bootstrapIntentAt: intent?.at ?? null };
}
