import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  BINLOG_MAGIC,
  BinlogFormatError,
  EventType,
  wholeEvents,
} from "../../../src/binlog/binlog-events.js";
import { TransactionGroups, type GroupsOutput } from "../../../src/binlog/transaction-groups.js";
import {
  event,
  formatDescription,
  gtid,
  gtidList,
  innodbTransaction,
  query,
  rows,
  xid,
} from "../../support/binlog-builder.js";

/** Feeds `bytes` (events, no magic) in chunks cut at `cuts`, as a growing file is read. */
function readAll(bytes: Buffer, cuts: number[] = []): GroupsOutput[] {
  const groups = new TransactionGroups();
  const outputs: GroupsOutput[] = [];
  let carry = Buffer.alloc(0);
  const ends = [...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length];
  let from = 0;
  for (const end of ends) {
    carry = Buffer.concat([carry, bytes.subarray(from, end)]);
    from = end;
    const { events, next } = wholeEvents(carry, 0);
    for (const e of events) outputs.push(...groups.take(carry, e));
    carry = carry.subarray(next);
  }
  assert.equal(carry.length, 0, "every byte read as part of an event");
  return outputs;
}

const transactions = (outputs: GroupsOutput[]) =>
  outputs.flatMap((o) => (o.kind === "transaction" ? [o.transaction] : []));

void describe("wholeEvents", () => {
  void it("returns the whole events and where the partial one begins", () => {
    const a = query("BEGIN");
    const b = xid(7);
    const bytes = Buffer.concat([a, b.subarray(0, 10)]);
    const { events, next } = wholeEvents(bytes, 0);
    assert.equal(events.length, 1);
    assert.deepEqual(events[0], {
      type: EventType.query,
      timestamp: 1_800_000_000,
      serverId: 11,
      start: 0,
      end: a.length,
    });
    assert.equal(next, a.length);
  });

  void it("refuses a length no event has, naming the byte", () => {
    const bytes = Buffer.from(query("BEGIN"));
    bytes.writeUInt32LE(5, 9);
    assert.throws(
      () => wholeEvents(bytes, 0),
      (e: Error) => e instanceof BinlogFormatError && /at byte 0 claims 5 bytes/.test(e.message),
    );
    assert.ok(BINLOG_MAGIC.equals(Buffer.from("fe62696e", "hex")));
  });
});

void describe("TransactionGroups", () => {
  void it("makes one transaction of an InnoDB group, its bytes exactly the group's events", () => {
    const fde = formatDescription();
    const trx = innodbTransaction(7216, 41, { timestamp: 1_800_000_123, serverId: 187122 });
    const outputs = readAll(Buffer.concat([fde, gtidList(), trx]));
    assert.deepEqual(
      outputs.map((o) => o.kind),
      ["format", "transaction"],
    );
    const [format, transaction] = outputs;
    assert.ok(format?.kind === "format" && format.event.equals(fde) && format.checksums);
    assert.ok(transaction?.kind === "transaction");
    assert.deepEqual(
      { ...transaction.transaction, bytes: transaction.transaction.bytes.equals(trx) },
      { domain: 7216, seqno: 41, serverId: 187122, timestamp: 1_800_000_123, bytes: true },
    );
  });

  void it("ends a DDL (standalone) at its one Query event, and a non-transactional group at COMMIT or ROLLBACK", () => {
    const ddl = Buffer.concat([gtid(7216, 1, 1), query("CREATE TABLE t.a (id INT PRIMARY KEY)")]);
    const myisam = Buffer.concat([gtid(7216, 2), query("BEGIN"), ...rows("m"), query("COMMIT")]);
    const rolledBack = Buffer.concat([gtid(7216, 3), query("BEGIN"), ...rows("m"), query(" rollback ")]);
    const xaPrepare = Buffer.concat([
      gtid(7216, 4, 64),
      query("XA START 'x'"),
      ...rows("x"),
      event(EventType.xaPrepare, Buffer.alloc(20)),
    ]);
    const xaCommit = Buffer.concat([gtid(7216, 5, 128), query("XA COMMIT 'x'")]);
    const all = [ddl, myisam, rolledBack, xaPrepare, xaCommit];
    const found = transactions(readAll(Buffer.concat([formatDescription(), ...all])));
    assert.deepEqual(
      found.map((t) => t.seqno),
      [1, 2, 3, 4, 5],
    );
    found.forEach((t, i) => assert.ok(t.bytes.equals(all[i]!), `transaction ${t.seqno} whole`));
  });

  void it("reads the same transactions whatever chunks the bytes arrive in", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ domain: fc.integer({ min: 0, max: 2 ** 32 - 1 }), ddl: fc.boolean() }), {
          maxLength: 12,
        }),
        fc.array(fc.nat(4000), { maxLength: 20 }),
        (spec, cuts) => {
          const groups = spec.map((s, i) =>
            s.ddl
              ? Buffer.concat([gtid(s.domain, i + 1, 1), query("DROP TABLE t.x")])
              : innodbTransaction(s.domain, i + 1),
          );
          const bytes = Buffer.concat([formatDescription(), gtidList(), ...groups]);
          const whole = transactions(readAll(bytes));
          const chunked = transactions(readAll(bytes, cuts));
          assert.deepEqual(chunked, whole);
          assert.deepEqual(
            whole.map((t) => [t.domain, t.seqno]),
            spec.map((s, i) => [s.domain, i + 1]),
          );
          whole.forEach((t, i) => assert.ok(t.bytes.equals(groups[i]!)));
        },
      ),
    );
  });

  void it("drops a group that a new file's Format_description event cut short, saying which", () => {
    const cut = Buffer.concat([gtid(7216, 9), query("BEGIN"), ...rows("a")]);
    const outputs = readAll(
      Buffer.concat([formatDescription(), cut, formatDescription(), innodbTransaction(7216, 9)]),
    );
    assert.deepEqual(
      outputs.map((o) => o.kind),
      ["format", "cut", "format", "transaction"],
    );
    assert.deepEqual(outputs[1], { kind: "cut", domain: 7216, seqno: 9 });
  });

  void it("hands on the Format_description of a file being written as the server closes it: no in-use flag, its checksum valid", () => {
    const closed = formatDescription();
    const inUse = Buffer.from(closed);
    // The server sets the flag in the file it writes, and computes the CRC as if it were clear.
    inUse.writeUInt16LE(1, 17);
    const [format] = readAll(inUse);
    assert.ok(format?.kind === "format" && format.event.equals(closed));
  });

  void it("refuses an event whose checksum does not match", () => {
    const trx = Buffer.from(innodbTransaction(7216, 3));
    trx.writeUInt8(trx.readUInt8(trx.length - 10) ^ 0xff, trx.length - 10);
    assert.throws(
      () => readAll(Buffer.concat([formatDescription(), trx])),
      /type 16\) fails its CRC32 checksum: the binlog is damaged/,
    );
  });

  void it("reads a binlog written without checksums", () => {
    const trx = innodbTransaction(7216, 3, { checksum: false });
    const found = transactions(readAll(Buffer.concat([formatDescription(false), trx])));
    assert.ok(found.length === 1 && found[0]!.bytes.equals(trx));
  });

  void it("refuses a Gtid event inside an open group, an event outside any group, an encrypted binlog", () => {
    const twoGtids = Buffer.concat([formatDescription(), gtid(7216, 1), query("BEGIN"), gtid(7216, 2)]);
    assert.throws(() => readAll(twoGtids), /GTID 7216-11-1 is followed by another Gtid event before its end/);
    const stray = Buffer.concat([formatDescription(), query("BEGIN")]);
    assert.throws(() => readAll(stray), /type 2 at byte \d+ stands outside any transaction/);
    const encrypted = Buffer.concat([
      formatDescription(),
      event(EventType.startEncryption, Buffer.alloc(17)),
    ]);
    assert.throws(() => readAll(encrypted), /encrypted/);
  });
});
