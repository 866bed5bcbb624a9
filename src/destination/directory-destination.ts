import { createWriteStream } from "node:fs";
import { mkdir, link, open, readdir, readFile, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { backupIdPattern } from "../model/backup-manifest.js";
import {
  archiveFolder,
  archiveSegmentNamePattern,
  dataFileName,
  manifestFileName,
  slotFolder,
  type BackupDestination,
  type StoredManifest,
} from "./destination.js";
import { DestinationError, systemReason } from "./destination-error.js";

/**
 * Backups in a folder of this machine (or an NFS mount): the layout of destination.ts. The
 * folder must exist: it is never created, so that a mount that is missing fails loudly
 * instead of filling the node's own disk. Durability: the stream and each manifest are
 * fsync'd, then renamed into place, then their folder is fsync'd, so a crash leaves either
 * the old file or the new one, never a torn one (an NFS server that honours fsync keeps
 * the same promise).
 */
export class DirectoryDestination implements BackupDestination {
  readonly kind = "directory" as const;
  readonly description: string;

  constructor(readonly root: string) {
    this.description = root;
  }

  async check(): Promise<void> {
    const found = await stat(this.root).catch((error: unknown) => {
      throw new DestinationError(`the backup folder ${this.root} cannot be reached: ${systemReason(error)}`);
    });
    if (!found.isDirectory())
      throw new DestinationError(`the backup destination ${this.root} is not a folder`);
    const probe = join(this.root, `.galera-pilot-probe-${randomBytes(6).toString("hex")}`);
    try {
      await writeFile(probe, "probe\n", { flag: "wx" });
    } catch (error) {
      throw new DestinationError(`the backup folder ${this.root} cannot be written: ${systemReason(error)}`);
    }
    await unlink(probe).catch(() => undefined);
  }

  async writeData(id: string, data: Readable): Promise<void> {
    await this.#writeFile(id, async (partial) => {
      try {
        await pipeline(data, createWriteStream(partial, { flags: "wx" }));
      } catch (error) {
        throw this.#writeFailed(id, error);
      }
    });
  }

  writeDataIn(id: string, write: (path: string) => Promise<void>): Promise<void> {
    return this.#writeFile(id, write);
  }

  /** Both writes' one way: `write` fills the .partial file, then it is made durable and put in place. */
  async #writeFile(id: string, write: (path: string) => Promise<void>): Promise<void> {
    const folder = this.#folder(id);
    const final = join(folder, dataFileName);
    const partial = `${final}.partial`;
    try {
      await makeFolder(folder);
    } catch (error) {
      throw this.#writeFailed(id, error);
    }
    try {
      await write(partial);
    } catch (error) {
      await rm(partial, { force: true }).catch(() => undefined);
      throw error;
    }
    try {
      await fsyncPath(partial);
      await rename(partial, final);
      await fsyncPath(folder);
    } catch (error) {
      await rm(partial, { force: true }).catch(() => undefined);
      throw this.#writeFailed(id, error);
    }
  }

  /** A failure of the stream's write, as one line naming the backup and the folder. */
  #writeFailed(id: string, error: unknown): DestinationError {
    if (error instanceof DestinationError) return error;
    return new DestinationError(`writing backup ${id} to ${this.root} failed: ${systemReason(error)}`, {
      cause: error,
    });
  }

  async readData(id: string): Promise<Readable> {
    const path = join(this.#folder(id), dataFileName);
    const handle = await open(path, "r").catch((error: unknown) => {
      throw new DestinationError(`backup ${id} has no stored stream in ${this.root}: ${systemReason(error)}`);
    });
    // 1 MiB reads: a restore hashes the whole file, and 64 KiB ones cost it more calls.
    return handle.createReadStream({ highWaterMark: 1024 * 1024 });
  }

  localDataPath(id: string): string {
    return join(this.#folder(id), dataFileName);
  }

  async writeManifest(id: string, text: string): Promise<void> {
    const folder = this.#folder(id);
    const final = join(folder, manifestFileName);
    const temporary = `${final}.${randomBytes(4).toString("hex")}.tmp`;
    try {
      await makeFolder(folder);
      const handle = await open(temporary, "wx");
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, final);
      await fsyncPath(folder);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => undefined);
      throw new DestinationError(
        `writing the manifest of backup ${id} to ${this.root} failed: ${systemReason(error)}`,
        { cause: error },
      );
    }
  }

  async listManifests(): Promise<StoredManifest[]> {
    const names = await readdir(this.root).catch((error: unknown) => {
      throw new DestinationError(`the backup folder ${this.root} cannot be read: ${systemReason(error)}`);
    });
    const found: StoredManifest[] = [];
    for (const id of names.filter((name) => backupIdPattern.test(name)).sort()) {
      const text = await this.readManifest(id);
      if (text !== null) found.push({ id, text });
    }
    return found;
  }

  async readManifest(id: string): Promise<string | null> {
    try {
      return await readFile(join(this.#folder(id), manifestFileName), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw new DestinationError(
        `the manifest of backup ${id} in ${this.root} cannot be read: ${systemReason(error)}`,
      );
    }
  }

  async deleteBackup(id: string): Promise<void> {
    const folder = this.#folder(id);
    try {
      // The stream goes first: a folder with a manifest and no stream is seen as incomplete,
      // never the other way round.
      await rm(join(folder, dataFileName), { force: true });
      await rm(join(folder, `${dataFileName}.partial`), { force: true });
      await rm(join(folder, manifestFileName), { force: true });
      await rm(folder, { recursive: true, force: true });
    } catch (error) {
      throw new DestinationError(`deleting backup ${id} from ${this.root} failed: ${systemReason(error)}`);
    }
  }

  async claimSlot(slot: string, holder: string): Promise<boolean> {
    const folder = join(this.root, slotFolder);
    try {
      await makeFolder(folder);
      await writeFile(join(folder, `${slot}.claim`), `${holder}\n`, { flag: "wx" });
      await fsyncPath(folder);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw new DestinationError(`claiming slot ${slot} in ${this.root} failed: ${systemReason(error)}`);
    }
  }

  async slotHolder(slot: string): Promise<string | null> {
    try {
      return (await readFile(join(this.root, slotFolder, `${slot}.claim`), "utf8")).trim();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw new DestinationError(
        `reading the claim of slot ${slot} in ${this.root} failed: ${systemReason(error)}`,
      );
    }
  }

  async writeArchiveSegment(name: string, bytes: Buffer): Promise<void> {
    const final = this.#segmentPath(name);
    const folder = join(this.root, archiveFolder);
    // A name of its own per write: a .partial file left by a writer that died never blocks
    // the next try (it is left for `archive prune`, and never listed as a segment).
    const partial = `${final}.${randomBytes(6).toString("hex")}.partial`;
    try {
      // A first segment makes the archive's folder: the root's entry for it is made durable too.
      if (await makeFolder(folder)) await fsyncPath(this.root);
      const handle = await open(partial, "wx");
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      // link() never replaces: of two writers of one name, the second finds the first's file.
      const placed = await link(partial, final).then(
        () => true,
        (error: unknown) => {
          if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
          throw error;
        },
      );
      if (!placed) {
        // Stored already: a retry after a lost answer is no error; other bytes are refused.
        const stored = await readFile(final);
        if (!stored.equals(bytes)) throw this.#segmentHeldOtherBytes(name);
        await fsyncPath(final);
      }
      await fsyncPath(folder);
    } catch (error) {
      throw this.#segmentWriteFailed(name, error);
    } finally {
      await rm(partial, { force: true }).catch(() => undefined);
    }
  }

  async listArchiveSegments(after?: string): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(join(this.root, archiveFolder));
    } catch (error) {
      // No archive folder yet is an empty archive; no root is a destination that is not there.
      const rootFound = await stat(this.root).then(
        (found) => found.isDirectory(),
        () => false,
      );
      if ((error as NodeJS.ErrnoException).code === "ENOENT" && rootFound) return [];
      throw new DestinationError(`the archive in ${this.root} cannot be listed: ${systemReason(error)}`);
    }
    return names
      .filter((name) => archiveSegmentNamePattern.test(name) && (after === undefined || name > after))
      .sort();
  }

  async readArchiveSegment(name: string): Promise<Buffer> {
    const path = this.#segmentPath(name);
    try {
      return await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        throw new DestinationError(
          `archive segment ${name} is not stored in ${this.root}: ${systemReason(error)}`,
        );
      }
      throw new DestinationError(
        `archive segment ${name} in ${this.root} cannot be read: ${systemReason(error)}`,
      );
    }
  }

  async deleteArchiveSegment(name: string): Promise<void> {
    const path = this.#segmentPath(name);
    let failure: unknown;
    try {
      await unlink(path);
      return;
    } catch (error) {
      failure = error;
    }
    // A missing segment is no error; a missing root is: a mount that is gone deletes nothing.
    if ((failure as NodeJS.ErrnoException).code === "ENOENT") {
      failure = await stat(this.root).then(
        () => null,
        (error: unknown) => error,
      );
      if (failure === null) return;
    }
    throw new DestinationError(
      `deleting archive segment ${name} from ${this.root} failed: ${systemReason(failure)}`,
    );
  }

  /** A failure of a segment's write, as one line naming the segment and the folder. */
  #segmentWriteFailed(name: string, error: unknown): DestinationError {
    if (error instanceof DestinationError) return error;
    return new DestinationError(
      `writing archive segment ${name} to ${this.root} failed: ${systemReason(error)}`,
      { cause: error },
    );
  }

  #segmentHeldOtherBytes(name: string): DestinationError {
    return new DestinationError(
      `archive segment ${name} is already stored in ${this.root} with other bytes; the stored one is kept and these were not written. A segment is written once: check that no other archiver writes to this destination`,
    );
  }

  #segmentPath(name: string): string {
    // A segment's name is a file name: one that is not (a path, "..") never reaches the file system.
    if (!archiveSegmentNamePattern.test(name)) {
      throw new DestinationError(
        `"${name}" is not an archive segment name (letters, digits, "_", "." or "-", then ".binlog"); nothing was touched`,
      );
    }
    return join(this.root, archiveFolder, name);
  }

  #folder(id: string): string {
    // An id names a folder: one that is not an id (a path, "..") never reaches the file system.
    if (!backupIdPattern.test(id) || id.includes("..")) {
      throw new DestinationError(`"${id}" is not a backup id (like 20261206T210000Z-n2)`);
    }
    return join(this.root, id);
  }
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Makes one folder inside the root, never the root itself (not recursive): a root that
 * vanished (an NFS mount gone, a folder moved away) fails the write with ENOENT instead of
 * being made again on the node's own disk. True when it made the folder, false when it was there.
 */
async function makeFolder(path: string): Promise<boolean> {
  try {
    await mkdir(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return false;
  }
}
