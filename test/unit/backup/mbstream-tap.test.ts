import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import fc from "fast-check";
import { MbstreamTap, type StreamSummary } from "../../../src/backup/mbstream-tap.js";
import { backupPosition } from "../../../src/backup/backup-info.js";

/** One mbstream chunk as MariaDB writes it (xbstream.h). */
function chunk(path: string, payload: Buffer | null, offset = 0): Buffer {
  const name = Buffer.from(path, "utf8");
  const head = Buffer.alloc(14);
  head.write("XBSTCK01", 0, "latin1");
  head[8] = 0;
  head[9] = (payload === null ? "E" : "P").charCodeAt(0);
  head.writeUInt32LE(name.length, 10);
  if (payload === null) return Buffer.concat([head, name]);
  const sizes = Buffer.alloc(20);
  sizes.writeBigUInt64LE(BigInt(payload.length), 0);
  sizes.writeBigUInt64LE(BigInt(offset), 8);
  sizes.writeUInt32LE(0, 16);
  return Buffer.concat([head, name, sizes, payload]);
}

/** A file as mariabackup streams it: payload chunks of at most `size` bytes, then its end chunk. */
function file(path: string, content: Buffer | string, size = 7): Buffer {
  const bytes = Buffer.from(content);
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) parts.push(chunk(path, bytes.subarray(at, at + size), at));
  return Buffer.concat([...parts, chunk(path, null)]);
}

const uuid = "b5297b93-f1cc-11f1-9d75-57821ab711f4";
const whole = Buffer.concat([
  file("ibdata1", Buffer.alloc(300, 7)),
  file("xtrabackup_galera_info", `${uuid}:3 0\n`),
  file("test/t.ibd", Buffer.alloc(50, 1)),
  file("xtrabackup_binlog_info", "mariadb-bin.000002\t3321\t0-1-41\n"),
  file("xtrabackup_info", "tool_name = mariabackup\n"),
]);

/** Passes `bytes` through a tap in slices of the given sizes; returns what came out and the summary. */
async function pass(bytes: Buffer, slices: number[] = [bytes.length]): Promise<[Buffer, StreamSummary]> {
  const pieces: Buffer[] = [];
  let at = 0;
  for (let i = 0; at < bytes.length; i += 1) {
    const size = Math.max(1, slices[i % slices.length]!);
    pieces.push(bytes.subarray(at, at + size));
    at += size;
  }
  const tap = new MbstreamTap();
  const out = await buffer(Readable.from(pieces).pipe(tap));
  return [out, tap.summary()];
}

describe("the mbstream tap", () => {
  it("passes the stream on unchanged and keeps the galera and binlog info", async () => {
    const [out, summary] = await pass(whole);
    assert.ok(out.equals(whole));
    assert.equal(summary.bytes, whole.length);
    assert.equal(summary.files, 5);
    assert.deepEqual(backupPosition(summary), { position: { uuid, seqno: 3 }, gtid: "0-1-41" });
  });

  it("reads the same however the stream is sliced (chunk headers split across reads)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }),
        async (slices) => {
          const [out, summary] = await pass(whole, slices);
          assert.ok(out.equals(whole));
          assert.equal(summary.files, 5);
          assert.deepEqual(backupPosition(summary), { position: { uuid, seqno: 3 }, gtid: "0-1-41" });
        },
      ),
      { numRuns: 200 },
    );
  });

  it("refuses a stream cut inside a file: inside a chunk, or with a file left open", async () => {
    // Framing cannot tell a stream cut between two whole files from a whole one: mariabackup's
    // exit status and the stored stream's sha256 cover that (backup-stream.ts, restore).
    const fileEnds = new Set<number>();
    for (let at = 0, i = 0; i < 5; i += 1) {
      const next = whole.indexOf(Buffer.from("XBSTCK01\0E", "latin1"), at);
      at = whole.indexOf("XBSTCK01", next + 1);
      fileEnds.add(at === -1 ? whole.length : at);
    }
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: whole.length - 1 }).filter((cut) => !fileEnds.has(cut)),
        async (cut) => {
          await assert.rejects(pass(whole.subarray(0, cut)), /^Error: the backup stream is cut short: /);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("passes a stream cut between two whole files: that is for the exit status and the checksum", async () => {
    const firstFile = file("ibdata1", Buffer.alloc(300, 7)).length;
    const [, summary] = await pass(whole.subarray(0, firstFile));
    assert.equal(summary.files, 1);
  });

  it("says where the stream was cut", async () => {
    const atFileEnd = whole.length - file("xtrabackup_info", "tool_name = mariabackup\n").length;
    await assert.rejects(pass(whole.subarray(0, atFileEnd + 20)), {
      message: `the backup stream is cut short: it ends inside a chunk, after ${atFileEnd + 20} bytes`,
    });
    const openFile = Buffer.concat([file("a", "xx"), chunk("ibdata1", Buffer.from("half"))]);
    await assert.rejects(pass(openFile), {
      message: `the backup stream is cut short: 1 file(s) were never closed (ibdata1 among them), after ${openFile.length} bytes`,
    });
  });

  it("refuses what is not an mbstream, and an empty stream", async () => {
    await assert.rejects(pass(Buffer.from("(\xb5/\xfd compressed, not unpacked", "latin1")), {
      message: 'the backup stream is not an mbstream: chunk at byte 0 starts with "(µ/ý com", not "XBSTCK01"',
    });
    await assert.rejects(pass(Buffer.alloc(0)), { message: "the backup stream is empty" });
    const odd = chunk("a", Buffer.from("x"));
    odd[9] = "S".charCodeAt(0);
    await assert.rejects(pass(odd), {
      message: 'the backup stream holds a chunk of type "S", which MariaDB does not write',
    });
  });
});

describe("the backup's position", () => {
  const kept = (entries: [string, string][]) => ({ kept: new Map(entries) });

  it("reads the newer file names first", () => {
    assert.deepEqual(
      backupPosition(
        kept([
          ["xtrabackup_galera_info", `${uuid}:3 0\n`],
          ["mariadb_backup_galera_info", `${uuid}:9 0\n`],
        ]),
      ),
      { position: { uuid, seqno: 9 }, gtid: null },
    );
  });

  it("has no GTID without the binary log, and ignores a binlog info without one", () => {
    assert.deepEqual(backupPosition(kept([["xtrabackup_galera_info", `${uuid}:12`]])), {
      position: { uuid, seqno: 12 },
      gtid: null,
    });
    assert.deepEqual(
      backupPosition(
        kept([
          ["xtrabackup_galera_info", `${uuid.toUpperCase()}:12 0`],
          ["xtrabackup_binlog_info", "mariadb-bin.000001\t328\t"],
        ]),
      ),
      { position: { uuid, seqno: 12 }, gtid: null },
    );
  });

  it("says what is wrong when the position is missing or not one", () => {
    assert.deepEqual(backupPosition(kept([])), {
      problem:
        "the backup stream holds no galera info (mariabackup --galera-info wrote none): its Galera position is unknown",
    });
    assert.deepEqual(backupPosition(kept([["xtrabackup_galera_info", "garbage:1"]])), {
      problem: 'the backup\'s galera info "garbage:1" is not UUID:SEQNO',
    });
    assert.deepEqual(backupPosition(kept([["xtrabackup_galera_info", `${uuid}:-1 0`]])), {
      problem: "the backup's galera info holds seqno -1: no committed position",
    });
  });
});
