/**
 * Builds binlog events byte for byte, as MariaDB 10.11 writes them (19-byte header, body,
 * CRC32), for the binlog reader's unit tests. The real format is checked against files a real
 * server wrote in test/unit/binlog/real-binlog.test.ts.
 */
import { crc32, EventType } from "../../src/binlog/binlog-events.js";

export interface EventOptions {
  timestamp?: number;
  serverId?: number;
  checksum?: boolean;
}

export function event(type: number, body: Buffer, options: EventOptions = {}): Buffer {
  const checksum = options.checksum ?? true;
  const length = 19 + body.length + (checksum ? 4 : 0);
  const header = Buffer.alloc(19);
  header.writeUInt32LE(options.timestamp ?? 1_800_000_000, 0);
  header.writeUInt8(type, 4);
  header.writeUInt32LE(options.serverId ?? 11, 5);
  header.writeUInt32LE(length, 9);
  header.writeUInt32LE(0, 13);
  header.writeUInt16LE(0, 17);
  const bytes = Buffer.concat([header, body]);
  if (!checksum) return bytes;
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(crc32(bytes), 0);
  return Buffer.concat([bytes, crc]);
}

/** A Format_description event: checksum algorithm CRC32 (1) or OFF (0). */
export function formatDescription(checksum = true, options: EventOptions = {}): Buffer {
  const body = Buffer.alloc(2 + 50 + 4 + 1 + 30 + 1);
  body.writeUInt16LE(4, 0);
  body.write("10.11.19-MariaDB-log", 2, "latin1");
  body.writeUInt8(19, 56);
  body.writeUInt8(checksum ? 1 : 0, body.length - 1);
  // The Format_description event always carries a checksum field, whatever the algorithm.
  return event(EventType.formatDescription, body, { ...options, checksum: true });
}

export function gtid(domain: number, seqno: number, flags = 0, options: EventOptions = {}): Buffer {
  const body = Buffer.alloc(flags & 2 ? 8 + 4 + 1 + 8 : 8 + 4 + 1 + 6);
  body.writeBigUInt64LE(BigInt(seqno), 0);
  body.writeUInt32LE(domain, 8);
  body.writeUInt8(flags, 12);
  return event(EventType.gtid, body, options);
}

export function query(text: string, options: EventOptions & { db?: string } = {}): Buffer {
  const db = Buffer.from(options.db ?? "t", "utf8");
  const post = Buffer.alloc(13);
  post.writeUInt8(db.length, 8);
  post.writeUInt16LE(2, 11);
  const status = Buffer.from([0x00, 0x00]);
  return event(
    EventType.query,
    Buffer.concat([post, status, db, Buffer.from([0]), Buffer.from(text, "utf8")]),
    options,
  );
}

export function xid(id: number, options: EventOptions = {}): Buffer {
  const body = Buffer.alloc(8);
  body.writeBigUInt64LE(BigInt(id), 0);
  return event(EventType.xid, body, options);
}

/** A Table_map (19) and a Write_rows (30) event: opaque rows, as far as the archive cares. */
export function rows(table: string, options: EventOptions = {}): Buffer[] {
  return [
    event(19, Buffer.from(`table-map:${table}`), options),
    event(30, Buffer.from(`write-rows:${table}:${"x".repeat(40)}`), options),
  ];
}

export function gtidList(options: EventOptions = {}): Buffer {
  return event(EventType.gtidList, Buffer.alloc(4), options);
}

/** An InnoDB transaction: Gtid, BEGIN, rows, Xid. */
export function innodbTransaction(domain: number, seqno: number, options: EventOptions = {}): Buffer {
  return Buffer.concat([
    gtid(domain, seqno, 0, options),
    query("BEGIN", options),
    ...rows(`t${seqno}`, options),
    xid(seqno, options),
  ]);
}
