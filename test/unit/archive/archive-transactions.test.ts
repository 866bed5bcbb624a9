import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  readSegment,
  replayStream,
  type ReplayedSoFar,
  type ReplayRange,
} from "../../../src/archive/archive-transactions.js";
import { BINLOG_MAGIC } from "../../../src/binlog/binlog-events.js";
import type { BackupDestination } from "../../../src/destination/destination.js";
import { segmentName, type SegmentSpan } from "../../../src/model/archive-segment-name.js";
import { formatDescription, innodbTransaction } from "../../support/binlog-builder.js";

const domain = 7216;
/** Transaction N commits at second 1_800_000_000 + N unless a test says otherwise. */
const base = 1_800_000_000;
const FORMAT = formatDescription();

const transaction = (seqno: number, timestamp = base + seqno) =>
  innodbTransaction(domain, seqno, { timestamp });

/** A segment named for `first`..`last`, holding `seqnos` (by default the same numbers). */
function segment(
  first: number,
  last: number,
  seqnos: number[] = range(first, last),
  timestamps: (seqno: number) => number = (seqno) => base + seqno,
  format: Buffer = FORMAT,
): { name: string; span: SegmentSpan; bytes: Buffer } {
  const span: SegmentSpan = {
    domain,
    first,
    last,
    firstTime: timestamps(first) * 1000,
    lastTime: timestamps(last) * 1000,
    node: "n2",
  };
  return {
    name: segmentName(span),
    span,
    bytes: Buffer.concat([BINLOG_MAGIC, format, ...seqnos.map((n) => transaction(n, timestamps(n)))]),
  };
}

function range(first: number, last: number): number[] {
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

/** A destination holding `segments`, counting the reads of each. */
function destination(segments: { name: string; bytes: Buffer }[]): {
  destination: BackupDestination;
  reads: string[];
} {
  const reads: string[] = [];
  const stored = new Map(segments.map((s) => [s.name, s.bytes]));
  const stand = {
    readArchiveSegment(name: string): Promise<Buffer> {
      reads.push(name);
      const bytes = stored.get(name);
      return bytes === undefined ? Promise.reject(new Error(`no segment ${name}`)) : Promise.resolve(bytes);
    },
  };
  return { destination: stand as unknown as BackupDestination, reads };
}

async function replay(
  segments: { name: string; span: SegmentSpan; bytes: Buffer }[],
  replayRange: Omit<ReplayRange, "domain">,
): Promise<{ bytes: Buffer; progress: ReplayedSoFar; reads: string[] }> {
  const { destination: stand, reads } = destination(segments);
  const progress: ReplayedSoFar = { transactions: 0, last: null };
  const chunks: Buffer[] = [];
  for await (const chunk of replayStream(stand, segments, { domain, ...replayRange }, progress)) {
    chunks.push(chunk);
  }
  return { bytes: Buffer.concat(chunks), progress, reads };
}

/** The stream a replay of `seqnos` must be: magic, Format_description, each transaction. */
function expected(seqnos: number[], timestamps: (seqno: number) => number = (n) => base + n): Buffer {
  return Buffer.concat([BINLOG_MAGIC, FORMAT, ...seqnos.map((n) => transaction(n, timestamps(n)))]);
}

const seqnosOf = (stream: Buffer) => readSegment(stream, "the stream").transactions.map((t) => t.seqno);

void describe("replayStream", () => {
  void it("starts with the magic bytes and the Format_description event, then each transaction once, in order", async () => {
    const segments = [segment(9, 9), segment(3, 8), segment(1, 5)];
    const { bytes, progress, reads } = await replay(segments, { after: 0, through: 9, notAfterSecond: null });
    assert.deepEqual(bytes, expected(range(1, 9)));
    assert.deepEqual(seqnosOf(bytes), range(1, 9));
    assert.deepEqual(progress, { transactions: 9, last: { seqno: 9, timestamp: base + 9 } });
    assert.deepEqual(reads, [segments[2]!.name, segments[1]!.name, segments[0]!.name]);
  });

  void it("starts after `after`, reading no segment that ends at or before it", async () => {
    const segments = [segment(1, 5), segment(6, 10), segment(3, 8)];
    const { bytes, progress, reads } = await replay(segments, {
      after: 6,
      through: 10,
      notAfterSecond: null,
    });
    assert.deepEqual(bytes, expected(range(7, 10)));
    assert.deepEqual(progress, { transactions: 4, last: { seqno: 10, timestamp: base + 10 } });
    assert.deepEqual(reads, [segments[2]!.name, segments[1]!.name]);
  });

  void it("stops at `through`, reading no segment that begins after it", async () => {
    const segments = [segment(1, 5), segment(6, 10), segment(11, 12)];
    const { bytes, progress, reads } = await replay(segments, { after: 2, through: 7, notAfterSecond: null });
    assert.deepEqual(bytes, expected(range(3, 7)));
    assert.deepEqual(progress, { transactions: 5, last: { seqno: 7, timestamp: base + 7 } });
    assert.deepEqual(reads, [segments[0]!.name, segments[1]!.name]);
  });

  void it("with a second, stops before the first transaction committed after it: a prefix, never a filter", async () => {
    // 5 is committed after the second, 6 and 7 within it again: neither is replayed.
    const times: Record<number, number> = {
      1: base,
      2: base + 1,
      3: base + 2,
      4: base + 2,
      5: base + 3,
      6: base + 1,
      7: base,
    };
    const at = (n: number) => times[n]!;
    const segments = [segment(1, 4, range(1, 4), at), segment(5, 7, range(5, 7), at)];
    const { bytes, progress } = await replay(segments, {
      after: 0,
      through: 7,
      notAfterSecond: (base + 2) * 1000,
    });
    assert.deepEqual(bytes, expected(range(1, 4), at));
    assert.deepEqual(progress, { transactions: 4, last: { seqno: 4, timestamp: base + 2 } });
    const none = await replay(segments, { after: 0, through: 7, notAfterSecond: (base - 1) * 1000 });
    assert.deepEqual(none.bytes, Buffer.concat([BINLOG_MAGIC, FORMAT]));
    assert.deepEqual(none.progress, { transactions: 0, last: null });
  });

  void it("with a second after every transaction, replays through `through`", async () => {
    const segments = [segment(1, 4), segment(5, 7)];
    const { bytes, progress } = await replay(segments, {
      after: 0,
      through: 7,
      notAfterSecond: (base + 99) * 1000,
    });
    assert.deepEqual(bytes, expected(range(1, 7)));
    assert.equal(progress.transactions, 7);
  });

  void it("counts the transactions yielded, never ahead of the stream read, and the last one", async () => {
    const segments = [segment(1, 3)];
    const { destination: stand } = destination(segments);
    const progress: ReplayedSoFar = { transactions: 0, last: null };
    const stream = replayStream(
      stand,
      segments,
      { domain, after: 0, through: 3, notAfterSecond: null },
      progress,
    );
    let chunks = 0;
    for await (const chunk of stream) {
      // Chunk 0 is the magic and the Format_description event; chunk N, transaction N.
      assert.deepEqual(chunk, chunks === 0 ? Buffer.concat([BINLOG_MAGIC, FORMAT]) : transaction(chunks));
      assert.ok(progress.transactions <= chunks);
      chunks += 1;
    }
    assert.equal(chunks, 4);
    assert.deepEqual(progress, { transactions: 3, last: { seqno: 3, timestamp: base + 3 } });
  });

  void it("yields a segment's other Format_description event before its transactions", async () => {
    const other = formatDescription(true, { timestamp: base + 50 });
    const segments = [segment(1, 2), segment(3, 4, [3, 4], undefined, other)];
    const { bytes } = await replay(segments, { after: 0, through: 4, notAfterSecond: null });
    assert.deepEqual(
      bytes,
      Buffer.concat([
        BINLOG_MAGIC,
        FORMAT,
        transaction(1),
        transaction(2),
        other,
        transaction(3),
        transaction(4),
      ]),
    );
  });

  void it("throws naming the first transaction no segment holds", async () => {
    const segments = [segment(1, 3), segment(5, 6)];
    await assert.rejects(replay(segments, { after: 0, through: 6, notAfterSecond: null }), {
      message: `the archive has no transaction 7216-…-4: segments resume at 5 (${segments[1]!.name})`,
    });
    await assert.rejects(replay(segments, { after: 0, through: 6, notAfterSecond: (base + 99) * 1000 }), {
      message: `the archive has no transaction 7216-…-4: segments resume at 5 (${segments[1]!.name})`,
    });
    await assert.rejects(replay([segment(1, 3)], { after: 0, through: 6, notAfterSecond: null }), {
      message: "the archive ends at 3, before 6",
    });
  });

  void it("throws for a segment whose transactions skip a number its name promises", async () => {
    const skipping = segment(1, 5, [1, 2, 4, 5]);
    await assert.rejects(replay([skipping], { after: 0, through: 5, notAfterSecond: null }), {
      message: `archive segment ${skipping.name} skips from 2 to 4: it does not hold what its name says`,
    });
  });

  void it("throws for a segment that holds fewer transactions than its name says, with a second too", async () => {
    const short = segment(1, 5, [1, 2, 3]);
    for (const notAfterSecond of [null, (base + 99) * 1000]) {
      await assert.rejects(replay([short], { after: 0, through: 5, notAfterSecond }), {
        message: "the archive ends at 3, before 5",
      });
    }
  });

  void it("yields every transaction of (after, through] once, whatever overlapping segments hold them", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 20 }), fc.nat(6)), { minLength: 1, maxLength: 6 }),
        fc.nat(20),
        fc.integer({ min: 1, max: 25 }),
        async (pairs, after, length) => {
          const segments = pairs.map(([first, n]) => segment(first, first + n));
          const held = new Set(segments.flatMap((s) => range(s.span.first, s.span.last)));
          const through = after + length;
          const wanted = range(after + 1, through);
          const result = replay(segments, { after, through, notAfterSecond: null });
          if (wanted.every((n) => held.has(n))) {
            const { bytes, progress } = await result;
            assert.deepEqual(seqnosOf(bytes), wanted);
            assert.equal(progress.transactions, wanted.length);
          } else {
            await assert.rejects(result);
          }
        },
      ),
    );
  });
});

void describe("readSegment", () => {
  const good = segment(1, 3);

  void it("reads a segment's Format_description event and its transactions", () => {
    const { format, transactions } = readSegment(good.bytes, good.name);
    assert.deepEqual(format, FORMAT);
    assert.deepEqual(
      transactions.map((t) => [t.domain, t.seqno, t.timestamp]),
      [1, 2, 3].map((n) => [domain, n, base + n]),
    );
    assert.deepEqual(transactions[1]!.bytes, transaction(2));
  });

  void it("refuses bytes that do not begin with the binlog's magic", () => {
    assert.throws(() => readSegment(good.bytes.subarray(BINLOG_MAGIC.length), good.name), {
      message: `archive segment ${good.name} does not begin with the binlog's magic bytes: it is not a segment`,
    });
    assert.throws(() => readSegment(Buffer.alloc(0), good.name), {
      message: `archive segment ${good.name} does not begin with the binlog's magic bytes: it is not a segment`,
    });
  });

  void it("refuses a segment cut short inside an event", () => {
    for (const cut of [1, 4, 20]) {
      assert.throws(() => readSegment(good.bytes.subarray(0, good.bytes.length - cut), good.name), {
        message: `archive segment ${good.name} ends inside an event: it is cut short`,
      });
    }
  });

  void it("refuses a segment whose event fails its CRC32", () => {
    const damaged = Buffer.from(good.bytes);
    const second = BINLOG_MAGIC.length + FORMAT.length + transaction(1).length;
    damaged.writeUInt8(damaged.readUInt8(second + 20) ^ 0xff, second + 20); // in transaction 2's Gtid event
    assert.throws(() => readSegment(damaged, good.name), {
      message: `archive segment ${good.name} is damaged: the event at byte ${second} (type 162) fails its CRC32 checksum: the binlog is damaged`,
    });
  });

  void it("refuses a segment without a Format_description event", () => {
    const bare = Buffer.concat([BINLOG_MAGIC, transaction(1)]);
    assert.throws(() => readSegment(bare, good.name), {
      message: `archive segment ${good.name} has no Format_description event`,
    });
  });
});
