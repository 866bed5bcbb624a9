/**
 * Which archive segments `backup prune` deletes (docs/point-in-time.md): those no kept backup
 * needs. Pure.
 *
 * A restore to a point replays the archived transactions after its backup. A segment whose
 * last transaction committed before the oldest kept complete backup STARTED holds only
 * transactions every kept backup already has: no restore can need it. A second's margin
 * covers the binlog's whole-second stamps. With no complete backup kept, nothing is deleted:
 * the archive is then all there is to learn what happened.
 */
import type { SegmentSpan } from "../model/archive-segment-name.js";
import type { CompleteBackup } from "../model/backup-manifest.js";

export function segmentsToPrune(
  segments: readonly { name: string; span: SegmentSpan }[],
  keptBackups: readonly CompleteBackup[],
): { prune: string[]; reason: string } {
  const oldestStart = Math.min(...keptBackups.map((b) => Date.parse(b.startedAt)));
  if (!Number.isFinite(oldestStart)) {
    return {
      prune: [],
      reason: "archive: every segment kept: no complete backup is kept, so a restore may need any of them",
    };
  }
  const prune = segments.filter((s) => s.span.lastTime + 1000 < oldestStart).map((s) => s.name);
  const since = new Date(oldestStart).toISOString();
  return {
    prune,
    reason:
      prune.length === 0
        ? `archive: every segment kept: each holds transactions committed after ${since}, when the oldest kept backup started`
        : `archive: ${prune.length} of ${segments.length} segments pruned: they hold only transactions committed before ${since}, when the oldest kept backup started, which every kept backup has`,
  };
}
