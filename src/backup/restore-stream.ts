/**
 * A backup made a datadir again: its stored stream read from the destination, hashed and
 * compared with the manifest's sha256, decompressed (zstd) and
 * unpacked by `mbstream -x` into a scratch folder beside the target, prepared (`mariabackup
 * --prepare`: InnoDB's redo applied, so the files are consistent at the backup's position),
 * moved into the target (`--move-back`, renames on one file system), given a grastate.dat
 * with the backup's position and `safe_to_bootstrap: 1`, and given to the server's user.
 *
 * The target is never touched before the whole stream was read and its checksum matched and
 * the prepare succeeded: a corrupt, truncated or foreign backup leaves it as it was. The
 * target must be absent or empty (checked by the caller before, and again here).
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { chown, mkdir, mkdtemp, readdir, rm, rmdir, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { Transform, Writable, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { BackupDestination } from "../destination/destination.js";
import type { Position } from "../model/galera-state.js";
import { lastLines, runToCompletion, waitForExit, type ChildExit } from "../process/child-exit.js";
import { stderrTail } from "../process/stderr-tail.js";

export interface RestoreOptions {
  destination: BackupDestination;
  id: string;
  /** The manifest's sha256 of the stored stream. */
  sha256: string;
  /** The datadir to fill: absent or empty. */
  datadir: string;
  /** The server's OS user (mysql), who must own the restored files. */
  owner: { uid: number; gid: number };
  /** The backup's Galera position (its manifest's): written into grastate.dat. */
  position: Position;
  /** Called with bytes read so far, as they are read. */
  onBytes?: (read: number) => void;
}

export class RestoreFailed extends Error {}

/** Restores backup `id` into `datadir`; rejects with one line, the target left as it was. */
export async function restoreBackup(options: RestoreOptions): Promise<void> {
  const { datadir } = options;
  if ((await entries(datadir)).length > 0) {
    throw new RestoreFailed(`the datadir ${datadir} is not empty`);
  }
  // Beside the target, so that moving the prepared files in is a rename, not a copy.
  await mkdir(dirname(datadir), { recursive: true });
  const scratch = await mkdtemp(join(dirname(datadir), `.${basename(datadir)}.restoring-`));
  try {
    await unpack(options, scratch);
    const prepared = await runToCompletion("mariabackup", ["--prepare", `--target-dir=${scratch}`]);
    if (prepared.exitCode !== 0) {
      throw new RestoreFailed(
        `mariabackup --prepare failed (exit ${prepared.exitCode ?? prepared.signal}): ${lastLines(prepared.stderr, 2)}`,
      );
    }
    // Checked again: nothing may have appeared there meanwhile.
    if ((await entries(datadir)).length > 0) throw new RestoreFailed(`the datadir ${datadir} is not empty`);
    await mkdir(datadir, { recursive: true });
    const moved = await runToCompletion("mariabackup", [
      `--defaults-file=${join(scratch, "backup-my.cnf")}`,
      "--move-back",
      `--target-dir=${scratch}`,
      `--datadir=${datadir}/`, // with the slash: mariabackup appends "." (backup-my.cnf's "./" folders) to it
    ]);
    if (moved.exitCode !== 0) {
      // Half moved: empty the target again rather than leave a datadir that looks whole.
      await emptyFolder(datadir);
      throw new RestoreFailed(
        `mariabackup --move-back failed (exit ${moved.exitCode ?? moved.signal}): ${lastLines(moved.stderr, 2)}`,
      );
    }
    // What Galera reads first: the backup's position, and that this copy may start a cluster
    // (a restore is asked for to start a new cluster from it).
    await writeFile(
      join(datadir, "grastate.dat"),
      `# GALERA saved state\nversion: 2.1\nuuid:    ${options.position.uuid}\nseqno:   ${options.position.seqno}\nsafe_to_bootstrap: 1\n`,
      { mode: 0o660 },
    );
    await chownTree(datadir, options.owner);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * The stream read, checked against the manifest's checksum, unpacked into `scratch`. zstd's
 * output goes straight into mbstream through a pipe, never through the agent. On a folder
 * destination zstd reads the stored file itself while the agent hashes it in a read of its
 * own (the second read comes from the page cache); elsewhere (S3) the agent hands what it
 * reads, hashed, to zstd. A corrupt or cut stream fails zstd's own checks or the checksum
 * after it; either way nothing outside `scratch` was written.
 */
async function unpack(options: RestoreOptions, scratch: string): Promise<void> {
  const startedAt = Date.now();
  const source = await options.destination.readData(options.id);
  const file = options.destination.localDataPath?.(options.id) ?? null;
  const hash = createHash("sha256");
  let read = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      hash.update(chunk);
      read += chunk.length;
      options.onBytes?.(read);
      callback(null, chunk);
    },
  });
  const mbstream = spawn("mbstream", ["-x", "-C", scratch], { stdio: ["pipe", "ignore", "pipe"] });
  const mbstreamExit = waitForExit(mbstream, startedAt);
  const mbstreamLog = stderrTail(mbstream);
  if (!mbstream.stdin) {
    source.destroy();
    throw new RestoreFailed("mbstream could not be started (no pipe to its stdin)");
  }
  const zstd = spawn("zstd", ["-q", "-d", "-c", ...(file === null ? [] : [file])], {
    stdio: [file === null ? "pipe" : "ignore", mbstream.stdin, "pipe"],
  });
  // zstd holds the pipe's writing end now; once it exits, mbstream reads the end of it.
  mbstream.stdin.destroy();
  const zstdExit = waitForExit(zstd, startedAt);
  const zstdLog = stderrTail(zstd);
  // A child that fails ends the read at once (the hash of a file nobody unpacks is no use).
  let stopping = false;
  for (const [name, exit] of [
    ["zstd", zstdExit],
    ["mbstream -x", mbstreamExit],
  ] as const) {
    void exit.then((e) => {
      if (!stopping && e.exitCode !== 0) {
        source.destroy(
          new Error(`${name} ended before the stream did (${e.signal ?? `exit ${e.exitCode}`})`),
        );
      }
    });
  }
  const hashOnly = new Writable({ write: (_chunk: Buffer, _encoding, callback) => callback() });
  const sink = file === null ? zstd.stdin : hashOnly;
  try {
    if (!sink) throw new Error("zstd could not be started (no pipe to its stdin)");
    await pipeline(source, counted, sink);
  } catch (error) {
    stopping = true;
    zstd.kill("SIGKILL");
    mbstream.kill("SIGKILL");
    const [z, m] = await Promise.all([zstdExit, mbstreamExit]);
    throw new RestoreFailed(
      unpackFailure(z, zstdLog.text(), m, mbstreamLog.text()) ??
        (error instanceof Error ? error.message : String(error)),
    );
  }
  const [z, m] = await Promise.all([zstdExit, mbstreamExit]);
  const failed = unpackFailure(z, zstdLog.text(), m, mbstreamLog.text());
  if (failed !== null) throw new RestoreFailed(failed);
  const sha256 = hash.digest("hex");
  if (sha256 !== options.sha256) {
    throw new RestoreFailed(
      `the stored stream's sha256 is ${sha256.slice(0, 12)}…, not the manifest's ${options.sha256.slice(0, 12)}… (${read} bytes read): the backup is corrupt`,
    );
  }
}

/**
 * What the two children's exits say, the cause first: mbstream failing (a full scratch disk)
 * kills zstd with SIGPIPE, which is then its consequence, not a stream that does not
 * decompress; a child killed by the restore itself (after a read error) says nothing.
 */
export function unpackFailure(
  zstd: ChildExit,
  zstdErr: string,
  mbstream: ChildExit,
  mbstreamErr: string,
): string | null {
  if (mbstream.exitCode === 127) return "mbstream could not be run (is it installed?)";
  if (zstd.exitCode === 127) return "zstd could not be run (is it installed?)";
  if (mbstream.exitCode !== 0 && mbstream.signal === null) {
    return `mbstream -x failed (exit ${mbstream.exitCode}): ${lastLines(mbstreamErr, 1)}`;
  }
  if (zstd.exitCode !== 0 && zstd.signal === null) {
    return `the stored stream does not decompress (zstd: ${lastLines(zstdErr, 1)})`;
  }
  if (zstd.signal === "SIGPIPE")
    return `mbstream -x stopped reading before the stream ended: ${lastLines(mbstreamErr, 1)}`;
  return null;
}

async function entries(folder: string): Promise<string[]> {
  try {
    return await readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

async function emptyFolder(folder: string): Promise<void> {
  for (const name of await entries(folder)) await rm(join(folder, name), { recursive: true, force: true });
  await rmdir(folder).catch(() => undefined);
}

async function chownTree(path: string, owner: { uid: number; gid: number }): Promise<void> {
  await chown(path, owner.uid, owner.gid);
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) await chownTree(child, owner);
    else await chown(child, owner.uid, owner.gid);
  }
}
