import type { NodeStatusReport } from "../model/node-status.js";
import type { WsrepSample } from "../probe/wsrep-sample.js";

/** The /status report: what the agent knows (`base`) with the values of its last sample. */
export function reportFromSample(
  base: Omit<
    NodeStatusReport,
    | "state"
    | "clusterStatus"
    | "clusterSize"
    | "clusterStateUuid"
    | "seqno"
    | "readOnly"
    | "clusterConfId"
    | "members"
    | "sampleAgeMs"
    | "sampledAt"
    | "answeredAt"
    | "sampleError"
    | "memberUuid"
  >,
  sample: WsrepSample,
  now: number,
): NodeStatusReport {
  return {
    ...base,
    state: sample.localStateComment,
    clusterStatus: sample.clusterStatus,
    clusterSize: sample.clusterSize,
    clusterStateUuid: sample.clusterStateUuid,
    seqno: sample.lastCommitted,
    readOnly: sample.readOnly,
    clusterConfId: sample.clusterConfId,
    members: sample.incomingAddresses,
    sampleAgeMs: Math.max(0, now - sample.takenAt),
    sampledAt: new Date(sample.takenAt).toISOString(),
    answeredAt: new Date(now).toISOString(),
    sampleError: sample.error,
    memberUuid: sample.memberUuid,
  };
}
