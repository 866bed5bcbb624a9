/**
 * One physical backup, streamed: mariabackup writes an mbstream to its stdout, which is
 * zstd's stdin: the stream goes from one to the other through a pipe, never through the
 * agent. zstd compresses it on its own threads; the agent reads only zstd's output, the
 * compressed stream: counts and hashes it (sha256 of the stored bytes) and writes it to the
 * destination while it is produced. Nothing is staged on the node's disk but mariabackup's
 * own small scratch folder.
 *
 * The backup's position comes from mariabackup's stderr (backup-info.ts), the mbstream's size
 * from zstd's (zstd-report.ts), so that nobody has to read the uncompressed stream.
 *
 * The stored stream is complete only when mariabackup exited 0 ("completed OK!"), zstd
 * exited 0 and the destination made every byte durable. Until all of that is known the
 * destination's writer is held open: the last bytes are released only then, so a failure of
 * any part fails the write, and the destination removes what it had (destination.ts), rather
 * than keeping a stream that would look whole. A stream mariabackup cut short is one whose
 * mariabackup did not exit 0.
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
import { Transform, type TransformCallback } from "node:stream";
import type { BackupDestination } from "../destination/destination.js";
import { setTimeout as sleep } from "node:timers/promises";
import { lastLines, outputDrainMs, waitForExit, type ChildExit } from "../process/child-exit.js";
import { bytesReadBy } from "../process/proc-io.js";
import { defaultBackupCpu, type BackupCpu } from "../model/backup-cpu.js";
import { isPositionLine } from "./backup-info.js";
import { zstdTotals } from "./zstd-report.js";

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
    const startedAt = Date.now();
    const cpu = options.cpu ?? defaultBackupCpu;
    const low = (command: string, args: string[], stdio: StdioOptions): ChildProcess =>
      cpu.lowPriority
        ? spawn("nice", ["-n", "19", command, ...args], { stdio })
        : spawn(command, args, { stdio });
    // -1: the fastest level that still halves a datadir. -vv: its last line counts the bytes.
    const zstd = low("zstd", ["-vv", "-1", `-T${cpu.threads}`, "-c"], ["pipe", "pipe", "pipe"]);
    const mariabackup = low(
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
      ["ignore", zstd.stdin!, "pipe"],
    );
    // mariabackup holds the pipe's writing end now; once it exits, zstd reads the end of it.
    zstd.stdin!.destroy();
    this.#zstdPid = zstd.pid;
    const positionLines: string[] = [];
    const log = tail(mariabackup, (line) => {
      if (isPositionLine(line)) positionLines.push(line);
    });
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

    // Each exit is read with all its stderr: the lines that say the position and the totals come last.
    const produced = withOutput(mariabackupExit, log.ended).then((exit) => {
      if (exit.exitCode !== 0)
        throw new Error(`mariabackup ${describeExit(exit)}: ${lastLines(log.text(), 2)}`);
    });
    // zstd ends once mariabackup closed the pipe: a failed mariabackup is the first cause.
    const compressed = Promise.all([produced, withOutput(zstdExit, zstdLog.ended)]).then(([, exit]) => {
      if (exit.exitCode !== 0) throw new Error(`zstd ${describeExit(exit)}: ${lastLines(zstdLog.text(), 2)}`);
      const totals = zstdTotals(zstdLog.text());
      if (totals === null) {
        throw new Error(`zstd did not say how many bytes it compressed: ${lastLines(zstdLog.text(), 1)}`);
      }
      this.#streamed = totals.read;
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
    // A part may fail before the destination reads `stored`: its error is the run's (via
    // `compressed`), and the destination finds `stored` destroyed when it starts.
    stored.on("error", () => undefined);
    zstd.stdout!.on("error", (error) => stored.destroy(error));
    zstd.stdout!.pipe(stored);
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
      bytesStreamed: this.bytesStreamed,
      bytesStored: this.#stored,
      sha256: hash.digest("hex"),
      positionLines,
    };
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

/**
 * Keeps a child's last 16 KiB of stderr, for the error line, and hands each whole line to
 * `onLine` (mariabackup's position lines may be anywhere in its long log).
 */
function tail(
  child: ChildProcess,
  onLine?: (line: string) => void,
): { text: () => string; ended: Promise<void> } {
  let text = "";
  let partial = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    const received = chunk.toString("utf8");
    text = (text + received).slice(-16_384);
    if (!onLine) return;
    const lines = (partial + received).split("\n");
    partial = lines.pop()!.slice(-65_536);
    for (const line of lines) onLine(line);
  });
  const ended = new Promise<void>((resolve) => {
    if (!child.stderr) return resolve();
    child.stderr.once("close", () => {
      if (onLine && partial !== "") onLine(partial);
      partial = "";
      resolve();
    });
  });
  return { text: () => text, ended };
}
