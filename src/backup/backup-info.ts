/**
 * The position a backup holds, from what mariabackup says on its stderr while it writes the
 * small info files into its stream: "Writing Galera info succeeded with UUID:SEQNO DOMAIN"
 * (the galera info: the backup's Galera position) and, when the binary log is on, "MySQL
 * binlog position: filename '…', position '…', GTID of the last change '…'" (its GTID). Both
 * are read at BACKUP STAGE BLOCK_COMMIT, the moment the backup is consistent at; the lines
 * carry the same values as the files, so the stream itself never has to be read on its way
 * to the compressor.
 */
import type { Position } from "../model/galera-state.js";

const uuidPattern = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const galeraLine = /Writing Galera info succeeded with (\S*)/;
const binlogLine = /MySQL binlog position: .*GTID of the last change '([^']*)'/;

export type BackupPosition = { position: Position; gtid: string | null } | { problem: string };

/** Whether a line of mariabackup's stderr is one backupPosition reads (kept whole by the caller). */
export function isPositionLine(line: string): boolean {
  return galeraLine.test(line) || binlogLine.test(line);
}

/** The backup's Galera position and GTID from mariabackup's stderr lines, or what is wrong. */
export function backupPosition(lines: readonly string[]): BackupPosition {
  const galera = lastMatch(lines, galeraLine);
  if (galera === null) {
    return {
      problem:
        'mariabackup never said "Writing Galera info succeeded" (--galera-info wrote none): the backup\'s Galera position is unknown',
    };
  }
  const match = new RegExp(`^(${uuidPattern}):(-?[0-9]+)$`, "i").exec(galera);
  if (!match) {
    return { problem: `the backup's galera info ${JSON.stringify(galera.slice(0, 80))} is not UUID:SEQNO` };
  }
  const seqno = Number(match[2]);
  if (!Number.isSafeInteger(seqno) || seqno < 0) {
    return { problem: `the backup's galera info holds seqno ${match[2]}: no committed position` };
  }
  return { position: { uuid: match[1]!.toLowerCase(), seqno }, gtid: gtidOf(lastMatch(lines, binlogLine)) };
}

function lastMatch(lines: readonly string[], pattern: RegExp): string | null {
  for (let i = lines.length - 1; i >= 0; i--) {
    const found = pattern.exec(lines[i]!);
    if (found) return found[1]!;
  }
  return null;
}

/** The binlog line's GTID ("0-1-42", or a list of them for several domains), or null. */
function gtidOf(field: string | null): string | null {
  const gtid = field?.trim();
  return gtid && /^[0-9]+-[0-9]+-[0-9]+(,[0-9]+-[0-9]+-[0-9]+)*$/.test(gtid) ? gtid : null;
}
