/**
 * Cuts a binlog's events into its transactions ("event groups"): from a Gtid event to the
 * event that ends the group. Each is what the archive stores and what a restore replays:
 * whole, or not at all. Pure (no I/O): fed one event at a time, as they arrive.
 *
 * How a group ends (MariaDB 10.11, log_event.h): with an Xid event (InnoDB); with a Query
 * "COMMIT" or "ROLLBACK" (a non-transactional engine); with an XA_prepare event (XA
 * PREPARE); and, when its Gtid event says FL_STANDALONE (DDL) or FL_COMPLETED_XA (XA COMMIT),
 * with the one Query event that follows. A group never spans two binlog files.
 */
import {
  BinlogFormatError,
  checksumMatches,
  EventType,
  formatHasChecksums,
  GtidFlag,
  gtidFields,
  queryText,
  type BinlogEvent,
} from "./binlog-events.js";

export interface BinlogTransaction {
  domain: number;
  seqno: number;
  /** The server part of the GTID: it may differ from node to node (docs/point-in-time.md). */
  serverId: number;
  /** Seconds since the epoch: when its first statement began, as the Gtid event says. */
  timestamp: number;
  /** Its events as written, the Gtid event first: a copy, independent of the read buffer. */
  bytes: Buffer;
}

export type GroupsOutput =
  | { kind: "transaction"; transaction: BinlogTransaction }
  /** A Format_description event: the events after it are read, and replayed, under it. */
  | { kind: "format"; event: Buffer; checksums: boolean }
  /** A group that never ended (a file that stops mid-group: a server that died writing it). */
  | { kind: "cut"; domain: number; seqno: number };

interface OpenGroup {
  domain: number;
  seqno: number;
  serverId: number;
  timestamp: number;
  flags: number;
  parts: Buffer[];
}

/** Events that stand between groups: never part of a transaction. */
const BETWEEN_GROUPS = new Set<number>([
  EventType.formatDescription,
  EventType.rotate,
  EventType.stop,
  EventType.gtidList,
  EventType.binlogCheckpoint,
  27, // HEARTBEAT_LOG_EVENT, in a stream from a server
]);

export class TransactionGroups {
  #checksums = true;
  #open: OpenGroup | null = null;

  /** Reads one event (its bytes are `buffer[event.start, event.end)`), returns what it completed. */
  take(buffer: Buffer, event: BinlogEvent): GroupsOutput[] {
    const outputs: GroupsOutput[] = [];
    if (event.type === EventType.startEncryption) {
      throw new BinlogFormatError(
        "the binlog is encrypted (encrypt_binlog=ON): the archive cannot read its events",
      );
    }
    if (event.type === EventType.formatDescription) {
      this.#checksums = formatHasChecksums(buffer, event);
    } else if (this.#checksums && !checksumMatches(buffer, event)) {
      throw new BinlogFormatError(
        `the event at byte ${event.start} (type ${event.type}) fails its CRC32 checksum: the binlog is damaged`,
      );
    }
    if (BETWEEN_GROUPS.has(event.type)) {
      const open = this.#open;
      if (open !== null) {
        outputs.push({ kind: "cut", domain: open.domain, seqno: open.seqno });
        this.#open = null;
      }
      if (event.type === EventType.formatDescription) {
        outputs.push({ kind: "format", event: closedFormatEvent(buffer, event), checksums: this.#checksums });
      }
      return outputs;
    }
    if (event.type === EventType.gtid) {
      if (this.#open !== null) {
        throw new BinlogFormatError(
          `GTID ${this.#open.domain}-${this.#open.serverId}-${this.#open.seqno} is followed by another Gtid event before its end: the binlog is damaged, or ends a transaction in a way the archive does not know`,
        );
      }
      const gtid = gtidFields(buffer, event);
      this.#open = { ...gtid, serverId: event.serverId, timestamp: event.timestamp, parts: [] };
    }
    const open = this.#open;
    if (open === null) {
      throw new BinlogFormatError(
        `an event of type ${event.type} at byte ${event.start} stands outside any transaction: the archive reads binlogs with GTIDs only (MariaDB 10.0 or later)`,
      );
    }
    open.parts.push(Buffer.from(buffer.subarray(event.start, event.end)));
    if (event.type !== EventType.gtid && this.#ends(open, buffer, event)) {
      outputs.push({
        kind: "transaction",
        transaction: {
          domain: open.domain,
          seqno: open.seqno,
          serverId: open.serverId,
          timestamp: open.timestamp,
          bytes: Buffer.concat(open.parts),
        },
      });
      this.#open = null;
    }
    return outputs;
  }

  #ends(open: OpenGroup, buffer: Buffer, event: BinlogEvent): boolean {
    if (event.type === EventType.xid || event.type === EventType.xaPrepare) return true;
    const isQuery = event.type === EventType.query || event.type === EventType.queryCompressed;
    if (!isQuery) return false;
    if ((open.flags & (GtidFlag.standalone | GtidFlag.completedXa)) !== 0) return true;
    if (event.type === EventType.queryCompressed) return false;
    const text = queryText(buffer, event, this.#checksums).trim().toUpperCase();
    return text === "COMMIT" || text === "ROLLBACK";
  }
}

/** LOG_EVENT_BINLOG_IN_USE_F: set in the Format_description of the file the server is writing. */
const IN_USE_FLAG = 0x1;

/**
 * A copy of a Format_description event as the server writes it into a file it has closed:
 * without the "in use" flag. The server computes this event's CRC32 as if the flag were
 * clear, so the copy's checksum verifies, and a segment replayed under it is not taken for a
 * file the server never closed.
 */
function closedFormatEvent(buffer: Buffer, event: BinlogEvent): Buffer {
  const copy = Buffer.from(buffer.subarray(event.start, event.end));
  copy.writeUInt16LE(copy.readUInt16LE(17) & ~IN_USE_FLAG, 17);
  return copy;
}
