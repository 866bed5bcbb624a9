/** The status of one node of the local cluster, in `status --json`'s shape (docs/local-cluster.md). */
export interface LocalNodeStatus {
  name: string;
  address: string;
  healthUrl: string;
  socket: string;
  pid: number | null;
  phase: string;
  state: string | null;
  clusterStatus: string | null;
  clusterSize: number | null;
  seqno: number | null;
  writer: boolean;
  agentPid: number | null;
  restarts: number;
  lastDecision: string | null;
  /** Its binlog archive line (decide/archive-summary.ts archiveLine), null when it has none. */
  archive: string | null;
}
