/**
 * The backup's pipes with a stand-in for mariabackup (a shell script on PATH that writes
 * bytes to its stdout and mariabackup's lines to its stderr), real zstd, real nice and a real
 * folder destination: the stream goes from the stand-in to zstd without the agent, the
 * position and the size are read from the two stderrs, and a failure of either leaves nothing
 * stored.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BackupStream } from "../../../src/backup/backup-stream.js";
import { backupPosition } from "../../../src/backup/backup-info.js";
import { dataFileName, type BackupDestination } from "../../../src/destination/destination.js";
import { DirectoryDestination } from "../../../src/destination/directory-destination.js";

const uuid = "2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e";
const root = mkdtempSync(join(tmpdir(), "gp-backup-stream-"));
const bin = join(root, "bin");
const savedPath = process.env["PATH"];
let runs = 0;

/** The stand-in: `script` runs as mariabackup (its arguments are ignored). */
function mariabackupDoes(script: string): void {
  writeFileSync(join(bin, "mariabackup"), `#!/bin/sh\n${script}\n`);
  chmodSync(join(bin, "mariabackup"), 0o755);
}

/**
 * A folder destination (zstd writes the file itself, the agent follows it), or, with `relay`,
 * the same folder as a destination that takes only a stream (as S3 does: zstd's stdout read
 * by the agent and handed on).
 */
function destinationIn(folder: string, relay: boolean): BackupDestination {
  const folderDestination = new DirectoryDestination(folder);
  return relay ? Object.assign(folderDestination, { writeDataIn: undefined }) : folderDestination;
}

async function backUp(cpu = { threads: 2, lowPriority: true }, signal?: AbortSignal, relay = false) {
  const folder = join(root, `dest-${++runs}`);
  mkdirSync(folder);
  const scratch = join(root, `scratch-${runs}`);
  mkdirSync(scratch);
  const stream = new BackupStream();
  const run = stream.run({
    defaultsFile: "/nonexistent/my.cnf",
    socket: "/nonexistent/mysqld.sock",
    scratchDir: scratch,
    destination: destinationIn(folder, relay),
    id: "20261207T024000Z-n2",
    cpu,
    ...(signal ? { signal } : {}),
  });
  return { stream, run, stored: join(folder, "20261207T024000Z-n2", dataFileName) };
}

describe("a backup's stream (a stand-in for mariabackup, real zstd and nice)", () => {
  before(() => {
    mkdirSync(bin);
    process.env["PATH"] = `${bin}:${savedPath}`;
  });
  after(() => {
    process.env["PATH"] = savedPath;
    rmSync(root, { recursive: true, force: true });
  });

  for (const [cpu, relay] of [
    [{ threads: 2, lowPriority: true }, false],
    [{ threads: 1, lowPriority: false }, false],
    [{ threads: 2, lowPriority: true }, true],
  ] as const) {
    it(`stores what mariabackup wrote, compressed, with its size, position lines and sha256 (${cpu.threads} thread(s), ${cpu.lowPriority ? "nice 19" : "normal priority"}, ${relay ? "relayed by the agent" : "written by zstd"})`, async () => {
      mariabackupDoes(
        [
          `echo "[00] 2026-12-07 02:40:10 Connecting to server host: localhost" >&2`,
          // 2 MiB of text and 4 MiB of noise in pauses (the stored file grows while it is
          // followed), then the lines mariabackup prints once it wrote the info files.
          `yes "galera-pilot backup stream" | head -c 2097152`,
          `for part in 1 2 3 4; do head -c 1048576 /dev/urandom; sleep 0.1; done`,
          `echo "[00] 2026-12-07 02:40:11 Writing Galera info succeeded with ${uuid}:1841 0" >&2`,
          `echo "[00] 2026-12-07 02:40:11 MySQL binlog position: filename 'mariadb-bin.000003', position '1234', GTID of the last change '0-1-42'" >&2`,
          `printf '[00] 2026-12-07 02:40:12 completed OK!' >&2`,
          // the nice level it ran at, for the test
          `echo "nice $(nice)" >&2; nice > ${join(root, "nice-level")}`,
        ].join("\n"),
      );
      const { run, stored } = await backUp(cpu, undefined, relay);
      const streamed = await run;
      assert.equal(streamed.bytesStreamed, 6_291_456);
      const bytes = readFileSync(stored);
      assert.equal(streamed.bytesStored, bytes.length);
      assert.equal(streamed.sha256, createHash("sha256").update(bytes).digest("hex"));
      const unpacked = spawnSync("zstd", ["-q", "-d", "-c"], { input: bytes, maxBuffer: 1 << 24 });
      assert.equal(unpacked.stdout.length, 6_291_456);
      assert.ok(bytes.length > 4_194_304 && bytes.length < 4_400_000, `compressed to ${bytes.length} bytes`);
      assert.deepEqual(backupPosition(streamed.positionLines), {
        position: { uuid, seqno: 1841 },
        gtid: "0-1-42",
      });
      assert.equal(readFileSync(join(root, "nice-level"), "utf8").trim(), cpu.lowPriority ? "19" : "0");
    });
  }

  for (const relay of [false, true]) {
    it(`fails with mariabackup's last lines when it exits non-zero, and leaves nothing stored (${relay ? "relayed" : "written by zstd"})`, async () => {
      mariabackupDoes(
        [
          `yes stream | head -c 1000000`,
          `echo "[00] 2026-12-07 02:40:11 Error: failed to read the redo log" >&2`,
          `exit 1`,
        ].join("\n"),
      );
      const { run, stored } = await backUp(undefined, undefined, relay);
      await assert.rejects(run, {
        message:
          "mariabackup exited with status 1: [00] 2026-12-07 02:40:11 Error: failed to read the redo log",
      });
      assert.equal(existsSync(stored), false);
      assert.equal(existsSync(`${stored}.partial`), false);
    });
  }

  it("names zstd's failure, not mariabackup's broken pipe, when zstd could not write the stored file", async () => {
    mariabackupDoes(
      [
        // mariabackup writes on until its pipe breaks, then says so and fails.
        `yes stream | head -c 50000000`,
        `echo 'mariabackup: Error writing file UNKNOWN (errno: 32 "Broken pipe")' >&2`,
        `exit 1`,
      ].join("\n"),
    );
    // A zstd that reads a little, then finds the disk full (its own words).
    writeFileSync(
      join(bin, "zstd"),
      // It writes part of its output (the stored file, its stdout) before it fails.
      `#!/bin/sh\nhead -c 65536\necho "zstd: error 70 : Write error : cannot write block : No space left on device " >&2\nexit 70\n`,
    );
    chmodSync(join(bin, "zstd"), 0o755);
    try {
      const { run, stored } = await backUp();
      await assert.rejects(
        run,
        /^Error: writing backup 20261207T024000Z-n2 to \S+ failed: zstd: error 70 : Write error : cannot write block : No space left on device$/,
      );
      assert.equal(existsSync(stored), false);
      assert.equal(existsSync(`${stored}.partial`), false);
    } finally {
      rmSync(join(bin, "zstd"));
    }
  });

  it("fails when mariabackup cannot be run", async () => {
    // A PATH with zstd and nice but no mariabackup.
    const without = join(root, "bin-without");
    mkdirSync(without, { recursive: true });
    for (const tool of ["zstd", "nice"]) {
      const found = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
      if (!existsSync(join(without, tool))) symlinkSync(found, join(without, tool));
    }
    process.env["PATH"] = without;
    try {
      for (const lowPriority of [false, true]) {
        const { run, stored } = await backUp({ threads: 1, lowPriority });
        await assert.rejects(run, /^Error: mariabackup could not be run \(is it installed\?\)/);
        assert.equal(existsSync(stored), false);
      }
    } finally {
      process.env["PATH"] = `${bin}:${savedPath}`;
    }
  });

  for (const relay of [false, true]) {
    it(`stops both children when asked, leaving nothing stored (${relay ? "relayed" : "written by zstd"})`, async () => {
      mariabackupDoes(`yes stream | head -c 1000000; exec sleep 30`);
      const abort = new AbortController();
      const { stream, run, stored } = await backUp(undefined, abort.signal, relay);
      const deadline = Date.now() + 5000;
      while (stream.bytesStreamed < 1_000_000 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      assert.ok(stream.bytesStreamed >= 1_000_000, `zstd read ${stream.bytesStreamed} bytes so far`);
      abort.abort();
      await assert.rejects(run, { message: "the backup was stopped before it ended" });
      assert.equal(existsSync(stored), false);
      assert.equal(existsSync(`${stored}.partial`), false);
    });
  }
});
