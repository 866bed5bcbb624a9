/**
 * When a running member lost its primary component, read from mariadbd's log: Galera logs
 * every new component (`WSREP: New COMPONENT: primary = yes|no, …`). A node that was in a
 * primary component and logs a non-primary one, without having been asked to stop, saw the
 * cluster split under it (a false suspicion under load, or a real partition): writes stalled
 * for at least that moment. A node's own non-primary component at start (alone, before it
 * found its peers) and the ones it logs while it leaves are not losses.
 *
 * Lines as MariaDB 10.11 with Galera 26.4 write them (seen here):
 *
 *     2026-12-06  4:06:19 0 [Note] WSREP: New COMPONENT: primary = yes, bootstrap = no, my_idx = 0, memb_num = 3
 *     2026-12-06  4:06:52 0 [Note] /usr/sbin/mariadbd (initiated by: unknown): Normal shutdown
 */
export interface PrimaryLoss {
  /** The log line's time stamp, as written. */
  at: string;
  /** How many members the non-primary component had. */
  members: number;
}

const component = /WSREP: New COMPONENT: primary = (yes|no),.*memb_num = (\d+)/;
const leaving = /: Normal shutdown|WSREP: Shutdown replication|Received SIGTERM/;
/** A new mariadbd process: what the one before knew no longer holds. */
const starting = /WSREP: Passing config to GCS|WSREP: Loading provider/;

/** Every loss of the primary component in one node's log, in order. Pure. */
export function primaryLosses(log: string): PrimaryLoss[] {
  const losses: PrimaryLoss[] = [];
  let inPrimary = false;
  let stopping = false;
  for (const line of log.split("\n")) {
    if (starting.test(line)) {
      inPrimary = false;
      stopping = false;
    } else if (leaving.test(line)) {
      stopping = true;
    } else {
      const m = component.exec(line);
      if (!m) continue;
      if (m[1] === "yes") {
        inPrimary = true;
      } else {
        if (inPrimary && !stopping) losses.push({ at: line.slice(0, 19).trim(), members: Number(m[2]) });
        inPrimary = false;
      }
    }
  }
  return losses;
}
