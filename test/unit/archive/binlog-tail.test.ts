import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { binlogFiles, seqnoBeforeFile, startPoint } from "../../../src/archive/binlog-files.js";
import { BinlogTail } from "../../../src/archive/binlog-tail.js";
import { BINLOG_MAGIC, EventType } from "../../../src/binlog/binlog-events.js";
import type { GroupsOutput } from "../../../src/binlog/transaction-groups.js";
import { event, formatDescription, innodbTransaction } from "../../support/binlog-builder.js";

const domain = 7216;
const FORMAT = formatDescription();

let root = "";
let datadirs = 0;

before(() => {
  root = mkdtempSync(join(tmpdir(), "binlog-tail-test-"));
});

after(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A fresh, empty folder standing in for a server's datadir. */
function datadir(): string {
  const dir = join(root, `datadir-${++datadirs}`);
  mkdirSync(dir);
  return dir;
}

/** A Gtid_list event: count u32, then per GTID domain u32, server_id u32, seq_no u64. */
function gtidListOf(gtids: { domain: number; serverId: number; seqno: number }[]): Buffer {
  const body = Buffer.alloc(4 + gtids.length * 16);
  body.writeUInt32LE(gtids.length, 0);
  gtids.forEach((g, i) => {
    body.writeUInt32LE(g.domain, 4 + i * 16);
    body.writeUInt32LE(g.serverId, 8 + i * 16);
    body.writeBigUInt64LE(BigInt(g.seqno), 12 + i * 16);
  });
  return event(EventType.gtidList, body);
}

/** A Rotate event, the last one the server writes into a file it closes: position u64, next file's name. */
function rotate(next: string): Buffer {
  const body = Buffer.alloc(8);
  body.writeBigUInt64LE(4n, 0);
  return event(EventType.rotate, Buffer.concat([body, Buffer.from(next, "latin1")]));
}

/** The start of a binlog file: magic, Format_description, Gtid_list (`before`: the domain's last seqno). */
function fileStart(before: number | null): Buffer {
  const list = before === null ? [] : [{ domain, serverId: 11, seqno: before }];
  return Buffer.concat([BINLOG_MAGIC, FORMAT, gtidListOf(list)]);
}

function write(dir: string, file: string, ...parts: Buffer[]): void {
  writeFileSync(join(dir, file), Buffer.concat(parts));
}

function append(dir: string, file: string, ...parts: Buffer[]): void {
  appendFileSync(join(dir, file), Buffer.concat(parts));
}

const formatOutput: GroupsOutput = { kind: "format", event: FORMAT, checksums: true };

function transactionOutput(seqno: number, timestamp = 1_800_000_000, serverId = 11): GroupsOutput {
  return {
    kind: "transaction",
    transaction: {
      domain,
      seqno,
      serverId,
      timestamp,
      bytes: innodbTransaction(domain, seqno, { timestamp, serverId }),
    },
  };
}

void describe("binlogFiles", () => {
  void it("lists the binlog files by number, ignoring the index and every other name", async () => {
    const dir = datadir();
    for (const name of [
      "binlog.000010",
      "binlog.index",
      "binlog.000002",
      "binlog.1000000",
      "binlog.999999",
      "binlog.000001",
      "binlog.state",
      "binlog.00003",
      "binlog.000004.tmp",
      "mysql-bin.000003",
      "relay-bin.000005",
      "ibdata1",
    ]) {
      writeFileSync(join(dir, name), "");
    }
    assert.deepEqual(await binlogFiles(dir), [
      "binlog.000001",
      "binlog.000002",
      "binlog.000010",
      "binlog.999999",
      "binlog.1000000",
    ]);
  });

  void it("returns no files for a datadir without binlogs", async () => {
    const dir = datadir();
    writeFileSync(join(dir, "binlog.index"), "");
    assert.deepEqual(await binlogFiles(dir), []);
  });
});

void describe("seqnoBeforeFile", () => {
  void it("reads the highest seqno of the domain from the file's Gtid_list", async () => {
    const dir = datadir();
    write(
      dir,
      "binlog.000003",
      BINLOG_MAGIC,
      FORMAT,
      gtidListOf([
        { domain: 1, serverId: 11, seqno: 99 },
        { domain, serverId: 11, seqno: 40 },
        { domain, serverId: 12, seqno: 42 },
        { domain, serverId: 13, seqno: 41 },
      ]),
      innodbTransaction(domain, 43),
    );
    assert.equal(await seqnoBeforeFile(dir, "binlog.000003", domain), 42);
    assert.equal(await seqnoBeforeFile(dir, "binlog.000003", 1), 99);
  });

  void it("returns 0 when the Gtid_list has none of the domain", async () => {
    const dir = datadir();
    write(dir, "binlog.000001", BINLOG_MAGIC, FORMAT, gtidListOf([{ domain: 1, serverId: 11, seqno: 99 }]));
    assert.equal(await seqnoBeforeFile(dir, "binlog.000001", domain), 0);
    write(dir, "binlog.000002", BINLOG_MAGIC, FORMAT, gtidListOf([]));
    assert.equal(await seqnoBeforeFile(dir, "binlog.000002", domain), 0);
  });

  void it("returns null while the file's start is not written whole yet", async () => {
    const dir = datadir();
    write(dir, "binlog.000001");
    assert.equal(await seqnoBeforeFile(dir, "binlog.000001", domain), null);
    write(dir, "binlog.000002", BINLOG_MAGIC.subarray(0, 2));
    assert.equal(await seqnoBeforeFile(dir, "binlog.000002", domain), null);
    write(dir, "binlog.000003", BINLOG_MAGIC);
    assert.equal(await seqnoBeforeFile(dir, "binlog.000003", domain), null);
    write(dir, "binlog.000004", BINLOG_MAGIC, FORMAT);
    assert.equal(await seqnoBeforeFile(dir, "binlog.000004", domain), null);
    const list = gtidListOf([{ domain, serverId: 11, seqno: 5 }]);
    write(dir, "binlog.000005", BINLOG_MAGIC, FORMAT, list.subarray(0, list.length - 1));
    assert.equal(await seqnoBeforeFile(dir, "binlog.000005", domain), null);
    append(dir, "binlog.000005", list.subarray(list.length - 1));
    assert.equal(await seqnoBeforeFile(dir, "binlog.000005", domain), 5);
  });

  void it("refuses a file that is not a binlog, naming it", async () => {
    const dir = datadir();
    writeFileSync(join(dir, "binlog.000001"), "not a binlog at all");
    await assert.rejects(seqnoBeforeFile(dir, "binlog.000001", domain), {
      message: `${join(dir, "binlog.000001")} is not a binlog file (it does not begin with the binlog's magic bytes)`,
    });
  });
});

void describe("startPoint", () => {
  void it("starts at the newest file that began at or before the archived seqno", async () => {
    const dir = datadir();
    write(dir, "binlog.000001", fileStart(null), innodbTransaction(domain, 1));
    write(dir, "binlog.000002", fileStart(5), innodbTransaction(domain, 6));
    write(dir, "binlog.000010", fileStart(9), innodbTransaction(domain, 10));
    writeFileSync(join(dir, "binlog.index"), "./binlog.000001\n./binlog.000002\n./binlog.000010\n");
    assert.deepEqual(await startPoint(dir, domain, 0), { file: "binlog.000001", missing: null });
    assert.deepEqual(await startPoint(dir, domain, 4), { file: "binlog.000001", missing: null });
    assert.deepEqual(await startPoint(dir, domain, 5), { file: "binlog.000002", missing: null });
    assert.deepEqual(await startPoint(dir, domain, 8), { file: "binlog.000002", missing: null });
    assert.deepEqual(await startPoint(dir, domain, 9), { file: "binlog.000010", missing: null });
    assert.deepEqual(await startPoint(dir, domain, 12), { file: "binlog.000010", missing: null });
  });

  void it("passes over a newest file whose start is not written yet", async () => {
    const dir = datadir();
    write(dir, "binlog.000001", fileStart(3), innodbTransaction(domain, 4));
    write(dir, "binlog.000002", BINLOG_MAGIC);
    assert.deepEqual(await startPoint(dir, domain, 4), { file: "binlog.000001", missing: null });
  });

  void it("starts at the oldest file and names the gap when it began after the archived seqno", async () => {
    const dir = datadir();
    write(dir, "binlog.000004", fileStart(20), innodbTransaction(domain, 21));
    write(dir, "binlog.000005", fileStart(30), innodbTransaction(domain, 31));
    assert.deepEqual(await startPoint(dir, domain, 12), {
      file: "binlog.000004",
      missing: { first: 13, last: 20 },
    });
    assert.deepEqual(await startPoint(dir, domain, 0), {
      file: "binlog.000004",
      missing: { first: 1, last: 20 },
    });
    assert.deepEqual(await startPoint(dir, domain, 19), {
      file: "binlog.000004",
      missing: { first: 20, last: 20 },
    });
    assert.deepEqual(await startPoint(dir, domain, 20), { file: "binlog.000004", missing: null });
  });

  void it("returns null when the datadir has no binlog file", async () => {
    const dir = datadir();
    assert.equal(await startPoint(dir, domain, 0), null);
    writeFileSync(join(dir, "binlog.index"), "");
    assert.equal(await startPoint(dir, domain, 7), null);
  });
});

void describe("BinlogTail.read", () => {
  void it("returns nothing for a new file until its events are written", async () => {
    const dir = datadir();
    write(dir, "binlog.000001");
    const tail = new BinlogTail(dir, "binlog.000001");
    try {
      assert.deepEqual(await tail.read(), []);
      assert.deepEqual(tail.at, { file: "binlog.000001", position: 0 });
      append(dir, "binlog.000001", BINLOG_MAGIC.subarray(0, 3));
      assert.deepEqual(await tail.read(), []);
      append(dir, "binlog.000001", BINLOG_MAGIC.subarray(3));
      assert.deepEqual(await tail.read(), []);
      assert.deepEqual(tail.at, { file: "binlog.000001", position: 4 });
      append(dir, "binlog.000001", FORMAT, gtidListOf([{ domain, serverId: 11, seqno: 0 }]));
      assert.deepEqual(await tail.read(), [formatOutput]);
      assert.deepEqual(await tail.read(), []);
      append(dir, "binlog.000001", innodbTransaction(domain, 1));
      assert.deepEqual(await tail.read(), [transactionOutput(1)]);
      assert.deepEqual(await tail.read(), []);
    } finally {
      await tail.close();
    }
  });

  void it("returns a transaction only once its last event is written", async () => {
    const dir = datadir();
    const transaction = innodbTransaction(domain, 2);
    // Gtid (42 bytes), BEGIN (45 bytes), then 10 bytes into the Table_map event.
    const cut = 42 + 45 + 10;
    write(dir, "binlog.000001", fileStart(0), innodbTransaction(domain, 1), transaction.subarray(0, cut));
    const tail = new BinlogTail(dir, "binlog.000001");
    try {
      assert.deepEqual(await tail.read(), [formatOutput, transactionOutput(1)]);
      append(dir, "binlog.000001", transaction.subarray(cut, cut + 30));
      assert.deepEqual(await tail.read(), []);
      append(dir, "binlog.000001", transaction.subarray(cut + 30));
      assert.deepEqual(await tail.read(), [transactionOutput(2)]);
      assert.deepEqual(tail.at, {
        file: "binlog.000001",
        position: fileStart(0).length + innodbTransaction(domain, 1).length + transaction.length,
      });
      assert.deepEqual(await tail.read(), []);
    } finally {
      await tail.close();
    }
  });

  void it("holds back a transaction cut inside an event header, from the file's first read on", async () => {
    const dir = datadir();
    const transaction = innodbTransaction(domain, 1);
    write(dir, "binlog.000001", fileStart(0), transaction.subarray(0, 42 + 7));
    const tail = new BinlogTail(dir, "binlog.000001");
    try {
      assert.deepEqual(await tail.read(), [formatOutput]);
      append(dir, "binlog.000001", transaction.subarray(42 + 7));
      assert.deepEqual(await tail.read(), [transactionOutput(1)]);
    } finally {
      await tail.close();
    }
  });

  void it("follows a rotation: the rest of the old file first, then the new file", async () => {
    const dir = datadir();
    write(dir, "binlog.000001", fileStart(0), innodbTransaction(domain, 1));
    const tail = new BinlogTail(dir, "binlog.000001");
    try {
      assert.deepEqual(await tail.read(), [formatOutput, transactionOutput(1)]);
      append(dir, "binlog.000001", innodbTransaction(domain, 2), rotate("binlog.000002"));
      write(dir, "binlog.000002", fileStart(2), innodbTransaction(domain, 3));
      assert.deepEqual(await tail.read(), [transactionOutput(2)]);
      assert.equal(tail.at.file, "binlog.000001");
      assert.deepEqual(await tail.read(), [formatOutput, transactionOutput(3)]);
      assert.deepEqual(tail.at, {
        file: "binlog.000002",
        position: fileStart(2).length + innodbTransaction(domain, 3).length,
      });
      assert.deepEqual(await tail.read(), []);
      append(dir, "binlog.000002", innodbTransaction(domain, 4));
      assert.deepEqual(await tail.read(), [transactionOutput(4)]);
    } finally {
      await tail.close();
    }
  });

  void it("moves to the next file in one read once the old one is read to its end", async () => {
    const dir = datadir();
    write(dir, "binlog.000001", fileStart(0), innodbTransaction(domain, 1), rotate("binlog.000002"));
    const tail = new BinlogTail(dir, "binlog.000001");
    try {
      assert.deepEqual(await tail.read(), [formatOutput, transactionOutput(1)]);
      write(dir, "binlog.000002");
      assert.deepEqual(await tail.read(), []);
      assert.deepEqual(tail.at, { file: "binlog.000002", position: 0 });
      append(dir, "binlog.000002", fileStart(1), innodbTransaction(domain, 2));
      assert.deepEqual(await tail.read(), [formatOutput, transactionOutput(2)]);
      write(dir, "binlog.000003", fileStart(2), innodbTransaction(domain, 3));
      assert.deepEqual(await tail.read(), [formatOutput, transactionOutput(3)]);
      assert.equal(tail.at.file, "binlog.000003");
    } finally {
      await tail.close();
    }
  });

  void it("reports a group torn by a crash as cut when the next file begins, and never returns it", async () => {
    const dir = datadir();
    const torn = innodbTransaction(domain, 2);
    // Gtid, BEGIN, then half of the Table_map event: the server died writing it.
    write(dir, "binlog.000001", fileStart(0), innodbTransaction(domain, 1), torn.subarray(0, 42 + 45 + 10));
    const tail = new BinlogTail(dir, "binlog.000001");
    try {
      assert.deepEqual(await tail.read(), [formatOutput, transactionOutput(1)]);
      assert.deepEqual(await tail.read(), []);
      // The restarted server opens a new file; its transaction 2 is not the torn one.
      const restarted = { timestamp: 1_800_000_600, serverId: 12 };
      write(dir, "binlog.000002", fileStart(1), innodbTransaction(domain, 2, restarted));
      assert.deepEqual(await tail.read(), [
        { kind: "cut", domain, seqno: 2 },
        formatOutput,
        transactionOutput(2, restarted.timestamp, restarted.serverId),
      ]);
      assert.equal(tail.at.file, "binlog.000002");
      append(dir, "binlog.000002", innodbTransaction(domain, 3));
      assert.deepEqual(await tail.read(), [transactionOutput(3)]);
    } finally {
      await tail.close();
    }
  });

  void it("drops a file's torn Gtid event without a cut: no group had begun", async () => {
    const dir = datadir();
    write(
      dir,
      "binlog.000001",
      fileStart(0),
      innodbTransaction(domain, 1),
      innodbTransaction(domain, 2).subarray(0, 30),
    );
    const tail = new BinlogTail(dir, "binlog.000001");
    try {
      assert.deepEqual(await tail.read(), [formatOutput, transactionOutput(1)]);
      write(dir, "binlog.000002", fileStart(1), innodbTransaction(domain, 2));
      assert.deepEqual(await tail.read(), [formatOutput, transactionOutput(2)]);
    } finally {
      await tail.close();
    }
  });
});
