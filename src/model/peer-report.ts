/**
 * The peer report: what an agent says about itself on the peer API (GET /peer/state, signed
 * with the cluster secret; src/peer-api/peer-state-client.ts asks for it), and what the
 * recovery decision reads about each node, this one included (src/decide/recovery-facts.ts).
 */
import type { Position } from "./galera-state.js";

/** What one node says about itself (own node included), as received over the authenticated peer API. */
export interface NodeReport {
  /** Unique, stable node name (e.g. "n1"). */
  name: string;
  /** mariadbd runs and is in a primary component (wsrep_cluster_status=Primary). */
  inPrimary: boolean;
  /** The cluster state UUID of the primary it is in (when inPrimary). */
  primaryUuid: string | null;
  /**
   * Last committed position: the live one (wsrep_last_committed) while mariadbd runs in a
   * primary component or `running`; otherwise from grastate/--wsrep-recover; null = unknown.
   */
  position: Position | null;
  /**
   * mariadbd runs outside any primary component and its position is known exactly: it has
   * been synced since it started (position = wsrep_last_committed, which cannot move outside
   * a primary), or it started to await pc.recovery and has not been in a primary since
   * (position = the recovered one). Its `lastPrimaryView` is gvwstate.dat as it is now when
   * it has been synced, the view it started with (the one Galera restores) otherwise. Such a
   * node takes part in Galera's pc.recovery as it is, and is bootstrapped in place
   * (pc.bootstrap=YES), never restarted, when it is the one chosen. Absent from agents that
   * predate it: false.
   */
  running?: boolean;
  /** grastate.dat's safe_to_bootstrap flag. */
  safeToBootstrap: boolean;
  /** The datadir was empty before this start (a brand-new node). */
  fresh: boolean;
  /** gvwstate.dat: this node's own Galera UUID and the member UUIDs of the last primary view; null = absent/empty. */
  lastPrimaryView: { myUuid: string; members: string[] } | null;
  /** This node announced it will bootstrap (published intent), with the time it announced. */
  bootstrapIntentAt: number | null;
  /** ms, when this report was received. */
  reportedAt: number;
  /** The node's wsrep_cluster_name (agents before this field did not send it). */
  clusterName?: string;
}
