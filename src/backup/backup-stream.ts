/**
 * One physical backup, streamed: mariabackup writes an mbstream to its stdout; it passes the
 * tap (mbstream-tap.ts: the galera info kept, the framing checked), is compressed by zstd
 * (a child of its own, on its own core), counted and hashed (sha256 of the stored bytes) and
 * written to the destination while it is produced. Nothing is staged on the node's disk but
 * mariabackup's own small scratch folder.
 *
 * The stored stream is complete only when mariabackup exited 0 ("completed OK!"), the
 * framing closed every file, zstd exited 0 and the destination made every byte durable.
 * Until all of that is known the destination's writer is held open: the last bytes are
 * released only then, so a failure of any part fails the write, and the destination removes
 * what it had (destination.ts), rather than keeping a stream that would look whole.
 *
 * mariabackup connects as root over the node's socket (the unix_socket login the datadir was
 * initialised with): no password is passed, on the command line or elsewhere. It reads the
 * node's rendered config (--defaults-file), so it finds the datadir and InnoDB's settings as
 * mariadbd has them.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { BackupDestination } from "../destination/destination.js";
import { lastLines, waitForExit, type ChildExit } from "../process/child-exit.js";
import { MbstreamTap, type StreamSummary } from "./mbstream-tap.js";

export interface BackupStreamOptions {
  /** The node's rendered config file: mariabackup reads the datadir and InnoDB's settings there. */
  defaultsFile: string;
  socket: string;
  /** An empty folder for mariabackup's own few files (--target-dir); removed by the caller. */
  scratchDir: string;
  destination: BackupDestination;
  id: string;
  /** Ends the backup (mariabackup and zstd are stopped, the destination's write fails). */
  signal?: AbortSignal;
}

export interface StreamedBackup {
  /** Bytes of mbstream mariabackup produced. */
  bytesStreamed: number;
  /** Bytes stored (compressed). */
  bytesStored: number;
  /** sha256 of the stored bytes. */
  sha256: string;
  summary: StreamSummary;
}

/** A backup being streamed: its counters, read for progress while it runs. */
export class BackupStream {
  readonly #tap = new MbstreamTap();
  #stored = 0;

  get bytesStreamed(): number {
    return this.#tap.bytes;
  }

  get bytesStored(): number {
    return this.#stored;
  }

  /** Runs the backup to its end; rejects with one line naming the part that failed. */
  async run(options: BackupStreamOptions): Promise<StreamedBackup> {
    const startedAt = Date.now();
    const mariabackup = spawn(
      "mariabackup",
      [
        `--defaults-file=${options.defaultsFile}`,
        "--backup",
        "--stream=mbstream",
        "--galera-info",
        `--target-dir=${options.scratchDir}`,
        "--user=root",
        `--socket=${options.socket}`,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    // -1: the fastest level that still halves a datadir; one thread, so the node keeps a core.
    const zstd = spawn("zstd", ["-q", "-1", "-c"], { stdio: ["pipe", "pipe", "pipe"] });
    const log = tail(mariabackup);
    const zstdLog = tail(zstd);
    const mariabackupExit = waitForExit(mariabackup, startedAt);
    const zstdExit = waitForExit(zstd, startedAt);

    let failure: Error | null = null;
    const fail = (error: Error): Error => {
      failure ??= error;
      mariabackup.kill("SIGKILL");
      zstd.kill("SIGKILL");
      return failure;
    };
    const onAbort = (): void => void fail(new Error("the backup was stopped before it ended"));
    options.signal?.addEventListener("abort", onAbort, { once: true });

    // mariabackup → tap → zstd: this side ends when zstd has read the whole mbstream.
    const produced = pipeline(mariabackup.stdout, this.#tap, zstd.stdin).then(
      async () => {
        const exit = await mariabackupExit;
        if (exit.exitCode !== 0) throw new Error(`mariabackup ${describeExit(exit)}: ${lastLines(log(), 2)}`);
      },
      async (error: Error) => {
        const exit = await mariabackupExit;
        // A tap error on a stream cut by mariabackup's own failure: its exit says more.
        if (exit.exitCode !== 0 && failure === null) {
          throw new Error(`mariabackup ${describeExit(exit)}: ${lastLines(log(), 2)}`);
        }
        throw error;
      },
    );
    const compressed = produced.then(async () => {
      const exit = await zstdExit;
      if (exit.exitCode !== 0) throw new Error(`zstd ${describeExit(exit)}: ${lastLines(zstdLog(), 2)}`);
    });
    compressed.catch((error: Error) => fail(error));

    const hash = createHash("sha256");
    const stored = new Transform({
      transform: (chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) => {
        hash.update(chunk);
        this.#stored += chunk.length;
        callback(null, chunk);
      },
      // The write ends only once every part said it succeeded (see above).
      flush: (callback: TransformCallback) => {
        compressed.then(
          () => callback(),
          (error: Error) => callback(failure ?? error),
        );
      },
    });
    zstd.stdout.on("error", (error) => stored.destroy(error));
    zstd.stdout.pipe(stored);
    compressed.catch((error: Error) => stored.destroy(failure ?? error));
    try {
      await options.destination.writeData(options.id, stored);
      await compressed;
    } catch (error) {
      throw fail(error instanceof Error ? error : new Error(String(error)));
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
      mariabackup.kill("SIGKILL");
      zstd.kill("SIGKILL");
      await Promise.all([mariabackupExit, zstdExit]);
    }
    return {
      bytesStreamed: this.#tap.bytes,
      bytesStored: this.#stored,
      sha256: hash.digest("hex"),
      summary: this.#tap.summary(),
    };
  }
}

function describeExit(exit: ChildExit): string {
  if (exit.exitCode === 127) return "could not be run (is it installed?)";
  return exit.signal ? `was ended by ${exit.signal}` : `exited with status ${exit.exitCode}`;
}

/** Keeps a child's last 16 KiB of stderr, for the error line. */
function tail(child: ChildProcess): () => string {
  let text = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    text = (text + chunk.toString("utf8")).slice(-16_384);
  });
  return () => text;
}
