/** One reading of a node's Galera state, taken by the sampler over a kept connection. */
export interface WsrepSample {
  /** When the reading was taken (ms since the epoch). */
  takenAt: number;
  /** null when the server answered; otherwise why it could not be read. */
  error: string | null;
  localState: number | null;
  localStateComment: string | null;
  clusterStatus: string | null;
  clusterSize: number | null;
  clusterStateUuid: string | null;
  /** This node's own state UUID (wsrep_local_state_uuid): still its data's cluster outside a primary component. */
  localStateUuid: string | null;
  clusterConfId: number | null;
  localIndex: number | null;
  ready: boolean | null;
  connected: boolean | null;
  lastCommitted: number | null;
  readOnly: boolean | null;
  flowControlPaused: number | null;
  localRecvQueue: number | null;
  incomingAddresses: string[];
  /** This mariadbd's member UUID in the group (wsrep_gcomm_uuid): new with each process. */
  memberUuid: string | null;
}

export const unreachableSample = (takenAt: number, error: string): WsrepSample => ({
  takenAt,
  error,
  localState: null,
  localStateComment: null,
  clusterStatus: null,
  clusterSize: null,
  clusterStateUuid: null,
  localStateUuid: null,
  clusterConfId: null,
  localIndex: null,
  ready: null,
  connected: null,
  lastCommitted: null,
  readOnly: null,
  flowControlPaused: null,
  localRecvQueue: null,
  incomingAddresses: [],
  memberUuid: null,
});

/** Builds a sample from `SHOW GLOBAL STATUS` rows and `@@read_only`. Pure, so it is tested on literal rows. */
export function sampleFromStatus(
  takenAt: number,
  status: ReadonlyMap<string, string>,
  readOnly: boolean | null,
): WsrepSample {
  const text = (name: string): string | null => status.get(name) ?? null;
  const num = (name: string): number | null => {
    const v = status.get(name);
    if (v === undefined || v === "") return null;
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  };
  const bool = (name: string): boolean | null => {
    const v = status.get(name);
    return v === undefined ? null : v === "ON";
  };
  const incoming = text("wsrep_incoming_addresses");
  return {
    takenAt,
    error: null,
    localState: num("wsrep_local_state"),
    localStateComment: text("wsrep_local_state_comment"),
    clusterStatus: text("wsrep_cluster_status"),
    clusterSize: num("wsrep_cluster_size"),
    clusterStateUuid: text("wsrep_cluster_state_uuid"),
    localStateUuid: text("wsrep_local_state_uuid"),
    clusterConfId: num("wsrep_cluster_conf_id"),
    localIndex: num("wsrep_local_index"),
    ready: bool("wsrep_ready"),
    connected: bool("wsrep_connected"),
    lastCommitted: num("wsrep_last_committed"),
    readOnly,
    flowControlPaused: num("wsrep_flow_control_paused"),
    localRecvQueue: num("wsrep_local_recv_queue"),
    memberUuid: text("wsrep_gcomm_uuid"),
    incomingAddresses: incoming ? incoming.split(",").filter((a) => a !== "" && a !== "AUTO") : [],
  };
}

export const sampledStatusNames = [
  "wsrep_local_state",
  "wsrep_local_state_comment",
  "wsrep_cluster_status",
  "wsrep_cluster_size",
  "wsrep_cluster_state_uuid",
  "wsrep_local_state_uuid",
  "wsrep_cluster_conf_id",
  "wsrep_local_index",
  "wsrep_ready",
  "wsrep_connected",
  "wsrep_last_committed",
  "wsrep_flow_control_paused",
  "wsrep_local_recv_queue",
  "wsrep_incoming_addresses",
  "wsrep_gcomm_uuid",
] as const;
