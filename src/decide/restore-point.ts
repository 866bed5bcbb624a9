/**
 * Point-in-time restore, the rules (docs/point-in-time.md): which backup a point is restored
 * from, and which archived transactions are replayed on it. Pure. Every refusal is one line
 * saying what was found, that nothing was written, and what to do.
 *
 * A point is a prefix of the cluster's history: everything up to a GTID (`--to-gtid`, that
 * transaction included), up to a time (`--to-time`: every transaction committed in T's second
 * or before it, to the first one committed later, whole seconds as the binlog stamps commits),
 * or up to the newest archived transaction (`--to-latest`).
 *
 * Two steps, because a backup's own sequence number is known exactly only once it is restored
 * (`--wsrep-recover` on the restored files; a backup's manifest does not hold it):
 * 1. `backupForPoint`, before anything is written: the newest complete backup that ended at or
 *    before the point, and the archive checked to reach the point;
 * 2. `replayRange`, once the backup is restored (still beside the target, which is untouched):
 *    the range after the backup's last transaction, checked to be archived without a gap.
 */
import type { SegmentSpan } from "../model/archive-segment-name.js";
import type { CompleteBackup } from "../model/backup-manifest.js";
import type { ArchiveCoverage } from "./archive-coverage.js";

export type PointTarget =
  { kind: "time"; ms: number } | { kind: "gtid"; domain: number; seqno: number } | { kind: "latest" };

export type BackupForPoint = { backup: CompleteBackup; domain: number; reason: string } | { refuse: string };

const NOTHING = "nothing was written";

/** `coverages`: the archive's coverage per domain found in it; `spans`: its segments. */
export function backupForPoint(
  backups: readonly CompleteBackup[],
  coverages: readonly ArchiveCoverage[],
  spans: readonly SegmentSpan[],
  target: PointTarget,
): BackupForPoint {
  const withRuns = coverages.filter((c) => c.runs.length > 0);
  if (withRuns.length === 0) {
    return {
      refuse: `the archive holds no transaction; ${NOTHING}; archiving starts once a backup destination is set and a member is synced`,
    };
  }
  let coverage: ArchiveCoverage;
  if (target.kind === "gtid") {
    const found = withRuns.find((c) => c.domain === target.domain);
    if (found === undefined) {
      return {
        refuse: `GTID ${describe(target)} is of domain ${target.domain}, but the archive holds domain ${withRuns.map((c) => c.domain).join(", ")} only: it is another cluster's GTID; ${NOTHING}; give a GTID of this cluster (its domain is in the archive's segment names)`,
      };
    }
    coverage = found;
  } else {
    if (withRuns.length > 1) {
      return {
        refuse: `the archive holds the transactions of ${withRuns.length} clusters (domains ${withRuns.map((c) => c.domain).join(", ")}); ${NOTHING}; name the point with --to-gtid DOMAIN-SERVER-SEQNO, which says the cluster`,
      };
    }
    coverage = withRuns[0]!;
  }
  const oldest = coverage.runs[0]!;
  const newest = coverage.runs.at(-1)!;
  // The latest a backup may have ended: T; the first commit time of the segment holding the
  // GTID (a backup that ended before then holds none of that segment's transactions); none.
  let limitMs: number;
  if (target.kind === "time") {
    if (Math.floor(target.ms / 1000) * 1000 > newest.lastTime) {
      return {
        refuse: `${iso(target.ms)} is after the newest archived transaction (${coverage.domain}-…-${newest.last}, committed ${iso(newest.lastTime)}); ${NOTHING}; choose a point at or before it, or --to-latest`,
      };
    }
    limitMs = target.ms;
  } else if (target.kind === "gtid") {
    if (target.seqno > newest.last) {
      return {
        refuse: `GTID ${describe(target)} is after the newest archived transaction (${coverage.domain}-…-${newest.last}); ${NOTHING}; choose one at or before it, or --to-latest`,
      };
    }
    const holding = spans.filter(
      (s) => s.domain === target.domain && s.first <= target.seqno && target.seqno <= s.last,
    );
    if (holding.length === 0) {
      const gap = coverage.gaps.find((g) => g.first <= target.seqno && target.seqno <= g.last);
      if (gap !== undefined) return { refuse: gapRefusal(coverage.domain, gap) };
      return {
        refuse: `GTID ${describe(target)} is before the oldest archived transaction (${coverage.domain}-…-${oldest.first}); ${NOTHING}; restore a backup as it is (restore --from ID)`,
      };
    }
    limitMs = Math.min(...holding.map((s) => s.firstTime));
  } else {
    limitMs = Infinity;
  }
  const before = backups
    .filter((b) => Date.parse(b.endedAt) <= limitMs)
    .sort((a, b) => Date.parse(b.endedAt) - Date.parse(a.endedAt));
  const chosen = before[0];
  if (chosen === undefined) {
    const first = [...backups].sort((a, b) => Date.parse(a.endedAt) - Date.parse(b.endedAt))[0];
    return {
      refuse: `the point is before the oldest complete backup${first ? ` (${first.id}, ended ${first.endedAt})` : " (there is none)"}: no backup can be replayed forward to it; ${NOTHING}; choose a later point`,
    };
  }
  return {
    backup: chosen,
    domain: coverage.domain,
    reason: `restoring backup ${chosen.id} (ended ${chosen.endedAt}), the newest complete one that ended before the point`,
  };
}

export type ReplayPlan =
  { after: number; through: number; notAfterSecond: number | null; reason: string } | { refuse: string };

/** The transactions to replay on a backup whose last transaction is `backupSeqno`. */
export function replayRange(coverage: ArchiveCoverage, backupSeqno: number, target: PointTarget): ReplayPlan {
  const domain = coverage.domain;
  const next = backupSeqno + 1;
  // The run the replay continues: the one holding the backup's next transaction, or ending
  // at the backup's last; runs after a gap beyond it cannot be reached from this backup.
  const run = coverage.runs.find((r) => r.first <= next && next <= r.last + 1);
  const reachable = run?.last ?? backupSeqno;
  const beyond = coverage.runs.filter((r) => r.first > reachable + 1);
  const gapAfterReach = (): string =>
    gapRefusal(domain, {
      first: reachable + 1,
      last: beyond[0]!.first - 1,
      sinceTime: run?.lastTime ?? beyond[0]!.firstTime,
      untilTime: beyond[0]!.firstTime,
    });
  let through: number;
  if (target.kind === "gtid") {
    if (target.seqno < backupSeqno) {
      return {
        refuse: `the backup holds transactions up to ${domain}-…-${backupSeqno}, after GTID ${describe(target)}: it cannot be taken back to it; ${NOTHING}; name an older backup with --from`,
      };
    }
    if (target.seqno > reachable) {
      // A gap right after the backup (no run reaches it) is said as the archive not holding
      // what follows the backup: there is no archived time before it to name.
      return run !== undefined && beyond.length > 0 && target.seqno >= beyond[0]!.first
        ? { refuse: gapAfterReach() }
        : { refuse: notArchivedAfter(domain, backupSeqno) };
    }
    through = target.seqno;
  } else {
    // The transactions missing after the reachable end may have committed in T's second or
    // before it (a time inside the gap): the point stops short of them only when the last
    // reachable transaction committed after T's second.
    const endsBefore =
      target.kind === "time" && run !== undefined && run.lastTime > Math.floor(target.ms / 1000) * 1000;
    if (beyond.length > 0 && !endsBefore)
      return { refuse: run === undefined ? notArchivedAfter(domain, backupSeqno) : gapAfterReach() };
    through = reachable;
  }
  const notAfterSecond = target.kind === "time" ? Math.floor(target.ms / 1000) * 1000 : null;
  return {
    after: backupSeqno,
    through,
    notAfterSecond,
    reason:
      through === backupSeqno
        ? "the backup holds every archived transaction up to the point: nothing to replay"
        : `replaying the archived transactions ${domain}-…-${next} to ${notAfterSecond !== null ? `the last committed at or before ${iso(notAfterSecond)} (at most ${through})` : through}`,
  };
}

function notArchivedAfter(domain: number, backupSeqno: number): string {
  return `the archive does not hold the transactions right after the backup (${domain}-…-${backupSeqno + 1} on): it began later, or they fell in a gap; ${NOTHING}; restore a later backup, or this one as it is (restore --from ID)`;
}

function gapRefusal(
  domain: number,
  gap: { first: number; last: number; sinceTime: number; untilTime: number },
): string {
  return `the archive has a gap: transactions ${domain}-…-${gap.first} to ${gap.last} (between ${iso(gap.sinceTime)} and ${iso(gap.untilTime)}) were never archived, and the point needs them; ${NOTHING}; choose a point before the gap, or one after it restored from a backup taken after it`;
}

function describe(target: { domain: number; seqno: number }): string {
  return `${target.domain}-…-${target.seqno}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(".000Z", "Z");
}

/**
 * A point as a setting gives it (GALERA_PILOT_RESTORE_TO): `latest`, an ISO 8601 time with
 * its zone (one without would be read in the machine's: refused), or a GTID
 * DOMAIN-SERVER-SEQNO; null for any other text.
 */
export function pointFromText(text: string): PointTarget | null {
  const value = text.trim();
  if (value === "latest") return { kind: "latest" };
  const gtid = /^(\d{1,10})-(\d{1,10})-(\d{1,19})$/.exec(value);
  if (gtid) {
    const [domain, seqno] = [Number(gtid[1]), Number(gtid[3])];
    return Number.isSafeInteger(seqno) && domain <= 2 ** 32 - 1 ? { kind: "gtid", domain, seqno } : null;
  }
  if (!/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/i.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : { kind: "time", ms };
}
