import type { NodeStatusReport } from "../agent/node-status.js";

/**
 * The seed's health answer on `/` (SPEC §3):
 * - 200: Primary, ready, Synced (Donor too unless donors are excluded), writable
 * - 100: not synced since start: preparing, starting, waiting, receiving SST/IST
 * - 503: everything else (non-Primary, desynced after having been synced, mariadbd down,
 *   stopping, refused, or read-only)
 */
export function seedHealthCode(status: NodeStatusReport): 200 | 100 | 503 {
  switch (status.phase) {
    case "synced":
    case "donor":
      return status.readOnly === false ? 200 : 503;
    case "preparing":
    case "starting":
      return 100;
    default:
      return 503;
  }
}
