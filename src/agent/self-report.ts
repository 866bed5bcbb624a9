// What this node tells its peers (GET /peer/state), and the "self" of its own decisions.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RecoveredPosition } from "../model/galera-state.js";
import type { NodeReport } from "../model/peer-report.js";
import type { DatadirFacts } from "../mysqld/datadir.js";
import { parseGvwstate, type Gvwstate } from "../mysqld/gvwstate.js";
import type { WsrepSample } from "../probe/wsrep-sample.js";
import type { LivePosition } from "./live-position.js";

export interface SelfReportFacts {
  nodeName: string;
  clusterName: string;
  sample: WsrepSample;
  live: LivePosition;
  recovered: RecoveredPosition | null;
  datadir: DatadirFacts | null;
  syncedSinceStart: boolean;
  fresh: boolean;
  intentAt: number | null;
  now: number;
  datadirPath: string;
}

export function selfReport(f: SelfReportFacts): NodeReport {
  const { live, recovered } = f;
  // A node synced since its start has been through views Galera wrote since: the file as it
  // is now. One still awaiting pc.recovery restores the view it started with, whatever
  // Galera rewrites meanwhile, so that one is what its peers must compare theirs with.
  const gvw =
    live.runningOutsidePrimary && f.syncedSinceStart ? currentGvwstate(f.datadirPath) : f.datadir?.gvwstate;
  return {
    name: f.nodeName,
    inPrimary: live.inPrimary,
    primaryUuid: live.inPrimary ? f.sample.clusterStateUuid : null,
    position: live.position ?? (recovered ? { uuid: recovered.uuid, seqno: recovered.seqno } : null),
    running: live.runningOutsidePrimary,
    safeToBootstrap: f.datadir?.grastate?.safeToBootstrap ?? false,
    fresh: f.fresh,
    lastPrimaryView:
      gvw && gvw !== "empty" ? { myUuid: gvw.myUuid, members: gvw.members.map((m) => m.uuid) } : null,
    bootstrapIntentAt: f.intentAt,
    reportedAt: f.now,
    clusterName: f.clusterName,
  };
}

/**
 * gvwstate.dat as mariadbd left it now; null when absent or unreadable (Galera replaces it
 * whole, so a torn read is a missed rename and the next report reads it again). Without a
 * view this node claims no member of anyone's, which can only make the others wait.
 */
function currentGvwstate(datadir: string): Gvwstate | null {
  try {
    const parsed = parseGvwstate(readFileSync(join(datadir, "gvwstate.dat"), "utf8"));
    return parsed === "empty" ? null : parsed;
  } catch {
    return null;
  }
}
