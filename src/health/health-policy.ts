import type { Phase } from "../model/phase.js";

/** Operator choices for the seed's `/` check, as in galera-healthcheck and clustercheck. */
export interface HealthOptions {
  /** A Donor answers 200 on `/` and `/ready` (default true, as galera-healthcheck). */
  availableWhenDonor: boolean;
  /** A read-only node answers 200 (default false: "synced and writable"). */
  availableWhenReadOnly: boolean;
  /** What `/` answers while the node has not been synced since it started: 100 (the seed's) or 503. */
  syncingCode: 100 | 503;
}

export const defaultHealthOptions: HealthOptions = {
  availableWhenDonor: true,
  availableWhenReadOnly: false,
  syncingCode: 100,
};

export interface HealthFacts {
  phase: Phase;
  readOnly: boolean | null;
  /** This node is the cluster's single writer (see writer-election.ts). */
  writer: boolean;
}

export interface HealthAnswers {
  root: 200 | 100 | 503;
  ready: 200 | 503;
  live: 200 | 503;
  writer: 200 | 503;
}

/**
 * Every health answer from one computation (the table in docs/http-api.md):
 *
 * | path    | 200                                                          | 100                          | 503       |
 * |---------|--------------------------------------------------------------|------------------------------|-----------|
 * | /       | Primary, Synced (or Donor when allowed), writable (or allowed)| not synced since it started  | otherwise |
 * | /ready  | same as / 200                                                | —                            | otherwise |
 * | /live   | the agent works (it answers), whatever mariadbd does         | —                            | never: a wedged agent does not answer |
 * | /writer | the single writer: Synced (never Donor) and writable           | —                            | otherwise |
 *
 * "Not synced since it started" covers preparing, waiting for peers, starting, joining by
 * IST or SST: the 2015 check answered 503 there (the joiner refuses SQL during SST), and
 * Marathon killed long SSTs. Draining answers 503 everywhere but /live.
 */
export function healthAnswers(facts: HealthFacts, options: HealthOptions): HealthAnswers {
  const writable = facts.readOnly === false || (facts.readOnly === true && options.availableWhenReadOnly);
  const available =
    (facts.phase === "synced" || (facts.phase === "donor" && options.availableWhenDonor)) && writable;
  const syncing = facts.phase === "preparing" || facts.phase === "waiting" || facts.phase === "starting";
  return {
    root: available ? 200 : syncing ? options.syncingCode : 503,
    ready: available ? 200 : 503,
    live: 200,
    // Never a donor or any node that is not Synced, whatever the donor option says.
    writer: facts.phase === "synced" && writable && facts.writer ? 200 : 503,
  };
}
