// Part 3 of the pitr benchmark: `galera-pilot restore --to-latest` (the backup taken before
// the load, and every archived transaction after it replayed) against the raw tools doing the
// same work by hand: zstd -d | mbstream -x, mariabackup --prepare and --move-back, chown to
// mysql, mariadbd --wsrep-recover for the backup's own GTID, a standalone mariadbd (no
// network, no Galera, a binlog), `mariadb-binlog --start-position=GTID SEGMENT… | mariadb`
// of the archive's segments after the backup, and its shutdown.
import { spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DEFAULT_GALERA_LIBRARY } from "../../src/mysqld/server-config.js";
import { lookUpOsUser } from "../../src/mysqld/os-user.js";
import { parseRecoveredPosition } from "../../src/mysqld/recovered-position.js";
import { mariadbdPath, serverUser } from "../harness/mariadbd.js";
import { progress } from "../harness/progress.js";
import { repeatOnceOnFailure, rotated } from "../harness/rounds.js";
import { globalValue } from "../harness/sql.js";
import { quote, run, runCli, syncDisks } from "../backup/common.js";
import {
  archiveDir,
  domainSeqno,
  listSegments,
  type Context,
  type RestoreRun,
  type RestoreSide,
} from "./common.js";

/** A child's exit, whatever it was, and its output (stdout and stderr together). */
function runCapturing(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr.on("data", (c: Buffer) => (output += c.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, output }));
  });
}

/** A folder of its own for a mariadbd run as mysql (its socket, pid file and config). */
function serverScratch(base: string): string {
  const dir = mkdtempSync(join(base, ".raw-server-"));
  const user = lookUpOsUser(serverUser);
  chownSync(dir, user.uid, user.gid);
  chmodSync(dir, 0o755);
  return dir;
}

/** As a person would learn the backup's last transaction: `mariadbd --wsrep-recover` on the datadir. */
async function recoverGtid(base: string, datadir: string, domain: number): Promise<string> {
  const scratch = serverScratch(base);
  try {
    const config = join(scratch, "recover.cnf");
    writeFileSync(
      config,
      [
        "[mysqld]",
        `datadir=${datadir}`,
        `socket=${join(scratch, "recover.sock")}`,
        `pid_file=${join(scratch, "recover.pid")}`,
        "binlog_format=ROW",
        "log_bin=binlog",
        "wsrep_on=ON",
        `wsrep_provider=${DEFAULT_GALERA_LIBRARY}`,
        "wsrep_cluster_address=gcomm://",
        "wsrep_sst_method=mariabackup",
        "wsrep_gtid_mode=ON",
        `wsrep_gtid_domain_id=${domain}`,
        "",
      ].join("\n"),
      { mode: 0o644 },
    );
    const out = await runCapturing(mariadbdPath, [
      `--defaults-file=${config}`,
      `--user=${serverUser}`,
      "--wsrep-recover",
      "--skip-networking",
      "--disable-log-error",
    ]);
    const gtid = parseRecoveredPosition(out.output)?.gtid ?? null;
    if (out.code !== 0 || gtid === null)
      throw new Error(
        `mariadbd --wsrep-recover exited ${out.code} without a GTID: ${out.output.slice(-600)}`,
      );
    return gtid;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * The raw side, timed from its first command to its server's exit; the result's position is
 * read (and that read's time left out) before the shutdown.
 */
async function rawRestore(
  ctx: Context,
  base: string,
  storedFile: string,
  target: string,
): Promise<{ seconds: number; backupSeqno: number; lastSeqno: number; phases: Record<string, number> }> {
  const phases: Record<string, number> = {};
  const startedAt = performance.now();
  let mark = startedAt;
  const step = (name: string): void => {
    const now = performance.now();
    phases[name] = (now - mark) / 1000;
    mark = now;
  };
  const scratch = mkdtempSync(join(base, ".raw-scratch-"));
  const server = serverScratch(base);
  try {
    await run("bash", [
      "-o",
      "pipefail",
      "-c",
      `zstd -q -d -c ${quote(storedFile)} | mbstream -x -C ${quote(scratch)}`,
    ]);
    step("unpack");
    await run("mariabackup", ["--prepare", `--target-dir=${scratch}`]);
    step("prepare");
    mkdirSync(target);
    await run("mariabackup", [
      `--defaults-file=${join(scratch, "backup-my.cnf")}`,
      "--move-back",
      `--target-dir=${scratch}`,
      `--datadir=${target}/`,
    ]);
    await run("chown", ["-R", `${serverUser}:${serverUser}`, target]);
    step("move-back, chown");
    const gtid = await recoverGtid(base, target, ctx.domain);
    const backupSeqno = domainSeqno(gtid, ctx.domain);
    if (backupSeqno === 0)
      throw new Error(`the backup's GTID ${gtid} is not of the cluster's domain ${ctx.domain}`);
    step("wsrep-recover");
    const socket = join(server, "replay.sock");
    const config = join(server, "replay.cnf");
    writeFileSync(
      config,
      [
        "[mysqld]",
        `datadir=${target}`,
        `socket=${socket}`,
        `pid_file=${join(server, "replay.pid")}`,
        "skip_networking",
        "skip_name_resolve",
        "log_bin=binlog",
        "binlog_format=ROW",
        "server_id=1",
        "wsrep_on=OFF",
        "innodb_flush_log_at_trx_commit=0",
        "sync_binlog=0",
        "",
      ].join("\n"),
      { mode: 0o644 },
    );
    const logFd = openSync(join(base, "raw-replay-mariadbd.log"), "a");
    const mariadbd = spawn(mariadbdPath, [`--defaults-file=${config}`, `--user=${serverUser}`], {
      stdio: ["ignore", "ignore", logFd],
    });
    closeSync(logFd);
    let exited: number | null | undefined;
    const exit = new Promise<void>((resolve) =>
      mariadbd.on("exit", (code, signal) => {
        exited = code ?? (signal === null ? -1 : -2);
        resolve();
      }),
    );
    try {
      for (const deadline = Date.now() + 120_000; ;) {
        if (exited !== undefined)
          throw new Error(`the raw side's mariadbd exited (${exited}) before it was ready`);
        const ping = await runCapturing("mariadb-admin", [
          `--socket=${socket}`,
          "--user=root",
          "--connect-timeout=2",
          "ping",
        ]);
        if (ping.code === 0) break;
        if (Date.now() > deadline) throw new Error("the raw side's mariadbd was not ready within 120 s");
        await sleep(200);
      }
      step("server start");
      const segments = listSegments(ctx)
        // From the segment holding the backup's own last transaction: mariadb-binlog
        // (--gtid-strict-mode, its default) then sees the start GTID it was given.
        .filter((s) => s.span.last >= backupSeqno)
        .map((s) => join(archiveDir(ctx), s.name));
      await run("bash", [
        "-o",
        "pipefail",
        "-c",
        'mariadb-binlog --start-position="$1" "${@:3}" | mariadb --socket="$2" --user=root --binary-mode',
        "bash",
        gtid,
        socket,
        ...segments,
      ]);
      step("replay");
      // Not timed: the result's position, for the count of transactions replayed.
      const lastSeqno = domainSeqno(await globalValue(socket, "VARIABLES", "gtid_binlog_pos"), ctx.domain);
      mark = performance.now();
      await run("mariadb-admin", [`--socket=${socket}`, "--user=root", "shutdown"]);
      await exit;
      if (exited !== 0) throw new Error(`the raw side's mariadbd stopped with ${exited}`);
      step("shutdown");
      const seconds = Object.values(phases).reduce((a, b) => a + b, 0);
      return { seconds, backupSeqno, lastSeqno, phases };
    } finally {
      if (exited === undefined) {
        mariadbd.kill("SIGKILL");
        await exit;
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(server, { recursive: true, force: true });
  }
}

/** `galera-pilot restore --to-latest`, timed from its spawn to its exit; its output says what it replayed. */
async function galeraPilotRestore(
  ctx: Context,
  target: string,
): Promise<{
  seconds: number;
  backupSeqno: number;
  lastSeqno: number;
  transactions: number;
  phases: Record<string, number>;
}> {
  const cli = await runCli(
    ["restore", "--to-latest", "--datadir", target, "--destination", ctx.destination],
    ctx.cliEnv,
    [/holds the cluster's transactions up to /m],
  );
  if (cli.exitCode !== 0)
    throw new Error(
      `galera-pilot restore --to-latest exited ${cli.exitCode}: ${(cli.stderr + cli.stdout).trim().slice(-600)}`,
    );
  const backupSeqno = Number(
    /holds the cluster's transactions up to \d+-…-(\d+)/.exec(cli.stdout)?.[1] ?? NaN,
  );
  const replayed = /with (\d+) archived transactions replayed: it holds the cluster up to \d+-…-(\d+)/.exec(
    cli.stdout,
  );
  const transactions = replayed === null ? 0 : Number(replayed[1]);
  const lastSeqno = replayed === null ? backupSeqno : Number(replayed[2]);
  const recoveredAt = cli.seen[0] ?? cli.endedAt;
  return {
    seconds: (cli.endedAt - cli.startedAt) / 1000,
    backupSeqno,
    lastSeqno,
    transactions,
    phases: {
      "backup restored, wsrep-recover": (recoveredAt - cli.startedAt) / 1000,
      "replay (server start to shutdown), move into place": (cli.endedAt - recoveredAt) / 1000,
    },
  };
}

export async function measureRestores(
  ctx: Context,
  rounds: number,
  storedFile: string,
  archiveLast: number,
): Promise<RestoreRun[]> {
  const runs: RestoreRun[] = [];
  const base = join(ctx.b.stateDir, "restores");
  mkdirSync(base, { recursive: true, mode: 0o755 });
  chmodSync(base, 0o755);
  let position = 0;
  for (let round = 1; round <= rounds; round++) {
    for (const side of rotated(
      ["galera-pilot", "raw"] as const satisfies readonly RestoreSide[],
      round - 1,
    )) {
      const what = `round ${round} ${side} restore to the latest point`;
      const target = join(base, `${side}-${round}`);
      const record = await repeatOnceOnFailure(
        what,
        async (): Promise<RestoreRun> => {
          rmSync(target, { recursive: true, force: true });
          syncDisks();
          try {
            const r =
              side === "galera-pilot"
                ? await galeraPilotRestore(ctx, target)
                : { ...(await rawRestore(ctx, base, storedFile, target)), transactions: NaN };
            const transactions = side === "raw" ? r.lastSeqno - r.backupSeqno : r.transactions;
            if (r.lastSeqno !== archiveLast)
              throw new Error(
                `${side}: the result holds the cluster up to ${r.lastSeqno}, the archive up to ${archiveLast}`,
              );
            return {
              side,
              round,
              position: 0,
              seconds: r.seconds,
              transactions,
              lastSeqno: r.lastSeqno,
              backupSeqno: r.backupSeqno,
              phases: r.phases,
            };
          } finally {
            rmSync(target, { recursive: true, force: true });
          }
        },
        (error) => ctx.noteFailure(what, error),
      );
      record.position = ++position;
      runs.push(record);
      const phases = Object.entries(record.phases)
        .map(([name, s]) => `${name} ${s.toFixed(2)} s`)
        .join(", ");
      progress(
        `${what}: ${record.seconds.toFixed(2)} s, ${record.transactions} transactions replayed after ${record.backupSeqno} (${phases})`,
      );
    }
  }
  return runs;
}
