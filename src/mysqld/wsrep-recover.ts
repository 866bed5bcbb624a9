import { chmod, chown, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ServerFailedError } from "../errors.js";
import { runToCompletion, lastLines } from "../process/child-exit.js";
import { parseRecoveredPosition } from "./recovered-position.js";
import { lookUpOsUser } from "./os-user.js";
import { DEFAULT_GALERA_LIBRARY } from "./server-config.js";
import type { RecoveredPosition } from "../model/galera-state.js";

/**
 * Runs `mariadbd --wsrep-recover` to learn the last committed position from InnoDB (the only
 * truth after a crash, when grastate.dat says seqno -1). --skip-networking: without it the
 * recovery run opens the SQL port, and would fail where another server holds it.
 */
export async function recoverPosition(
  mysqldPath: string,
  configFile: string,
  serverUser: string,
): Promise<RecoveredPosition> {
  const result = await runToCompletion(mysqldPath, [
    `--defaults-file=${configFile}`,
    `--user=${serverUser}`,
    "--wsrep-recover",
    "--skip-networking",
    "--disable-log-error",
  ]);
  const log = result.stderr + result.stdout;
  const position = parseRecoveredPosition(log);
  if (result.exitCode !== 0 || position === null) {
    throw new ServerFailedError(
      `mariadbd --wsrep-recover failed (exit ${result.exitCode ?? result.signal}): ${lastLines(log)}; the datadir was not changed by galera-pilot; read the lines above, fix the cause, and start again`,
    );
  }
  return position;
}

/**
 * The position of a datadir that no node runs yet (a backup restored beside its target):
 * `--wsrep-recover` under a config of its own, with the cluster's GTID domain, so that the
 * position comes with the cluster's GTID the datadir holds (InnoDB keeps it with the Galera
 * position: what a point-in-time restore replays after).
 */
export async function recoverDatadirPosition(options: {
  datadir: string;
  serverUser: string;
  clusterDomain: number;
  mysqldPath?: string;
  galeraLibrary?: string;
}): Promise<RecoveredPosition> {
  const scratch = await mkdtemp(join(tmpdir(), "galera-pilot-recover-"));
  // The server's user makes its socket there.
  const owner = lookUpOsUser(options.serverUser);
  await chown(scratch, owner.uid, owner.gid);
  await chmod(scratch, 0o755);
  const config = join(scratch, "recover.cnf");
  try {
    await writeFile(
      config,
      [
        "[mysqld]",
        `datadir=${options.datadir}`,
        `socket=${join(scratch, "recover.sock")}`,
        `pid_file=${join(scratch, "recover.pid")}`,
        "binlog_format=ROW",
        "log_bin=binlog",
        "wsrep_on=ON",
        `wsrep_provider=${options.galeraLibrary ?? DEFAULT_GALERA_LIBRARY}`,
        // Never used by a recovery run, but checked at its start (rsync, the default, wants one).
        "wsrep_cluster_address=gcomm://",
        "wsrep_sst_method=mariabackup",
        "wsrep_gtid_mode=ON",
        `wsrep_gtid_domain_id=${options.clusterDomain}`,
        "",
      ].join("\n"),
      { mode: 0o644 },
    );
    return await recoverPosition(options.mysqldPath ?? "/usr/sbin/mariadbd", config, options.serverUser);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
