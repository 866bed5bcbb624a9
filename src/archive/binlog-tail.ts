/**
 * Follows the node's binlog as the server writes it: each read returns the transactions
 * completed since the last, from one file and then the next once the server rotated to it.
 * A transaction is returned only once its last event is in the file (binlog/transaction-
 * groups.ts); a half-written one waits for the next read.
 */
import { open, stat, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { BINLOG_MAGIC, wholeEvents } from "../binlog/binlog-events.js";
import { TransactionGroups, type GroupsOutput } from "../binlog/transaction-groups.js";
import { binlogFiles } from "./binlog-files.js";

/** At most this much is read per call: a long backlog is archived in steps, not in one buffer. */
const READ_BYTES = 4 * 1024 * 1024;

export class BinlogTail {
  #file: string;
  #handle: FileHandle | null = null;
  #position = 0;
  #carry = Buffer.alloc(0);
  #groups = new TransactionGroups();

  constructor(
    readonly datadir: string,
    startFile: string,
  ) {
    this.#file = startFile;
  }

  /** The file being read, and how far. */
  get at(): { file: string; position: number } {
    return { file: this.#file, position: this.#position };
  }

  /** What the binlog completed since the last read; [] when nothing new was written. */
  async read(): Promise<GroupsOutput[]> {
    const first = await this.#readCurrent();
    if (first.bytes > 0) return first.outputs;
    // Nothing new here: if the server has moved to a later file, this one is finished once a
    // read after seeing the later file finds nothing more (the server writes a file's last
    // event before it creates the next).
    const next = await this.#nextFile();
    if (next === null) return [];
    const last = await this.#readCurrent();
    if (last.bytes > 0) return last.outputs;
    // A file that ends inside an event was torn by a crash of the server: those bytes are
    // dropped, and the group they began is dropped when the next file's Format_description
    // arrives (a "cut").
    this.#carry = Buffer.alloc(0);
    await this.close();
    this.#file = next;
    this.#position = 0;
    return (await this.#readCurrent()).outputs;
  }

  async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = null;
    await handle?.close();
  }

  async #readCurrent(): Promise<{ outputs: GroupsOutput[]; bytes: number }> {
    this.#handle ??= await open(join(this.datadir, this.#file), "r");
    if (this.#position === 0) {
      const magic = Buffer.alloc(BINLOG_MAGIC.length);
      const { bytesRead } = await this.#handle.read(magic, 0, magic.length, 0);
      if (bytesRead < magic.length) return { outputs: [], bytes: 0 };
      if (!magic.equals(BINLOG_MAGIC)) {
        throw new Error(`${join(this.datadir, this.#file)} is not a binlog file (no magic bytes)`);
      }
      this.#position = magic.length;
    }
    const size = (await this.#handle.stat()).size;
    if (size <= this.#position) return { outputs: [], bytes: 0 };
    const chunk = Buffer.allocUnsafe(Math.min(size - this.#position, READ_BYTES));
    const { bytesRead } = await this.#handle.read(chunk, 0, chunk.length, this.#position);
    if (bytesRead === 0) return { outputs: [], bytes: 0 };
    this.#position += bytesRead;
    const buffer =
      this.#carry.length === 0
        ? chunk.subarray(0, bytesRead)
        : Buffer.concat([this.#carry, chunk.subarray(0, bytesRead)]);
    const { events, next } = wholeEvents(buffer, 0);
    const outputs: GroupsOutput[] = [];
    for (const event of events) outputs.push(...this.#groups.take(buffer, event));
    this.#carry = Buffer.from(buffer.subarray(next));
    return { outputs, bytes: bytesRead };
  }

  async #nextFile(): Promise<string | null> {
    const files = await binlogFiles(this.datadir);
    const index = files.indexOf(this.#file);
    if (index === -1) {
      // Purged while being read (the archiver fell days behind): stat throws, the read fails,
      // and the archiver starts again from the archive's end, where the gap is found and said.
      await stat(join(this.datadir, this.#file));
    }
    return files[index + 1] ?? null;
  }
}
