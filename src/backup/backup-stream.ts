/**
 * One physical backup, streamed: mariabackup writes an mbstream to its stdout, which is
 * zstd's stdin: the stream goes from one to the other through a pipe, never through the
 * agent. zstd compresses it on its own threads. On a folder destination zstd writes the
 * stored file itself and the agent hashes it (sha256 of the stored bytes) as it grows; on S3
 * the agent reads zstd's output, hashes it and uploads it while it is produced. Nothing is
 * staged on the node's disk but mariabackup's own small scratch folder.
 *
 * The backup's position comes from mariabackup's stderr (backup-info.ts), the mbstream's size
 * from zstd's (zstd-report.ts), so that nobody has to read the uncompressed stream.
 *
 * The stored stream is complete only when mariabackup exited 0 ("completed OK!"), zstd
 * exited 0, the bytes hashed are the bytes zstd says it wrote, and the destination made every
 * byte durable. Until all of that is known the stream is not in place: the folder's file keeps
 * its .partial name (renamed only after), the S3 upload's last part is held back; a failure
 * of any part removes what was written (destination.ts), rather than keeping a stream that
 * would look whole. A stream mariabackup cut short is one whose mariabackup did not exit 0.
 *
 * Both children run at the lowest CPU priority by default (nice 19): on a busy node the
 * backup takes what the database leaves, and the foreground keeps its speed.
 *
 * mariabackup connects as root over the node's socket (the unix_socket login the datadir was
 * initialised with): no password is passed, on the command line or elsewhere. It reads the
 * node's rendered config (--defaults-file), so it finds the datadir and InnoDB's settings as
 * mariadbd has them.
 */
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { createHash } from "node:crypto";
import { open, type FileHandle } from "node:fs/promises";
import { Transform, type TransformCallback } from "node:stream";
import type { BackupDestination } from "../destination/destination.js";
import { DestinationError, systemReason } from "../destination/destination-error.js";
import { setTimeout as sleep } from "node:timers/promises";
import { lastLines, outputDrainMs, waitForExit, type ChildExit } from "../process/child-exit.js";
import { bytesReadBy } from "../process/proc-io.js";
import { stderrTail } from "../process/stderr-tail.js";
import { defaultBackupCpu, type BackupCpu } from "../model/backup-cpu.js";
import { isPositionLine } from "./backup-info.js";
import { zstdTotals, type ZstdTotals } from "./zstd-report.js";

export interface BackupStreamOptions {
  /** The node's rendered config file: mariabackup reads the datadir and InnoDB's settings there. */
  defaultsFile: string;
  socket: string;
  /** An empty folder for mariabackup's own few files (--target-dir); removed by the caller. */
  scratchDir: string;
  destination: BackupDestination;
  id: string;
  cpu?: BackupCpu;
  /** Ends the backup (mariabackup and zstd are stopped, the destination's write fails). */
  signal?: AbortSignal;
}

export interface StreamedBackup {
  /** Bytes of mbstream mariabackup produced (as zstd counted them). */
  bytesStreamed: number;
  /** Bytes stored (compressed). */
  bytesStored: number;
  /** sha256 of the stored bytes. */
  sha256: string;
  /** mariabackup's stderr lines that say the backup's position (backup-info.ts reads them). */
  positionLines: string[];
}

/** mariabackup piped into zstd, both running: what the two ways of storing share. */
interface Producing {
  mariabackup: ChildProcess;
  zstd: ChildProcess;
  /** Resolves with zstd's totals once both exited 0; rejects with the first failure's line. */
  compressed: Promise<ZstdTotals>;
  /** Both children have exited. */
  exited: Promise<unknown>;
  /** Stops both; the first failure given is the one reported. */
  fail(error: Error): Error;
  positionLines: string[];
}

/** A backup being streamed: its counters, read for progress while it runs. */
export class BackupStream {
  #stored = 0;
  #zstdPid: number | undefined;
  /** zstd's exact count, once it said it; until then what Linux counted it reading. */
  #streamed: number | null = null;
  #lastSeen = 0;

  get bytesStreamed(): number {
    if (this.#streamed !== null) return this.#streamed;
    this.#lastSeen = Math.max(this.#lastSeen, bytesReadBy(this.#zstdPid) ?? 0);
    return this.#lastSeen;
  }

  get bytesStored(): number {
    return this.#stored;
  }

  /** Runs the backup to its end; rejects with one line naming the part that failed. */
  async run(options: BackupStreamOptions): Promise<StreamedBackup> {
    const hash = createHash("sha256");
    const counted = (chunk: Buffer): void => {
      hash.update(chunk);
      this.#stored += chunk.length;
    };
    let produced: Producing | null = null;
    const onAbort = (): void => void produced?.fail(new Error("the backup was stopped before it ended"));
    options.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const { destination } = options;
      if (destination.writeDataIn) {
        // A folder: zstd writes the file itself, through a descriptor the agent opened (created,
        // read and write) and hands it as its stdout; the agent hashes what zstd wrote by
        // positional reads of the same descriptor (zstd alone moves its offset). Nothing is
        // looked up by path again until the stream is whole: a folder moved away mid-stream
        // fails the fsync and rename that follow, as for any other write.
        await destination.writeDataIn(options.id, async (path) => {
          const file = await open(path, "wx+").catch((error: unknown) => {
            throw new DestinationError(
              `writing backup ${options.id} to ${destination.description} failed: ${systemReason(error)}`,
            );
          });
          try {
            const running = this.#produce(options, file.fd, (exit, line) =>
              exit.exitCode === 127
                ? `zstd ${describeExit(exit)}`
                : `writing backup ${options.id} to ${destination.description} failed: ${line}`,
            );
            produced = running;
            if (options.signal?.aborted) onAbort();
            let done = false;
            void running.exited.then(() => (done = true));
            // Reading can fail only with the file's own error: said after any failure that stopped zstd.
            const following = followFile(file, () => done, counted).catch(async (error: unknown) => {
              await running.compressed;
              throw error;
            });
            const [compressed, followed] = await Promise.allSettled([running.compressed, following]);
            if (compressed.status === "rejected") throw compressed.reason;
            if (followed.status === "rejected") throw followed.reason;
            const mismatch = this.#countMismatch(compressed.value);
            if (mismatch) throw mismatch;
          } finally {
            // Closed before the file may be removed: an open descriptor would keep its space.
            await file.close();
          }
        });
      } else {
        produced = this.#produce(options, "pipe", (exit, line) => `zstd ${describeExit(exit)}: ${line}`);
        if (options.signal?.aborted) onAbort();
        await this.#relay(produced, options, counted);
      }
      await produced!.compressed;
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      throw (produced as Producing | null)?.fail(failure) ?? failure;
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
      const running = produced as Producing | null;
      if (running) {
        running.mariabackup.kill("SIGKILL");
        running.zstd.kill("SIGKILL");
        await running.exited;
      }
    }
    return {
      bytesStreamed: this.bytesStreamed,
      bytesStored: this.#stored,
      sha256: hash.digest("hex"),
      positionLines: produced!.positionLines,
    };
  }

  /** The stored bytes the agent hashed are not all zstd says it wrote: an error, else null. */
  #countMismatch(totals: ZstdTotals): Error | null {
    return totals.written === this.#stored
      ? null
      : new Error(`zstd says it wrote ${totals.written} bytes, but the agent hashed ${this.#stored}`);
  }

  /** Starts mariabackup into zstd; zstd's output goes to `stdout`: a pipe to the agent, or a file's descriptor. */
  #produce(
    options: BackupStreamOptions,
    stdout: "pipe" | number,
    zstdFailure: (exit: ChildExit, lastLine: string) => string,
  ): Producing {
    const startedAt = Date.now();
    const cpu = options.cpu ?? defaultBackupCpu;
    const low = (command: string, args: string[], stdio: StdioOptions): ChildProcess =>
      cpu.lowPriority
        ? spawn("nice", ["-n", "19", command, ...args], { stdio })
        : spawn(command, args, { stdio });
    // -1: the fastest level that still halves a datadir. -vv: its last line counts the bytes.
    const zstd = low("zstd", ["-vv", "-1", `-T${cpu.threads}`, "-c"], ["pipe", stdout, "pipe"]);
    // Watched at once: a spawn that fails says so by an 'error' event on the next tick.
    const zstdExit = waitForExit(zstd, startedAt);
    const zstdLog = stderrTail(zstd);
    if (!zstd.stdin) {
      // No process, so no pipe to hand on (EMFILE, ENOMEM): mariabackup is not started.
      zstd.kill("SIGKILL");
      throw new Error("zstd could not be started (no pipe to its stdin): nothing was started");
    }
    let mariabackup: ChildProcess;
    try {
      mariabackup = low(
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
        ["ignore", zstd.stdin, "pipe"],
      );
    } catch (error) {
      zstd.kill("SIGKILL");
      throw error;
    } finally {
      // mariabackup holds the pipe's writing end now (or nobody does): once it exits, zstd
      // reads the end of it.
      zstd.stdin.destroy();
    }
    const mariabackupExit = waitForExit(mariabackup, startedAt);
    this.#zstdPid = zstd.pid;
    const positionLines: string[] = [];
    const log = stderrTail(mariabackup, (line) => {
      if (isPositionLine(line)) positionLines.push(line);
    });

    let failure: Error | null = null;
    const fail = (error: Error): Error => {
      failure ??= error;
      mariabackup.kill("SIGKILL");
      zstd.kill("SIGKILL");
      return failure;
    };
    const zstdError = (exit: ChildExit): Error => new Error(zstdFailure(exit, lastLines(zstdLog.text(), 1)));
    // zstd failing by itself stops the backup at once: mariabackup would learn it only at its
    // next write, which a lock wait may delay, the node desynced meanwhile.
    void withOutput(zstdExit, zstdLog.ended).then((exit) => {
      if (exit.exitCode !== 0 && exit.signal === null && failure === null) fail(zstdError(exit));
    });
    // Each exit is read with all its stderr: the lines that say the position and the totals come
    // last. zstd reads to the pipe's end even when mariabackup fails, and exits 0: when zstd
    // fails by itself (not killed), its output did (a full disk, a folder gone), or it never ran,
    // and mariabackup's broken pipe is the consequence, not the cause.
    const compressed = Promise.all([
      withOutput(mariabackupExit, log.ended),
      withOutput(zstdExit, zstdLog.ended),
    ]).then(([mariabackupEnd, zstdEnd]) => {
      const zstdFailed = zstdEnd.exitCode !== 0;
      if (zstdFailed && zstdEnd.signal === null) throw zstdError(zstdEnd);
      if (mariabackupEnd.exitCode !== 0)
        throw new Error(`mariabackup ${describeExit(mariabackupEnd)}: ${lastLines(log.text(), 2)}`);
      if (zstdFailed) throw zstdError(zstdEnd);
      const totals = zstdTotals(zstdLog.text());
      if (totals === null) {
        throw new Error(`zstd did not say how many bytes it compressed: ${lastLines(zstdLog.text(), 1)}`);
      }
      this.#streamed = totals.read;
      return totals;
    });
    compressed.catch((error: Error) => fail(error));
    return {
      mariabackup,
      zstd,
      compressed: compressed.catch((error: Error) => Promise.reject(failure ?? error)),
      exited: Promise.all([mariabackupExit, zstdExit]),
      fail,
      positionLines,
    };
  }

  /**
   * Elsewhere (S3): zstd's stdout read by the agent, hashed and handed to the destination. The
   * destination's write is held open until every part said it succeeded (see above).
   */
  async #relay(
    produced: Producing,
    options: BackupStreamOptions,
    counted: (chunk: Buffer) => void,
  ): Promise<void> {
    const { compressed } = produced;
    const stored = new Transform({
      highWaterMark: relayBufferBytes,
      transform: (chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) => {
        counted(chunk);
        callback(null, chunk);
      },
      flush: (callback: TransformCallback) => {
        compressed.then(
          (totals) => {
            const mismatch = this.#countMismatch(totals);
            callback(mismatch && produced.fail(mismatch));
          },
          (error: Error) => callback(error),
        );
      },
    });
    // A part may fail before the destination reads `stored`: its error is the run's (via
    // `compressed`), and the destination finds `stored` destroyed when it starts.
    stored.on("error", () => undefined);
    produced.zstd.stdout!.on("error", (error) => stored.destroy(error));
    produced.zstd.stdout!.pipe(stored);
    compressed.catch((error: Error) => stored.destroy(error));
    await options.destination.writeData(options.id, stored);
  }
}

/** Bytes the relay buffers ahead of a slower destination, so that zstd seldom waits on it. */
const relayBufferBytes = 4 * 1024 * 1024;

/**
 * Reads a file another process is writing, from its start, as it grows, until `finished()`
 * (checked before each read, so a read that then finds nothing more is the true end): zstd
 * only appends to it. Positional reads: the descriptor's offset is the writer's. Each chunk goes to `onChunk` before the next read reuses the buffer.
 */
async function followFile(
  handle: FileHandle,
  finished: () => boolean,
  onChunk: (chunk: Buffer) => void,
): Promise<void> {
  const buffer = Buffer.allocUnsafe(1024 * 1024);
  let position = 0;
  for (;;) {
    const ended = finished();
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead > 0) {
      onChunk(buffer.subarray(0, bytesRead));
      position += bytesRead;
    } else if (ended) return;
    else await sleep(20);
  }
}

/** A child's exit once its stderr was read to its end (or a little after the exit, at the most). */
async function withOutput(exit: Promise<ChildExit>, ended: Promise<void>): Promise<ChildExit> {
  const exited = await exit;
  await Promise.race([ended, sleep(outputDrainMs, undefined, { ref: false })]);
  return exited;
}

function describeExit(exit: ChildExit): string {
  if (exit.exitCode === 127) return "could not be run (is it installed?)";
  return exit.signal ? `was ended by ${exit.signal}` : `exited with status ${exit.exitCode}`;
}
