/**
 * The archived transactions of a range, read back from the segments that hold them, as one
 * binlog stream a restore replays (`mariadb-binlog -`): the magic bytes, a Format_description
 * event, then each transaction once, in sequence order, from the one after `after` up to the
 * point. A transaction stored twice (two archivers for a moment) is taken once.
 */
import { BINLOG_MAGIC, wholeEvents } from "../binlog/binlog-events.js";
import { TransactionGroups, type BinlogTransaction } from "../binlog/transaction-groups.js";
import type { BackupDestination } from "../destination/destination.js";
import type { SegmentSpan } from "../model/archive-segment-name.js";

export interface ReplayRange {
  domain: number;
  /** The last sequence number the restored backup holds: replay starts after it. */
  after: number;
  /** The last sequence number to replay (inclusive). */
  through: number;
  /** With --to-time: stop before the first transaction committed after this second (ms, whole seconds). */
  notAfterSecond: number | null;
}

export interface ReplayedSoFar {
  transactions: number;
  last: { seqno: number; timestamp: number } | null;
}

/**
 * Yields the stream's bytes; `progress` is updated as transactions are yielded. Throws when a
 * segment holds something else than its name says, or a transaction of the range is missing.
 */
export async function* replayStream(
  destination: BackupDestination,
  segments: readonly { name: string; span: SegmentSpan }[],
  range: ReplayRange,
  progress: ReplayedSoFar,
): AsyncGenerator<Buffer> {
  const needed = segments
    .filter(
      (s) => s.span.domain === range.domain && s.span.last > range.after && s.span.first <= range.through,
    )
    .sort((a, b) => a.span.first - b.span.first || b.span.last - a.span.last);
  let next = range.after + 1;
  let format: Buffer | null = null;
  for (const segment of needed) {
    if (segment.span.last < next) continue;
    if (segment.span.first > next) {
      throw new Error(
        `the archive has no transaction ${range.domain}-…-${next}: segments resume at ${segment.span.first} (${segment.name})`,
      );
    }
    const { format: segmentFormat, transactions } = readSegment(
      await destination.readArchiveSegment(segment.name),
      segment.name,
    );
    if (format === null) {
      format = segmentFormat;
      yield Buffer.concat([BINLOG_MAGIC, format]);
    } else if (!format.equals(segmentFormat)) {
      format = segmentFormat;
      yield format;
    }
    for (const transaction of transactions) {
      if (transaction.domain !== range.domain || transaction.seqno < next) continue;
      if (transaction.seqno > range.through) return;
      if (transaction.seqno !== next) {
        throw new Error(
          `archive segment ${segment.name} skips from ${next - 1} to ${transaction.seqno}: it does not hold what its name says`,
        );
      }
      if (range.notAfterSecond !== null && transaction.timestamp * 1000 > range.notAfterSecond) return;
      yield transaction.bytes;
      progress.transactions += 1;
      progress.last = { seqno: transaction.seqno, timestamp: transaction.timestamp };
      next += 1;
    }
  }
  if (next <= range.through) {
    throw new Error(`the archive ends at ${next - 1}, before ${range.through}`);
  }
}

/** A segment's Format_description event and its transactions; throws for a damaged one. */
export function readSegment(
  bytes: Buffer,
  name: string,
): { format: Buffer; transactions: BinlogTransaction[] } {
  if (!bytes.subarray(0, BINLOG_MAGIC.length).equals(BINLOG_MAGIC)) {
    throw new Error(
      `archive segment ${name} does not begin with the binlog's magic bytes: it is not a segment`,
    );
  }
  const { events, next } = wholeEvents(bytes, BINLOG_MAGIC.length);
  if (next !== bytes.length) throw new Error(`archive segment ${name} ends inside an event: it is cut short`);
  const groups = new TransactionGroups();
  let format: Buffer | null = null;
  const transactions: BinlogTransaction[] = [];
  try {
    for (const event of events) {
      for (const output of groups.take(bytes, event)) {
        if (output.kind === "format") format = output.event;
        else if (output.kind === "transaction") transactions.push(output.transaction);
        else throw new Error(`transaction ${output.seqno} is cut short`);
      }
    }
  } catch (error) {
    throw new Error(
      `archive segment ${name} is damaged: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (format === null) throw new Error(`archive segment ${name} has no Format_description event`);
  return { format, transactions };
}
