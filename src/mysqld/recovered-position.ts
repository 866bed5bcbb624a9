/**
 * The position `mariadbd --wsrep-recover` reads from InnoDB and prints in its error log
 * (sql/wsrep_mysqld.cc, wsrep_recover()):
 *
 *     2026-11-25 18:08:12 0 [Note] WSREP: Recovered position: 2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e:4
 *
 * With `wsrep_gtid_mode=ON` MariaDB appends the server's GTID ("…:4,0-1-4"). A fresh datadir
 * prints the zero UUID and seqno -1.
 */
import type { RecoveredPosition } from "../model/galera-state.js";
import { isGaleraUuid, parseSeqno } from "./grastate.js";

// Matched without the "WSREP: " prefix: Percona's builds print "[WSREP] Recovered position:".
const MARKER = "Recovered position:";
const POSITION = /^([^\s:]+):(-?\d+)(?:,(\d+-\d+-\d+))?$/;

/**
 * Reads the LAST `Recovered position:` line of the log: a log file reused across runs holds the
 * earlier runs' lines too. Null when no run printed one (mariadbd failed before recovery).
 */
export function parseRecoveredPosition(log: string): RecoveredPosition | null {
  const lines = log.split(/\r?\n/).filter((line) => line.includes(MARKER));
  const last = lines.at(-1);
  if (last === undefined) return null;

  const text = last.slice(last.lastIndexOf(MARKER) + MARKER.length).trim();
  const match = POSITION.exec(text);
  const uuid = match?.[1];
  const seqno = parseSeqno(match?.[2] ?? "");
  if (match === null || uuid === undefined || !isGaleraUuid(uuid) || seqno === null) {
    throw new Error(`mariadbd --wsrep-recover printed a malformed position: ${JSON.stringify(text)}`);
  }
  return { uuid: uuid.toLowerCase(), seqno, gtid: match[3] ?? null };
}
