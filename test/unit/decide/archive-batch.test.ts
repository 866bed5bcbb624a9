import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { BINLOG_MAGIC } from "../../../src/binlog/binlog-events.js";
import type { GroupsOutput } from "../../../src/binlog/transaction-groups.js";
import { ArchiveBatch } from "../../../src/decide/archive-batch.js";
import { parseSegmentName } from "../../../src/model/archive-segment-name.js";
import { formatDescription, innodbTransaction } from "../../support/binlog-builder.js";

const config = { domain: 7216, node: "n2", maxDelayMs: 400, maxBytes: 1024 * 1024 };
const format = (checksum = true): GroupsOutput => ({
  kind: "format",
  event: formatDescription(checksum),
  checksums: checksum,
});
const trx = (seqno: number, domain = 7216, timestamp = 1_800_000_000 + seqno): GroupsOutput => ({
  kind: "transaction",
  transaction: {
    domain,
    seqno,
    serverId: 187122,
    timestamp,
    bytes: innodbTransaction(domain, seqno, { timestamp }),
  },
});

void describe("ArchiveBatch", () => {
  void it("closes a segment once its oldest transaction waited the delay, as a binlog file of its own", () => {
    const batch = new ArchiveBatch(config, 40);
    batch.take(format(), 0);
    assert.deepEqual([...batch.take(trx(41), 1000), ...batch.take(trx(42), 1100)], []);
    assert.equal(batch.due(1399), false);
    assert.equal(batch.due(1400), true);
    const segment = batch.segment()!;
    assert.deepEqual(parseSegmentName(segment.name), {
      domain: 7216,
      first: 41,
      last: 42,
      firstTime: 1_800_000_041_000,
      lastTime: 1_800_000_042_000,
      node: "n2",
    });
    const expected = Buffer.concat([
      BINLOG_MAGIC,
      formatDescription(),
      innodbTransaction(7216, 41, { timestamp: 1_800_000_041 }),
      innodbTransaction(7216, 42, { timestamp: 1_800_000_042 }),
    ]);
    assert.ok(segment.bytes.equals(expected));
    assert.deepEqual(
      [segment.first, segment.last, segment.transactions, batch.archived, batch.lastRead],
      [41, 42, 2, 40, 42],
    );
    batch.stored();
    assert.deepEqual([batch.archived, batch.segment(), batch.due(5000)], [42, null, false]);
  });

  void it("closes it sooner when it holds the most bytes a segment may", () => {
    const batch = new ArchiveBatch({ ...config, maxBytes: innodbTransaction(7216, 1).length + 1 }, 0);
    batch.take(format(), 0);
    batch.take(trx(1), 0);
    assert.equal(batch.due(0), false);
    batch.take(trx(2), 0);
    assert.equal(batch.due(0), true);
  });

  void it("skips what the archive holds, other domains, and says so for the latter", () => {
    const batch = new ArchiveBatch(config, 42);
    batch.take(format(), 0);
    assert.deepEqual(batch.take(trx(41), 0), []);
    assert.deepEqual(batch.take(trx(42), 0), []);
    assert.deepEqual(batch.take(trx(5, 10_123), 0), [{ kind: "other-domain", domain: 10_123, seqno: 5 }]);
    assert.equal(batch.segment(), null);
    batch.take(trx(43), 0);
    assert.equal(batch.segment()!.first, 43);
  });

  void it("names a gap and never puts its two sides in one segment", () => {
    const batch = new ArchiveBatch(config, 10);
    batch.take(format(), 0);
    batch.take(trx(11), 0);
    assert.deepEqual(batch.take(trx(15), 0), [{ kind: "gap", first: 12, last: 14 }]);
    assert.equal(batch.due(0), true, "the segment before the gap closes at once");
    assert.deepEqual([batch.segment()!.first, batch.segment()!.last], [11, 11]);
    batch.stored();
    assert.deepEqual([batch.segment()!.first, batch.segment()!.last], [15, 15]);
  });

  void it("drops what another archiver stored meanwhile, and goes on after it", () => {
    const batch = new ArchiveBatch(config, 10);
    batch.take(format(), 0);
    for (const seqno of [11, 12, 13]) batch.take(trx(seqno), 0);
    batch.storedElsewhere(12);
    assert.deepEqual(
      [batch.archived, batch.segment()!.first, batch.segment()!.last, batch.waiting.transactions],
      [12, 13, 13, 1],
    );
    batch.storedElsewhere(20);
    assert.deepEqual([batch.archived, batch.segment(), batch.waiting.transactions], [20, null, 0]);
    assert.deepEqual(batch.take(trx(19), 0), []);
    batch.take(trx(21), 0);
    assert.equal(batch.segment()!.first, 21);
    batch.storedElsewhere(5);
    assert.equal(batch.archived, 20, "an older end changes nothing");
  });

  void it("starts an empty archive at the first transaction read, without a gap", () => {
    const batch = new ArchiveBatch(config, 0);
    batch.take(format(), 0);
    assert.deepEqual(batch.take(trx(500), 0), []);
    assert.equal(batch.segment()!.first, 500);
  });

  void it("passes on a group cut short, and starts a new segment under a new format", () => {
    const batch = new ArchiveBatch(config, 0);
    batch.take(format(), 0);
    batch.take(trx(1), 0);
    assert.deepEqual(batch.take({ kind: "cut", domain: 7216, seqno: 2 }, 0), [{ kind: "cut", seqno: 2 }]);
    batch.take(format(false), 0);
    batch.take(trx(2), 0);
    assert.equal(batch.due(0), true);
    assert.equal(batch.segment()!.last, 1);
    batch.stored();
    assert.ok(
      batch
        .segment()!
        .bytes.subarray(4)
        .subarray(0, formatDescription(false).length)
        .equals(formatDescription(false)),
    );
  });

  void it("stores every transaction of the domain once, in order, in consecutive segments", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 30 }), fc.nat(600)), { maxLength: 40 }),
        (reads) => {
          const batch = new ArchiveBatch(config, 0);
          batch.take(format(), 0);
          const stored: number[] = [];
          let now = 0;
          for (const [seqno, wait] of reads) {
            now += wait;
            batch.take(trx(seqno), now);
            while (batch.due(now)) {
              const s = batch.segment()!;
              for (let n = s.first; n <= s.last; n++) stored.push(n);
              batch.stored();
            }
          }
          for (let s = batch.segment(); s !== null; batch.stored(), s = batch.segment()) {
            for (let n = s.first; n <= s.last; n++) stored.push(n);
          }
          const expected: number[] = [];
          for (const [seqno] of reads) if (seqno > (expected.at(-1) ?? 0)) expected.push(seqno);
          // Segments hold consecutive runs, so the stored numbers are the expected ones and the gaps' neighbours.
          assert.deepEqual(
            stored.filter((n) => expected.includes(n)),
            expected,
          );
          assert.deepEqual(
            [...stored].sort((a, b) => a - b),
            stored,
          );
        },
      ),
    );
  });
});
