/**
 * Galera's saved state, `grastate.dat` in the datadir. Galera writes it as
 *
 *     # GALERA saved state
 *     version: 2.1
 *     uuid:    2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e
 *     seqno:   -1
 *     safe_to_bootstrap: 1
 *
 * While mariadbd runs, seqno is -1; a clean shutdown writes the real seqno, and only the last
 * node out of a cleanly stopped cluster gets `safe_to_bootstrap: 1`.
 */
import type { Grastate } from "../model/galera-state.js";

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for Galera's textual UUID form, 8-4-4-4-12 hex digits. */
export function isGaleraUuid(text: string): boolean {
  return UUID_PATTERN.test(text);
}

/**
 * Galera's seqno as a number: an integer ≥ -1. It is an int64 in Galera; we refuse values a JS
 * number cannot hold exactly rather than compare rounded seqnos when choosing who bootstraps.
 */
export function parseSeqno(text: string): number | null {
  if (!/^-?\d+$/.test(text)) return null;
  const value = Number(text);
  return Number.isSafeInteger(value) && value >= -1 ? value : null;
}

export function parseGrastate(text: string): Grastate {
  // A crash while the file was being written leaves it empty or as a run of NUL bytes
  // (a torn write on XFS/ext4); neither may be read as "no position".
  if (text.trim() === "") throw new Error("grastate.dat is empty");
  if (/^\0+$/.test(text)) throw new Error(`grastate.dat is zeroed (${text.length} NUL bytes): a torn write`);
  if (text.includes("\0")) throw new Error("grastate.dat contains NUL bytes: a torn write");

  const fields = readFields(text);
  const uuid = fields.get("uuid");
  const seqnoText = fields.get("seqno");
  if (uuid === undefined) throw new Error("grastate.dat has no uuid line");
  if (seqnoText === undefined) throw new Error("grastate.dat has no seqno line");
  if (!isGaleraUuid(uuid)) throw new Error(`grastate.dat has a malformed uuid: ${JSON.stringify(uuid)}`);
  const seqno = parseSeqno(seqnoText);
  if (seqno === null) throw new Error(`grastate.dat has a malformed seqno: ${JSON.stringify(seqnoText)}`);

  return {
    version: fields.get("version") ?? "",
    uuid: uuid.toLowerCase(),
    seqno,
    safeToBootstrap: parseSafeToBootstrap(fields.get("safe_to_bootstrap")),
  };
}

/** `key: value` lines; comments and lines without a colon (none in real files) are skipped. */
function readFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#")) continue;
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim();
    // Two different answers in one file is corruption we must not guess through.
    if (fields.has(key)) throw new Error(`grastate.dat has two ${key} lines`);
    fields.set(key, line.slice(colon + 1).trim());
  }
  return fields;
}

/** Galera before 3.19 wrote no such line: nobody was marked safe, so false. */
function parseSafeToBootstrap(value: string | undefined): boolean {
  if (value === undefined || value === "0") return false;
  if (value === "1") return true;
  throw new Error(`grastate.dat has a malformed safe_to_bootstrap: ${JSON.stringify(value)}`);
}
