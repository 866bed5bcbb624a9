/**
 * The position a backup holds, from the small files mariabackup writes into its stream
 * (mbstream-tap.ts keeps them): the galera info ("UUID:SEQNO" and, after a space, the Galera
 * GTID domain) and the binlog info ("FILE<TAB>POSITION<TAB>GTID", when the binary log is on).
 * Both are read at BACKUP STAGE BLOCK_COMMIT, the moment the backup is consistent at.
 */
import type { Position } from "../model/galera-state.js";
import { keptFiles, type StreamSummary } from "./mbstream-tap.js";

const uuidPattern = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

export type BackupPosition = { position: Position; gtid: string | null } | { problem: string };

/** The backup's Galera position and GTID from its stream's kept files, or what is wrong. */
export function backupPosition(summary: Pick<StreamSummary, "kept">): BackupPosition {
  const galera = summary.kept.get(keptFiles[1]) ?? summary.kept.get(keptFiles[0]);
  if (galera === undefined) {
    return {
      problem:
        "the backup stream holds no galera info (mariabackup --galera-info wrote none): its Galera position is unknown",
    };
  }
  const match = new RegExp(`^(${uuidPattern}):(-?[0-9]+)(?:\\s|$)`, "i").exec(galera.trim());
  if (!match) {
    return {
      problem: `the backup's galera info ${JSON.stringify(galera.trim().slice(0, 80))} is not UUID:SEQNO`,
    };
  }
  const seqno = Number(match[2]);
  if (!Number.isSafeInteger(seqno) || seqno < 0) {
    return { problem: `the backup's galera info holds seqno ${match[2]}: no committed position` };
  }
  const binlog = summary.kept.get(keptFiles[3]) ?? summary.kept.get(keptFiles[2]);
  return { position: { uuid: match[1]!.toLowerCase(), seqno }, gtid: gtidOf(binlog) };
}

/** The GTID field of the binlog info ("mariadb-bin.000003\t1234\t0-1-42"), or null. */
function gtidOf(binlog: string | undefined): string | null {
  const field = binlog?.trim().split("\t")[2]?.trim();
  return field && /^[0-9]+-[0-9]+-[0-9]+(,[0-9]+-[0-9]+-[0-9]+)*$/.test(field) ? field : null;
}
