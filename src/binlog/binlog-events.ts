/**
 * MariaDB's binary log format, as far as the archive needs it: the events of a binlog file
 * (or of `mariadb-binlog --raw`'s copy of one) cut apart, and the fields that say which
 * transaction an event belongs to. Pure: bytes in, offsets and numbers out. The layout is
 * MariaDB's (sql/log_event.h, 10.11), checked against real files by the unit tests'
 * fixtures and the archive's integration test; docs/point-in-time.md has the summary.
 *
 * Every event starts with a 19-byte header: timestamp u32, type u8, server_id u32,
 * event_length u32 (the whole event, header and checksum included), next_position u32,
 * flags u16, all little-endian.
 */

/** The four bytes every binlog file starts with. */
export const BINLOG_MAGIC = Buffer.from([0xfe, 0x62, 0x69, 0x6e]);
export const EVENT_HEADER_BYTES = 19;

/** The event types the archive tells apart (MariaDB's Log_event_type). */
export const EventType = {
  query: 2,
  stop: 3,
  rotate: 4,
  formatDescription: 15,
  xid: 16,
  xaPrepare: 38,
  binlogCheckpoint: 161,
  gtid: 162,
  gtidList: 163,
  startEncryption: 164,
  queryCompressed: 165,
} as const;

/** Gtid_log_event's flags2 bits that shape a transaction (MariaDB's Gtid_log_event). */
export const GtidFlag = { standalone: 1, groupCommitId: 2, completedXa: 128 } as const;

/** No event of a real binlog comes near this (max_allowed_packet tops at 1 GiB). */
const MAX_EVENT_BYTES = 1024 ** 3 + 4096;

export interface BinlogEvent {
  type: number;
  /** Seconds since the epoch: when the statement began (all events of a transaction share it). */
  timestamp: number;
  serverId: number;
  /** The event's bytes: [start, end) of the buffer it was read from. */
  start: number;
  end: number;
}

export class BinlogFormatError extends Error {}

/**
 * The whole events of `buffer` from `from` on (an event boundary), and where the first event
 * not yet whole begins: the caller keeps the bytes from there and appends what comes next.
 * Throws BinlogFormatError for bytes that cannot be an event (a length below the header's or
 * absurdly large): the stream is not a binlog, or is damaged.
 */
export function wholeEvents(buffer: Buffer, from: number): { events: BinlogEvent[]; next: number } {
  const events: BinlogEvent[] = [];
  let at = from;
  while (buffer.length - at >= EVENT_HEADER_BYTES) {
    const length = buffer.readUInt32LE(at + 9);
    if (length < EVENT_HEADER_BYTES || length > MAX_EVENT_BYTES) {
      throw new BinlogFormatError(
        `an event at byte ${at} claims ${length} bytes, which no binlog event has: the stream is damaged or not a binlog`,
      );
    }
    if (buffer.length - at < length) break;
    events.push({
      type: buffer.readUInt8(at + 4),
      timestamp: buffer.readUInt32LE(at),
      serverId: buffer.readUInt32LE(at + 5),
      start: at,
      end: at + length,
    });
    at += length;
  }
  return { events, next: at };
}

/**
 * Whether the events after this Format_description event end with a CRC32 (binlog_checksum,
 * CRC32 by default): its checksum algorithm is the byte before its own 4-byte checksum field,
 * which every server since MySQL 5.6.1 / MariaDB 5.3 writes.
 */
export function formatHasChecksums(buffer: Buffer, event: BinlogEvent): boolean {
  const algorithm = buffer.readUInt8(event.end - 5);
  if (algorithm === 0) return false;
  if (algorithm === 1) return true;
  throw new BinlogFormatError(
    `the binlog's checksum algorithm ${algorithm} is neither OFF (0) nor CRC32 (1)`,
  );
}

export interface GtidFields {
  domain: number;
  seqno: number;
  flags: number;
}

/** A Gtid event's domain, sequence number and flags (its body: seq_no u64, domain_id u32, flags2 u8). */
export function gtidFields(buffer: Buffer, event: BinlogEvent): GtidFields {
  const body = event.start + EVENT_HEADER_BYTES;
  const seqno = buffer.readBigUInt64LE(body);
  if (seqno > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new BinlogFormatError(`a GTID sequence number ${seqno} is beyond what the archive counts`);
  }
  return { seqno: Number(seqno), domain: buffer.readUInt32LE(body + 8), flags: buffer.readUInt8(body + 12) };
}

/**
 * A Query event's statement text. Its body: thread_id u32, exec_time u32, db_len u8,
 * error_code u16, status_vars_len u16, the status variables, the database name and a NUL,
 * then the statement up to the checksum.
 */
export function queryText(buffer: Buffer, event: BinlogEvent, checksums: boolean): string {
  const post = event.start + EVENT_HEADER_BYTES;
  const dbLength = buffer.readUInt8(post + 8);
  const statusLength = buffer.readUInt16LE(post + 11);
  const textStart = post + 13 + statusLength + dbLength + 1;
  const textEnd = event.end - (checksums ? 4 : 0);
  if (textStart > textEnd)
    throw new BinlogFormatError(`a Query event at byte ${event.start} is shorter than its own fields`);
  return buffer.toString("utf8", textStart, textEnd);
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** zlib's CRC-32, the binlog's checksum (Node 20 has no zlib.crc32). */
export function crc32(buffer: Buffer, start = 0, end = buffer.length): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = CRC_TABLE[(crc ^ buffer[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Whether an event's trailing CRC32 matches its bytes (only where the format has checksums). */
export function checksumMatches(buffer: Buffer, event: BinlogEvent): boolean {
  return crc32(buffer, event.start, event.end - 4) === buffer.readUInt32LE(event.end - 4);
}

/**
 * A Gtid_list event's GTIDs (the binlog state when its file began: the last GTID of each
 * domain and server): count u32 (the low 28 bits; the high 4 are flags), then per GTID
 * domain_id u32, server_id u32, seq_no u64.
 */
export function gtidListFields(
  buffer: Buffer,
  event: BinlogEvent,
): { domain: number; serverId: number; seqno: number }[] {
  const body = event.start + EVENT_HEADER_BYTES;
  const count = buffer.readUInt32LE(body) & 0x0fffffff;
  if (body + 4 + count * 16 > event.end) {
    throw new BinlogFormatError(`a Gtid_list event at byte ${event.start} lists more GTIDs than it holds`);
  }
  return Array.from({ length: count }, (_, i) => {
    const at = body + 4 + i * 16;
    const seqno = buffer.readBigUInt64LE(at + 8);
    if (seqno > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new BinlogFormatError(`a GTID sequence number ${seqno} is beyond what the archive counts`);
    }
    return { domain: buffer.readUInt32LE(at), serverId: buffer.readUInt32LE(at + 4), seqno: Number(seqno) };
  });
}
