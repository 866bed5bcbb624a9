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
