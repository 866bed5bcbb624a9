/**
 * Which of the binlog's transactions go into the archive, and when a segment is closed.
 * Pure: fed what the binlog reader completed (binlog/transaction-groups.ts) and the time;
 * the archiver (archive/binlog-archiver.ts) stores each segment it hands out and says so.
 *
 * - Only the cluster's domain is archived: a node's local events (its own domain) are not on
 *   the other nodes, so an archive continued from another node could not hold them, and a
 *   restore replays the cluster's history only.
 * - A transaction at or below the last one archived (or waiting) is one the archive has: read
 *   again after a takeover, it is skipped, so the archive holds each once per archiver.
 * - A transaction beyond the next expected is a gap: the transactions between are in no binlog
 *   this node still has. It is said (a note), never filled with a guess.
 * - A segment is closed once its oldest transaction has waited `maxDelayMs`, or it holds
 *   `maxBytes`, or the binlog's format changes (a new file with another Format_description:
 *   a segment is replayed under one).
 */
import type { BinlogTransaction, GroupsOutput } from "../binlog/transaction-groups.js";
import { BINLOG_MAGIC } from "../binlog/binlog-events.js";
import { segmentName } from "../model/archive-segment-name.js";

export interface ArchiveBatchConfig {
  domain: number;
  /** The node whose binlog this is (in the segment names). */
  node: string;
  maxDelayMs: number;
  maxBytes: number;
}

export type BatchNote =
  | { kind: "gap"; first: number; last: number }
  | { kind: "cut"; seqno: number }
  | { kind: "other-domain"; domain: number; seqno: number };

export interface ArchiveSegment {
  name: string;
  /** A binlog file of its own: the magic bytes, the Format_description event, the transactions. */
  bytes: Buffer;
  first: number;
  last: number;
  transactions: number;
}

interface Piece {
  format: Buffer;
  transactions: BinlogTransaction[];
  bytes: number;
  /** When its first transaction was read (the archiver's clock, ms). */
  since: number;
}

export class ArchiveBatch {
  readonly #config: ArchiveBatchConfig;
  #archived: number;
  #format: Buffer | null = null;
  #pieces: Piece[] = [];

  /** `archived`: the last sequence number the archive holds, 0 for none. */
  constructor(config: ArchiveBatchConfig, archived: number) {
    this.#config = config;
    this.#archived = archived;
  }

  /** The last sequence number stored. */
  get archived(): number {
    return this.#archived;
  }

  /** The last sequence number read: stored, or waiting in a segment not yet stored. */
  get lastRead(): number {
    const piece = this.#pieces.at(-1);
    return piece?.transactions.at(-1)?.seqno ?? this.#archived;
  }

  get waiting(): { transactions: number; bytes: number; since: number | null } {
    return {
      transactions: this.#pieces.reduce((n, p) => n + p.transactions.length, 0),
      bytes: this.#pieces.reduce((n, p) => n + p.bytes, 0),
      since: this.#pieces[0]?.since ?? null,
    };
  }

  take(output: GroupsOutput, now: number): BatchNote[] {
    if (output.kind === "format") {
      this.#format = output.event;
      return [];
    }
    if (output.kind === "cut") return [{ kind: "cut", seqno: output.seqno }];
    const transaction = output.transaction;
    if (transaction.domain !== this.#config.domain) {
      return [{ kind: "other-domain", domain: transaction.domain, seqno: transaction.seqno }];
    }
    const expected = this.lastRead + 1;
    if (transaction.seqno < expected) return [];
    const notes: BatchNote[] =
      transaction.seqno > expected && this.lastRead > 0
        ? [{ kind: "gap", first: expected, last: transaction.seqno - 1 }]
        : [];
    if (this.#format === null)
      throw new Error("a transaction was read before its file's Format_description event");
    let piece = this.#pieces.at(-1);
    if (piece === undefined || !piece.format.equals(this.#format) || notes.length > 0) {
      // A gap also closes the segment before it: a segment's transactions are consecutive.
      piece = { format: this.#format, transactions: [], bytes: 0, since: now };
      this.#pieces.push(piece);
    }
    piece.transactions.push(transaction);
    piece.bytes += transaction.bytes.length;
    return notes;
  }

  /** Whether the first segment should be stored now. */
  due(now: number): boolean {
    const first = this.#pieces[0];
    if (first === undefined) return false;
    return (
      this.#pieces.length > 1 ||
      first.bytes >= this.#config.maxBytes ||
      now - first.since >= this.#config.maxDelayMs
    );
  }

  /** The first segment to store (it stays until `stored()`), or null when nothing waits. */
  segment(): ArchiveSegment | null {
    const piece = this.#pieces[0];
    if (piece === undefined) return null;
    const transactions = piece.transactions;
    const first = transactions[0]!;
    const last = transactions.at(-1)!;
    return {
      name: segmentName({
        domain: this.#config.domain,
        first: first.seqno,
        last: last.seqno,
        firstTime: first.timestamp * 1000,
        lastTime: last.timestamp * 1000,
        node: this.#config.node,
      }),
      bytes: Buffer.concat([BINLOG_MAGIC, piece.format, ...transactions.map((t) => t.bytes)]),
      first: first.seqno,
      last: last.seqno,
      transactions: transactions.length,
    };
  }

  /**
   * Another archiver stored the transactions up to `seqno` (the destination says so): those
   * waiting here are dropped, so that none is stored twice.
   */
  storedElsewhere(seqno: number): void {
    if (seqno <= this.#archived) return;
    this.#archived = seqno;
    for (const piece of this.#pieces) {
      const kept = piece.transactions.filter((t) => t.seqno > seqno);
      piece.bytes = kept.reduce((n, t) => n + t.bytes.length, 0);
      piece.transactions = kept;
    }
    this.#pieces = this.#pieces.filter((p) => p.transactions.length > 0);
  }

  /** The segment `segment()` gave is durable: the archive now ends at its last transaction. */
  stored(): void {
    const piece = this.#pieces.shift();
    const last = piece?.transactions.at(-1);
    if (last !== undefined) this.#archived = last.seqno;
  }
}
