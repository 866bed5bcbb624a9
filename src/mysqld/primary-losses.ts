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

/**
 * When a log time stamp ("2026-12-06  4:06:19", mariadbd's local time, to the second) was, in
 * ms since the epoch, read in this process's time zone (the machine's, as mariadbd's); NaN if
 * it is not one.
 */
export function logTimeMs(stamp: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})\s+(\d{1,2}):(\d{2}):(\d{2})/.exec(stamp.trim());
  if (!m) return Number.NaN;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return new Date(y, mo - 1, d, h, mi, s).getTime();
}

/**
 * The losses that no injected fault explains: outside every fault's window, from its start to
 * its recovery (or to the end, for one that did not recover), widened by `slackMs` on each side
 * for the log's one-second resolution and the time a fault takes to be noticed. Pure.
 */
export function lossesOutsideFaults<T extends { at: string }>(
  losses: readonly T[],
  faults: readonly { at: string; recoveredAfterMs: number | null }[],
  slackMs = 2000,
): T[] {
  const windows = faults.map((f) => {
    const start = Date.parse(f.at);
    return [
      start - slackMs,
      f.recoveredAfterMs === null ? Infinity : start + f.recoveredAfterMs + slackMs,
    ] as const;
  });
  return losses.filter((loss) => {
    const t = logTimeMs(loss.at);
    return Number.isFinite(t) && !windows.some(([from, to]) => t >= from && t <= to);
  });
}
