/**
 * What the binlog archive covers, from its segments' names alone (model/archive-segment-name.ts):
 * the runs of consecutive sequence numbers of the cluster's domain, the gaps between them,
 * and the newest transaction archived. Pure.
 *
 * The cluster's sequence numbers have no holes (docs/point-in-time.md), so two segments are
 * contiguous exactly when the second's first number follows the first's last. Segments may
 * overlap: two archivers for a moment (one taking over before the other noticed it should
 * stop) store the same transactions twice, under the same domain and sequence numbers; the
 * coverage counts them once, and a restore replays each once.
 */
import type { SegmentSpan } from "../model/archive-segment-name.js";

export interface CoveredRun {
  first: number;
  last: number;
  /** Milliseconds since the epoch, whole seconds: the first and last transactions' times. */
  firstTime: number;
  lastTime: number;
}

export interface ArchiveGap {
  /** The sequence numbers missing: from `first` to `last`, both included. */
  first: number;
  last: number;
  /** When the archive stopped before it, and went on after it. */
  sinceTime: number;
  untilTime: number;
}

export interface ArchiveCoverage {
  domain: number;
  runs: CoveredRun[];
  gaps: ArchiveGap[];
  /** Segments of other domains: not the cluster's (another cluster's archive in the same place). */
  foreignSegments: number;
  segments: number;
}

export function archiveCoverage(spans: readonly SegmentSpan[], domain: number): ArchiveCoverage {
  const ours = spans.filter((s) => s.domain === domain).sort((a, b) => a.first - b.first || a.last - b.last);
  const runs: CoveredRun[] = [];
  const gaps: ArchiveGap[] = [];
  for (const span of ours) {
    const run = runs.at(-1);
    if (run !== undefined && span.first <= run.last + 1) {
      if (span.last > run.last) {
        run.last = span.last;
        run.lastTime = span.lastTime;
      }
      continue;
    }
    if (run !== undefined) {
      gaps.push({
        first: run.last + 1,
        last: span.first - 1,
        sinceTime: run.lastTime,
        untilTime: span.firstTime,
      });
    }
    runs.push({ first: span.first, last: span.last, firstTime: span.firstTime, lastTime: span.lastTime });
  }
  return { domain, runs, gaps, foreignSegments: spans.length - ours.length, segments: ours.length };
}

/** The coverage of each domain the segments hold, in the order the domains first appear. */
export function archiveCoverages(spans: readonly SegmentSpan[]): ArchiveCoverage[] {
  return [...new Set(spans.map((s) => s.domain))].map((domain) => archiveCoverage(spans, domain));
}

/** The newest archived transaction: the end of the last run, or null for an empty archive. */
export function newestArchived(coverage: ArchiveCoverage): { seqno: number; time: number } | null {
  const run = coverage.runs.at(-1);
  return run === undefined ? null : { seqno: run.last, time: run.lastTime };
}
