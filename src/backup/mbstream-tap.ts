/**
 * Reads mariabackup's mbstream as it passes, without holding it: the stream goes on byte for
 * byte, and on the way this reads its chunk headers, so that it can
 * - keep the few small files the manifest needs (the galera info: the backup's Galera
 *   position; the binlog info: its GTID), which are inside the stream and nowhere else;
 * - tell a whole stream from a cut one: every file opened by a payload chunk must be closed
 *   by its end chunk, and the stream must end on a chunk boundary. mariabackup killed
 *   mid-way, or a stored stream truncated, fails this check before anyone prepares it.
 *
 * The format (MariaDB's xbstream.h): each chunk is the magic "XBSTCK01", a flags byte, a type
 * byte ('P' payload, 'E' end of file), the path's length (4 bytes, little-endian) and the
 * path; a payload chunk goes on with its length (8 bytes), its offset in the file (8) and a
 * CRC32 (4), then the payload. MariaDB writes no other chunk type; another is refused.
 */
import { Transform, type TransformCallback } from "node:stream";

const magic = Buffer.from("XBSTCK01", "latin1");
/** magic + flags + type + path length */
const fixedHeader = 14;
/** payload length + offset + checksum */
const payloadHeader = 20;
/** A kept file larger than this is not one of the small info files: it is not kept whole. */
const keptFileLimit = 64 * 1024;

/** The files whose content is kept, by their path in the stream (older and newer names). */
export const keptFiles = [
  "xtrabackup_galera_info",
  "mariadb_backup_galera_info",
  "xtrabackup_binlog_info",
  "mariadb_backup_binlog_info",
] as const;

export interface StreamSummary {
  /** Bytes that passed. */
  bytes: number;
  /** Files the stream holds (closed by their end chunk). */
  files: number;
  /** The kept files' contents, by path. */
  kept: Map<string, string>;
}

export class MbstreamError extends Error {}

export class MbstreamTap extends Transform {
  #bytes = 0;
  /** Header bytes gathered so far for the chunk being read. */
  #header: Buffer = Buffer.alloc(0);
  /** Payload bytes still to pass before the next chunk header. */
  #payloadLeft = 0;
  #payloadPath: string | null = null;
  #open = new Set<string>();
  #files = 0;
  #kept = new Map<string, Buffer[]>();

  get bytes(): number {
    return this.#bytes;
  }

  /** What passed; meaningful once the stream ended without an error. */
  summary(): StreamSummary {
    const kept = new Map<string, string>();
    for (const [path, parts] of this.#kept) kept.set(path, Buffer.concat(parts).toString("utf8"));
    return { bytes: this.#bytes, files: this.#files, kept };
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.#read(chunk);
    } catch (error) {
      return callback(error as Error);
    }
    this.#bytes += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.#bytes === 0) return callback(new MbstreamError("the backup stream is empty"));
    if (this.#payloadLeft > 0 || this.#header.length > 0) {
      return callback(
        new MbstreamError(
          `the backup stream is cut short: it ends inside a chunk${this.#payloadPath ? ` of ${this.#payloadPath}` : ""}, after ${this.#bytes} bytes`,
        ),
      );
    }
    if (this.#open.size > 0) {
      const first = [...this.#open][0];
      return callback(
        new MbstreamError(
          `the backup stream is cut short: ${this.#open.size} file(s) were never closed (${first} among them), after ${this.#bytes} bytes`,
        ),
      );
    }
    callback();
  }

  #read(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.#payloadLeft > 0) {
        const take = Math.min(this.#payloadLeft, chunk.length - at);
        this.#keep(chunk.subarray(at, at + take));
        this.#payloadLeft -= take;
        at += take;
        if (this.#payloadLeft === 0) this.#payloadPath = null;
        continue;
      }
      // Gather the header: fixed part, then the path, then (for a payload) its own header.
      const need = this.#headerNeed();
      const take = Math.min(need - this.#header.length, chunk.length - at);
      this.#header = Buffer.concat([this.#header, chunk.subarray(at, at + take)]);
      at += take;
      if (this.#header.length === need) this.#headerDone();
    }
  }

  /** How many header bytes the chunk being read has, as far as is known yet. */
  #headerNeed(): number {
    const h = this.#header;
    if (h.length < fixedHeader) return fixedHeader;
    const pathEnd = fixedHeader + h.readUInt32LE(10);
    if (String.fromCharCode(h[9]!) === "E") return pathEnd;
    return pathEnd + payloadHeader;
  }

  /** Checks each part as soon as it is there; acts once the whole header is. */
  #headerDone(): void {
    const h = this.#header;
    if (h.length === fixedHeader) {
      if (!h.subarray(0, 8).equals(magic)) {
        throw new MbstreamError(
          `the backup stream is not an mbstream: chunk at byte ${this.#bytes} starts with ${JSON.stringify(h.subarray(0, 8).toString("latin1"))}, not "XBSTCK01"`,
        );
      }
      const type = String.fromCharCode(h[9]!);
      if (type !== "P" && type !== "E") {
        throw new MbstreamError(
          `the backup stream holds a chunk of type ${JSON.stringify(type)}, which MariaDB does not write`,
        );
      }
      const pathLength = h.readUInt32LE(10);
      if (pathLength === 0 || pathLength > 4096) {
        throw new MbstreamError(`the backup stream holds a chunk with a path of ${pathLength} bytes`);
      }
      if (this.#headerNeed() > h.length) return; // the path (and payload header) come next
    }
    const pathLength = h.readUInt32LE(10);
    const path = h.subarray(fixedHeader, fixedHeader + pathLength).toString("utf8");
    const type = String.fromCharCode(h[9]!);
    this.#header = Buffer.alloc(0);
    if (type === "E") {
      if (this.#open.delete(path)) this.#files += 1;
      return;
    }
    const length = Number(h.readBigUInt64LE(fixedHeader + pathLength));
    this.#open.add(path);
    this.#payloadLeft = length;
    this.#payloadPath = length > 0 ? path : null;
  }

  #keep(bytes: Buffer): void {
    const path = this.#payloadPath;
    if (path === null || !(keptFiles as readonly string[]).includes(path)) return;
    const parts = this.#kept.get(path) ?? [];
    const size = parts.reduce((sum, part) => sum + part.length, 0);
    if (size + bytes.length > keptFileLimit) return;
    parts.push(Buffer.from(bytes));
    this.#kept.set(path, parts);
  }
}
