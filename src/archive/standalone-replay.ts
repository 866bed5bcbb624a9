/**
 * Replays a binlog stream into a restored datadir, before any Galera node starts from it: a
 * mariadbd of its own on the datadir (no network, no Galera, a socket in a scratch folder),
 * `mariadb-binlog -` reading the stream, its SQL fed to `mariadb` as root over the socket,
 * then a clean shutdown.
 *
 * The server binlogs what it replays, under the transactions' own GTIDs (the events set
 * domain, server and sequence number; without wsrep_gtid_mode the server keeps them, as
 * measured on 10.11: with it, it would rewrite them into its local domain). A cluster then
 * bootstrapped from the datadir numbers its transactions on from the last one replayed, so no
 * GTID of the old cluster is used again for another transaction.
 */
import { spawn } from "node:child_process";
import { chmod, chown, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { lastLines, runToCompletion, stopChild, waitForExit } from "../process/child-exit.js";
import { stderrTail } from "../process/stderr-tail.js";

export interface StandaloneReplayOptions {
  datadir: string;
  serverUser: string;
  /** The server's user's ids: its socket's folder is its own. */
  owner: { uid: number; gid: number };
  mysqldPath?: string;
  /** The binlog stream (archive-transactions.ts). */
  stream: Readable;
}

const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 120_000;

export async function replayIntoDatadir(options: StandaloneReplayOptions): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), "galera-pilot-replay-"));
  // mariadbd runs as the server's user and makes its socket there.
  await chown(scratch, options.owner.uid, options.owner.gid);
  await chmod(scratch, 0o755);
  const socket = join(scratch, "replay.sock");
  const config = join(scratch, "replay.cnf");
  await writeFile(
    config,
    [
      "[mysqld]",
      `datadir=${options.datadir}`,
      `socket=${socket}`,
      `pid_file=${join(scratch, "replay.pid")}`,
      "skip_networking",
      "skip_name_resolve",
      "log_bin=binlog",
      "binlog_format=ROW",
      "server_id=1",
      "wsrep_on=OFF",
      // No fsync per replayed commit: a replay cut short is thrown away whole (the folder is
      // removed), and the clean shutdown that ends a replay writes everything out.
      "innodb_flush_log_at_trx_commit=0",
      "sync_binlog=0",
      "",
    ].join("\n"),
    { mode: 0o644 },
  );
  const server = spawn(
    options.mysqldPath ?? "/usr/sbin/mariadbd",
    [`--defaults-file=${config}`, `--user=${options.serverUser}`],
    {
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  const serverLog = stderrTail(server);
  const serverExit = waitForExit(server, Date.now());
  try {
    await waitUntilReady(socket, serverExit, serverLog.text);
    await applyStream(options.stream, socket);
    const shutdown = await runToCompletion("mariadb-admin", [
      `--socket=${socket}`,
      "--user=root",
      "shutdown",
    ]);
    if (shutdown.exitCode !== 0) {
      throw new Error(`mariadb-admin shutdown failed: ${lastLines(shutdown.stderr)}`);
    }
    const exit = await Promise.race([serverExit, sleep(STOP_TIMEOUT_MS).then(() => null)]);
    if (exit === null)
      throw new Error(`the replay's mariadbd did not stop within ${STOP_TIMEOUT_MS / 1000} s`);
    if (exit.exitCode !== 0)
      throw new Error(
        `the replay's mariadbd stopped with exit ${exit.exitCode ?? exit.signal}: ${lastLines(serverLog.text())}`,
      );
  } finally {
    await stopChild(server, serverExit, 30_000);
    await rm(scratch, { recursive: true, force: true });
  }
}

async function waitUntilReady(
  socket: string,
  serverExit: Promise<unknown>,
  log: () => string,
): Promise<void> {
  let exited = false;
  void serverExit.then(() => (exited = true));
  for (const deadline = Date.now() + READY_TIMEOUT_MS; ;) {
    if (exited) throw new Error(`the replay's mariadbd exited before it was ready: ${lastLines(log())}`);
    const ping = await runToCompletion("mariadb-admin", [
      `--socket=${socket}`,
      "--user=root",
      "--connect-timeout=2",
      "ping",
    ]);
    if (ping.exitCode === 0) return;
    if (Date.now() > deadline)
      throw new Error(
        `the replay's mariadbd was not ready within ${READY_TIMEOUT_MS / 1000} s: ${lastLines(log())}`,
      );
    await sleep(200);
  }
}

/** `mariadb-binlog -` decodes the stream; its SQL goes straight into `mariadb` (a pipe between them). */
async function applyStream(stream: Readable, socket: string): Promise<void> {
  const decoder = spawn("mariadb-binlog", ["-"], { stdio: ["pipe", "pipe", "pipe"] });
  const client = spawn("mariadb", [`--socket=${socket}`, "--user=root", "--binary-mode"], {
    stdio: [decoder.stdout, "ignore", "pipe"],
  });
  decoder.stdout.destroy();
  const decoderLog = stderrTail(decoder);
  const clientLog = stderrTail(client);
  const decoderExit = waitForExit(decoder, Date.now());
  const clientExit = waitForExit(client, Date.now());
  decoder.stdin.on("error", () => undefined);
  let streamError: unknown = null;
  try {
    for await (const chunk of stream) {
      if (!decoder.stdin.write(chunk)) await new Promise((resolve) => decoder.stdin.once("drain", resolve));
    }
  } catch (error) {
    streamError = error;
    decoder.kill("SIGTERM");
  } finally {
    decoder.stdin.end();
  }
  const [decoded, applied] = await Promise.all([decoderExit, clientExit]);
  await Promise.all([decoderLog.ended, clientLog.ended]);
  if (streamError !== null) throw streamError;
  if (applied.exitCode !== 0) {
    throw new Error(
      `mariadb failed applying the archived transactions (exit ${applied.exitCode ?? applied.signal}): ${lastLines(clientLog.text())}`,
    );
  }
  if (decoded.exitCode !== 0) {
    throw new Error(
      `mariadb-binlog failed reading the archived transactions (exit ${decoded.exitCode ?? decoded.signal}): ${lastLines(decoderLog.text())}`,
    );
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
