import type { Fault } from "./fault-schedule.js";
import type { Endpoint } from "./workloads.js";

/** Where verify runs its workloads and checks, and how it injects faults: the local cluster or a user's. */
export interface VerifyCluster {
  /** The router's writer endpoint: the workloads write through it, as an application does. */
  writer: Endpoint;
  /** The router's reader endpoint, for the bank's reads of its total; null: none. */
  reader: Endpoint | null;
  /** Every node, with its SQL endpoint for the final direct reads. */
  nodes(): Promise<{ name: string; endpoint: Endpoint }[]>;
  /** Every node synced in one primary component of the full size, and a writer: ready for the next fault. */
  health(): Promise<{ healthy: boolean; writer: string | null; detail: string }>;
  /** Injects the fault and heals it (a pause ends, a partition is lifted) before it returns. */
  inject(fault: Fault): Promise<void>;
  /** Work before the run (e.g. removing rules a killed run left behind); lines to log. */
  prepare(): Promise<string[]>;
}
