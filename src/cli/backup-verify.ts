// `galera-pilot backup verify ID`: a restore drill. The backup is restored into a scratch
// datadir exactly as `restore` would (checksum, unpack, prepare, move back), its Galera
// position read from InnoDB (`mariadbd --wsrep-recover`) and compared with the manifest's,
// then a standalone mariadbd (no Galera, no network: a socket in the scratch folder) is
// started on it and every table is checked (`mariadb-check --all-databases --check`). The
// scratch folder is removed at the end, whatever happened; nothing else is written.
import { spawn } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { restoreBackup } from "../backup/restore-stream.js";
import { BackupError, ExitCode } from "../errors.js";
import type { CompleteBackup } from "../model/backup-manifest.js";
import { lookUpOsUser } from "../mysqld/os-user.js";
import { parseRecoveredPosition } from "../mysqld/recovered-position.js";
import { lastLines, runToCompletion, stopChild, waitForExit } from "../process/child-exit.js";
import { connect } from "node:net";
import type { Catalog } from "./backup-catalog.js";
import { completeBackup } from "./backup-catalog.js";

export interface VerifyArgs {
  id: string;
  /** Where the scratch datadir is made (default: the system's temporary folder). */
  scratch: string | undefined;
  serverUser: string;
  mysqld: string;
}

export async function verifyBackup(catalog: Catalog, args: VerifyArgs): Promise<number> {
  const manifest = completeBackup(catalog, args.id);
  const user = lookUpOsUser(args.serverUser);
  const scratch = await mkdtemp(join(args.scratch ?? tmpdir(), `galera-pilot-verify-${args.id}-`));
  // The server's user must reach the datadir inside: mkdtemp makes the folder 0700.
  await chmod(scratch, 0o711);
  const datadir = join(scratch, "data");
  try {
    await restoreBackup({
      destination: catalog.destination,
      id: manifest.id,
      sha256: manifest.sha256,
      datadir,
      owner: { uid: user.uid, gid: user.gid },
      position: manifest.position,
    }).catch((error: unknown) => {
      throw new BackupError(
        `backup ${args.id} does not restore: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
    console.log(`backup ${args.id}: restored into a scratch datadir, its sha256 matches the manifest`);
    await checkPosition(args, datadir, manifest);
    const tables = await checkTables(args, datadir);
    console.log(
      `backup ${args.id} is verified: it restores, holds position ${manifest.position.uuid}:${manifest.position.seqno} as its manifest says, and all ${tables} tables check OK`,
    );
    return ExitCode.ok;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function checkPosition(args: VerifyArgs, datadir: string, manifest: CompleteBackup): Promise<void> {
  const run = await runToCompletion(args.mysqld, [
    "--no-defaults",
    `--datadir=${datadir}`,
    `--user=${args.serverUser}`,
    "--wsrep-recover",
    "--wsrep-on=ON",
    "--wsrep-provider=/usr/lib/galera/libgalera_smm.so",
    "--wsrep-cluster-address=gcomm://",
    "--binlog-format=ROW",
    "--skip-networking",
    `--socket=${join(datadir, "verify.sock")}`,
  ]);
  const found = parseRecoveredPosition(run.stderr + run.stdout);
  if (found === null) {
    throw new BackupError(
      `backup ${args.id}: its position could not be read from InnoDB (${lastLines(run.stderr, 2)})`,
    );
  }
  const { uuid, seqno } = manifest.position;
  if (found.uuid !== uuid || found.seqno !== seqno) {
    throw new BackupError(
      `backup ${args.id} holds position ${found.uuid}:${found.seqno}, but its manifest says ${uuid}:${seqno}: the backup is not what its manifest describes`,
    );
  }
}

/** Starts mariadbd alone on the restored datadir, checks every table, stops it; the count. */
async function checkTables(args: VerifyArgs, datadir: string): Promise<number> {
  const socket = join(datadir, "verify.sock");
  const startedAt = Date.now();
  const server = spawn(
    args.mysqld,
    [
      "--no-defaults",
      `--datadir=${datadir}`,
      `--user=${args.serverUser}`,
      "--wsrep-on=OFF",
      "--skip-networking",
      "--skip-log-bin",
      "--innodb-buffer-pool-size=64M",
      `--socket=${socket}`,
      `--pid-file=${join(datadir, "verify.pid")}`,
      `--log-error=${join(datadir, "verify.err")}`,
    ],
    { stdio: "ignore" },
  );
  const exited = waitForExit(server, startedAt);
  try {
    await waitForSocket(socket, exited, args.id);
    const check = await runToCompletion("mariadb-check", [
      "--all-databases",
      "--check",
      `--socket=${socket}`,
      "--user=root",
    ]);
    const lines = check.stdout.split("\n").filter((l) => l.trim() !== "");
    const tables = lines.filter((l) => /^\S+\.\S+\s+/.test(l));
    const bad = lines.filter((l) => /\b(error|corrupt|warning)\b/i.test(l) && !/^note\b/i.test(l.trim()));
    if (check.exitCode !== 0 || bad.length > 0) {
      throw new BackupError(
        `backup ${args.id}: table checks failed (mariadb-check exit ${check.exitCode}): ${bad.length > 0 ? bad.slice(0, 3).join(" | ") : lastLines(check.stderr, 2)}`,
      );
    }
    return tables.length;
  } finally {
    await stopChild(server, exited, 60_000);
  }
}

async function waitForSocket(socket: string, exited: Promise<unknown>, id: string): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (gone)
      throw new BackupError(
        `backup ${id}: mariadbd did not start on the restored datadir (its log is removed with the scratch folder; run restore to keep it)`,
      );
    if (await socketAnswers(socket)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new BackupError(`backup ${id}: mariadbd did not answer on the restored datadir within 120 s`);
}

/** Whether something accepts a connection on the unix socket. */
function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ path });
    const done = (answers: boolean): void => {
      socket.destroy();
      resolve(answers);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}
