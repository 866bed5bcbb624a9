import type { RecoveredPosition } from "./galera-state.js";
import type { Phase } from "./phase.js";

/** What a recovery decision says to do (src/decide/recovery-decision.ts decides it). */
export type RecoveryAction =
  | "join"
  | "await-pc-recovery"
  | "announce-bootstrap"
  | "bootstrap"
  | "bootstrap-in-place"
  | "bootstrap-new-cluster"
  | "wait"
  | "refuse";

/** The last recovery decision, as /status shows it. */
export interface DecisionRecord {
  action: RecoveryAction;
  /** One sentence a person can read, present tense; the agent logs it verbatim and shows it in /status. */
  reason: string;
  /** ISO time the decision was taken. */
  at: string;
}

/** The JSON of GET /status (documented in docs/http-api.md; fields are added, never renamed). */
export interface NodeStatusReport {
  node: string;
  address: string;
  mode: "seed" | "node";
  phase: Phase;
  /** mariadbd's pid while it runs. */
  pid: number | null;
  state: string | null;
  clusterStatus: string | null;
  clusterSize: number | null;
  clusterStateUuid: string | null;
  seqno: number | null;
  readOnly: boolean | null;
  /** The view this node is in (wsrep_cluster_conf_id). */
  clusterConfId: number | null;
  /** This node's SQL address as Galera lists it in wsrep_incoming_addresses. */
  incomingAddress: string;
  /** The members of the current view (their SQL addresses). */
  members: string[];
  /** When the node last became Synced (ISO time), null while not Synced. */
  syncedSince: string | null;
  /**
   * When the node last became eligible to be the single writer (Synced, Primary, ready; ISO
   * time), null while it is not. The writer is the member eligible the longest.
   */
  writerEligibleSince: string | null;
  /** /ready answers 200. */
  ready: boolean;
  /** This node is the cluster's single writer: /writer answers 200. */
  writer: boolean;
  recoveredPosition: RecoveredPosition | null;
  lastDecision: DecisionRecord | null;
  peers: string[];
  /** Age of the sample these values come from, in milliseconds. */
  sampleAgeMs: number;
  /** When that sample was taken (ISO time). */
  sampledAt: string;
  /**
   * When this answer was computed (ISO time). A node not writer-eligible in this answer can
   * only become eligible later: the writer election of its peers relies on it.
   */
  answeredAt: string;
  sampleError: string | null;
  /**
   * This mariadbd's member UUID in the group (wsrep_gcomm_uuid), new with each process: what
   * a peer names to evict it once it is dead (see docs/http-api.md). Absent from older agents.
   */
  memberUuid?: string | null;
  /** Where this mariadbd listens for Galera ("host:port"); absent from older agents. */
  galeraAddress?: string;
  /** This node's binlog archiver (docs/point-in-time.md); absent from older agents. */
  archive?: ArchiveReport;
  startedAt: string;
  version: string;
}

/** What a node's agent says of the binlog archive: whether it archives now, and how it goes. */
export interface ArchiveReport {
  /** This node's agent archives when the rules name its node: a destination set, GALERA_PILOT_ARCHIVE not "no". */
  able: boolean;
  /** This node's agent archives the cluster's binlog now. */
  archiving: boolean;
  /** Why this node does or does not archive (decide/archiver-node.ts), or why there is no archive. */
  reason: string;
  /** The last sequence number of the cluster's domain stored, while archiving. */
  archivedSeqno: number | null;
  /** Transactions read and not stored yet, and how long the oldest has waited (ms). */
  waitingTransactions: number;
  waitingMs: number;
  /** When a segment was last stored (ISO time). */
  lastStoredAt: string | null;
  segmentsStored: number;
  /** Transactions this node's archiver found no binlog here held (a gap in the archive). */
  gaps: { first: number; last: number }[];
  /** The archiver's last failure, while it lasts. */
  failure: string | null;
}
