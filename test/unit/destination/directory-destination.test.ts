import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { DirectoryDestination } from "../../../src/destination/directory-destination.js";
import { DestinationError } from "../../../src/destination/destination-error.js";

const id = "20261206T210000Z-n2";

async function withFolder(check: (root: string) => Promise<void>): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "gp-destination-"));
  try {
    await check(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** A stream that gives `before` and then fails, as mariabackup's pipe does when it dies. */
function failingAfter(before: string): Readable {
  return new Readable({
    read() {
      this.push(before);
      this.destroy(new Error("mariabackup exited with status 1"));
    },
  });
}

describe("a folder as a backup destination", () => {
  it("stores a stream and a manifest in the backup's folder and reads them back", async () => {
    await withFolder(async (root) => {
      const destination = new DirectoryDestination(root);
      await destination.check();
      await destination.writeData(id, Readable.from(["XBSTCK01", "rest of the stream"]));
      await destination.writeManifest(id, '{"state":"running"}\n');
      await destination.writeManifest(id, '{"state":"complete"}\n');
      assert.equal(await text(await destination.readData(id)), "XBSTCK01rest of the stream");
      assert.deepEqual(await destination.listManifests(), [{ id, text: '{"state":"complete"}\n' }]);
      assert.deepEqual(readdirSync(join(root, id)).sort(), ["backup.mbstream.zst", "manifest.json"]);
    });
  });

  it("leaves no partial stream when the source fails mid-way, and says what happened", async () => {
    await withFolder(async (root) => {
      const destination = new DirectoryDestination(root);
      await assert.rejects(
        destination.writeData(id, failingAfter("half a stream")),
        (error: unknown) =>
          error instanceof DestinationError &&
          error.message === `writing backup ${id} to ${root} failed: mariabackup exited with status 1`,
      );
      assert.deepEqual(readdirSync(join(root, id)), []);
      await assert.rejects(destination.readData(id), DestinationError);
    });
  });

  it("never creates a missing root: an NFS mount that is absent fails loudly", async () => {
    await withFolder(async (root) => {
      const missing = join(root, "not-mounted");
      await assert.rejects(new DirectoryDestination(missing).check(), {
        message: `the backup folder ${missing} cannot be reached: no such file or folder (ENOENT)`,
      });
      assert.equal(existsSync(missing), false);
    });
  });

  it("refuses a root that is a file, or that cannot be written", async () => {
    await withFolder(async (root) => {
      const file = join(root, "file");
      writeFileSync(file, "x");
      await assert.rejects(new DirectoryDestination(file).check(), {
        message: `the backup destination ${file} is not a folder`,
      });
      if (process.getuid?.() === 0) return; // root writes through a mode of 0555
      chmodSync(root, 0o555);
      await assert.rejects(new DirectoryDestination(root).check(), /cannot be written: permission denied/);
    });
  });

  it("lists only folders named like backups, and skips one without a manifest", async () => {
    await withFolder(async (root) => {
      const destination = new DirectoryDestination(root);
      await destination.writeManifest("20261206T220000Z-n3", "{}\n");
      await destination.writeData(id, Readable.from(["only data"]));
      writeFileSync(join(root, "notes.txt"), "mine");
      assert.deepEqual(await destination.listManifests(), [{ id: "20261206T220000Z-n3", text: "{}\n" }]);
      assert.equal(await destination.readManifest(id), null);
    });
  });

  it("deletes a backup whole, and a missing one is no error", async () => {
    await withFolder(async (root) => {
      const destination = new DirectoryDestination(root);
      await destination.writeData(id, Readable.from(["data"]));
      await destination.writeManifest(id, "{}\n");
      await destination.deleteBackup(id);
      await destination.deleteBackup(id);
      assert.deepEqual(readdirSync(root), []);
    });
  });

  it("never lets a name that is not an id reach the file system", async () => {
    await withFolder(async (root) => {
      const destination = new DirectoryDestination(root);
      await assert.rejects(destination.deleteBackup("../etc"), {
        message: '"../etc" is not a backup id (like 20261206T210000Z-n2)',
      });
    });
  });

  it("lets exactly one of many claimers take a slot, and tells who did", async () => {
    await withFolder(async (root) => {
      const destination = new DirectoryDestination(root);
      assert.equal(await destination.slotHolder("20261207T020000Z"), null);
      const claims = await Promise.all(
        ["n1", "n2", "n3", "n1", "n2"].map((holder) => destination.claimSlot("20261207T020000Z", holder)),
      );
      assert.equal(claims.filter(Boolean).length, 1);
      const winner = ["n1", "n2", "n3", "n1", "n2"][claims.indexOf(true)];
      assert.equal(readFileSync(join(root, "slots", "20261207T020000Z.claim"), "utf8"), `${winner}\n`);
      assert.equal(await destination.slotHolder("20261207T020000Z"), winner);
      assert.equal(await destination.claimSlot("20261207T030000Z", "n3"), true);
      assert.equal(await destination.slotHolder("20261207T030000Z"), "n3");
      assert.equal(await destination.slotHolder("20261207T040000Z"), null);
    });
  });

  it("says why a slot's claim cannot be read", async () => {
    await withFolder(async (root) => {
      const destination = new DirectoryDestination(root);
      mkdirSync(join(root, "slots", "20261207T020000Z.claim"), { recursive: true });
      await assert.rejects(destination.slotHolder("20261207T020000Z"), {
        message: `reading the claim of slot 20261207T020000Z in ${root} failed: EISDIR: illegal operation on a directory, read (EISDIR)`,
      });
    });
  });
});

describe("a folder destination that vanishes", () => {
  it("is never made again: a write after the root is gone fails with ENOENT and creates nothing", async () => {
    await withFolder(async (parent) => {
      const root = join(parent, "mount");
      mkdirSync(root);
      const destination = new DirectoryDestination(root);
      await destination.check();
      rmSync(root, { recursive: true });
      await assert.rejects(destination.writeManifest(id, "{}\n"), {
        message: `writing the manifest of backup ${id} to ${root} failed: no such file or folder (ENOENT)`,
      });
      await assert.rejects(destination.writeData(id, Readable.from(["x"])), {
        message: `writing backup ${id} to ${root} failed: no such file or folder (ENOENT)`,
      });
      await assert.rejects(destination.claimSlot("20261207T020000Z", "n1"), /ENOENT/);
      assert.equal(existsSync(root), false);
    });
  });
});

describe("a folder destination's binlog archive", () => {
  const segment = "0-00000000000000000001-00000000000000000042_20261206T210000Z-20261206T211500Z.binlog";

  it("writes segments under archive/, lists, reads back and deletes them", async () => {
    await withFolder(async (root) => {
      const destination = new DirectoryDestination(root);
      assert.deepEqual(await destination.listArchiveSegments(), []);
      await destination.writeArchiveSegment(segment, Buffer.from("first events"));
      await destination.writeArchiveSegment(
        "0-00000000000000000043-00000000000000000050_20261206T211500Z-20261206T213000Z.binlog",
        Buffer.alloc(0),
      );
      assert.deepEqual(readdirSync(join(root, "archive")).sort(), [
        "0-00000000000000000001-00000000000000000042_20261206T210000Z-20261206T211500Z.binlog",
        "0-00000000000000000043-00000000000000000050_20261206T211500Z-20261206T213000Z.binlog",
      ]);
      assert.deepEqual((await destination.listArchiveSegments()).sort(), [
        "0-00000000000000000001-00000000000000000042_20261206T210000Z-20261206T211500Z.binlog",
        "0-00000000000000000043-00000000000000000050_20261206T211500Z-20261206T213000Z.binlog",
      ]);
      assert.equal((await destination.readArchiveSegment(segment)).toString(), "first events");
      assert.equal(
        (
          await destination.readArchiveSegment(
            "0-00000000000000000043-00000000000000000050_20261206T211500Z-20261206T213000Z.binlog",
          )
        ).length,
        0,
      );
      await destination.deleteArchiveSegment(segment);
      await destination.deleteArchiveSegment(segment);
      assert.deepEqual(await destination.listArchiveSegments(), [
        "0-00000000000000000043-00000000000000000050_20261206T211500Z-20261206T213000Z.binlog",
      ]);
    });
  });

  it("takes the same bytes written twice (a retry), refuses other bytes and keeps the stored ones", async () => {
    await withFolder(async (root) => {
      const destination = new DirectoryDestination(root);
      await destination.writeArchiveSegment(segment, Buffer.from("first events"));
      await destination.writeArchiveSegment(segment, Buffer.from("first events"));
      await assert.rejects(destination.writeArchiveSegment(segment, Buffer.from("other events")), {
        name: "DestinationError",
        message: `archive segment ${segment} is already stored in ${root} with other bytes; the stored one is kept and these were not written. A segment is written once: check that no other archiver writes to this destination`,
      });
      assert.equal(readFileSync(join(root, "archive", segment), "utf8"), "first events");
      assert.deepEqual(readdirSync(join(root, "archive")), [segment]);
    });
  });

  it("refuses a name that is not a segment's, and touches nothing", async () => {
    await withFolder(async (root) => {
      const destination = new DirectoryDestination(root);
      for (const name of [
        "../escape.binlog",
        "a/b.binlog",
        `${segment}.partial`,
        "no-ending",
        ".binlog",
        "",
      ]) {
        const refused = {
          message: `"${name}" is not an archive segment name (letters, digits, "_", "." or "-", then ".binlog"); nothing was touched`,
        };
        await assert.rejects(destination.writeArchiveSegment(name, Buffer.from("x")), refused);
        await assert.rejects(destination.readArchiveSegment(name), refused);
        await assert.rejects(destination.deleteArchiveSegment(name), refused);
      }
      assert.deepEqual(readdirSync(root), []);
      assert.equal(existsSync(join(root, "..", "escape.binlog")), false);
    });
  });

  it("leaves a .partial file out of the listing, and writes past one a cut-off write left", async () => {
    await withFolder(async (root) => {
      const destination = new DirectoryDestination(root);
      const second = "0-00000000000000000043-00000000000000000050_20261206T211500Z-20261206T213000Z.binlog";
      await destination.writeArchiveSegment(segment, Buffer.from("first events"));
      const partial = join(root, "archive", `${second}.0123456789ab.partial`);
      writeFileSync(partial, "half");
      assert.deepEqual(await destination.listArchiveSegments(), [segment]);
      await destination.writeArchiveSegment(second, Buffer.from("all"));
      assert.equal(readFileSync(join(root, "archive", second), "utf8"), "all");
      assert.deepEqual((await destination.listArchiveSegments()).sort(), [segment, second].sort());
      // The cut-off write's file is left as it was (no writer's file is removed by another).
      assert.equal(readFileSync(partial, "utf8"), "half");
      assert.deepEqual(
        readdirSync(join(root, "archive")).filter((n) => n.endsWith(".partial")),
        [`${second}.0123456789ab.partial`],
      );
    });
  });

  it("says which segment is missing when one is read that is not stored", async () => {
    await withFolder(async (root) => {
      const destination = new DirectoryDestination(root);
      await assert.rejects(
        destination.readArchiveSegment(segment),
        (error: unknown) =>
          error instanceof DestinationError &&
          error.message ===
            `archive segment ${segment} is not stored in ${root}: no such file or folder (ENOENT)`,
      );
    });
  });

  it("never makes a missing root: every archive call fails and creates nothing", async () => {
    await withFolder(async (parent) => {
      const root = join(parent, "not-mounted");
      const destination = new DirectoryDestination(root);
      await assert.rejects(destination.writeArchiveSegment(segment, Buffer.from("x")), {
        name: "DestinationError",
        message: `writing archive segment ${segment} to ${root} failed: no such file or folder (ENOENT)`,
      });
      await assert.rejects(destination.listArchiveSegments(), {
        name: "DestinationError",
        message: `the archive in ${root} cannot be listed: no such file or folder (ENOENT)`,
      });
      await assert.rejects(destination.readArchiveSegment(segment), DestinationError);
      await assert.rejects(destination.deleteArchiveSegment(segment), {
        name: "DestinationError",
        message: `deleting archive segment ${segment} from ${root} failed: no such file or folder (ENOENT)`,
      });
      assert.equal(existsSync(root), false);
    });
  });
});
