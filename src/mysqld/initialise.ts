import { chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { redact } from "../config/redact.js";
import type { Secret } from "../config/secret.js";
import { ServerFailedError } from "../errors.js";
import { lastLines, runToCompletion } from "../process/child-exit.js";
import type { OsUser } from "./os-user.js";
import { sqlString } from "./sql-literal.js";

export interface InitialiseInput {
  datadir: string;
  mysqldPath: string;
  serverUser: OsUser;
  rootPassword: Secret;
  sstUser: string;
  sstPassword: Secret;
  appUser: { name: string; password: Secret } | null;
}

/** The users every node's datadir starts with; the same on every node, so SST changes nothing. */
export function initialUsersSql(
  input: Omit<InitialiseInput, "datadir" | "mysqldPath" | "serverUser">,
): string {
  const root = sqlString(input.rootPassword.reveal());
  const lines = [
    // Grant tables are not loaded in --bootstrap mode until flushed; CREATE USER needs them.
    "FLUSH PRIVILEGES;",
    // Anonymous users shadow 'app'@'%' for TCP clients from localhost: remove them.
    "DELETE FROM mysql.global_priv WHERE User='';",
    "DROP DATABASE IF EXISTS test;",
    // The OS root keeps password-less socket access (Debian's default); others need the password.
    `ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD(${root});`,
    `CREATE USER 'root'@'%' IDENTIFIED BY ${root};`,
    "GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;",
    `CREATE USER ${sqlString(input.sstUser)}@'localhost' IDENTIFIED BY ${sqlString(input.sstPassword.reveal())};`,
    `GRANT RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR ON *.* TO ${sqlString(input.sstUser)}@'localhost';`,
  ];
  if (input.appUser) {
    const user = `${sqlString(input.appUser.name)}@'%'`;
    lines.push(`CREATE USER ${user} IDENTIFIED BY ${sqlString(input.appUser.password.reveal())};`);
    lines.push(`GRANT ALL PRIVILEGES ON *.* TO ${user};`);
  }
  return lines.join("\n") + "\n";
}

function emptyDirectory(path: string): void {
  for (const entry of readdirSync(path)) {
    if (entry !== "lost+found") rmSync(join(path, entry), { recursive: true, force: true });
  }
}

/**
 * Initialises an EMPTY datadir: system tables, then the users, fed to `mariadbd --bootstrap`
 * on stdin so no password reaches a command line. On failure the datadir is emptied again,
 * leaving it as it was found.
 */
export async function initialiseDatadir(input: InitialiseInput): Promise<void> {
  const { datadir, serverUser } = input;
  mkdirSync(datadir, { recursive: true });
  chownSync(datadir, serverUser.uid, serverUser.gid);
  // A temporary directory of its own: bootstrap servers initialising several datadirs at
  // once in a shared /tmp collide on their temporary tables' names (seen here: "Could not
  // remove temporary table '/tmp/#sql-temptable-…'", then "Unknown table
  // 'mysql.tmp_user_sys'", and the install fails).
  const tmp = mkdtempSync(join(tmpdir(), "galera-pilot-init-"));
  chownSync(tmp, serverUser.uid, serverUser.gid);
  const env = { ...process.env, TMPDIR: tmp };
  try {
    const install = await runToCompletion(
      "mariadb-install-db",
      [
        "--no-defaults",
        `--user=${serverUser.name}`,
        `--datadir=${datadir}`,
        "--skip-test-db",
        "--auth-root-authentication-method=socket",
        `--tmpdir=${tmp}`,
      ],
      { env },
    );
    if (install.exitCode !== 0) {
      throw new ServerFailedError(
        `mariadb-install-db failed (exit ${install.exitCode ?? install.signal}): ${lastLines(install.stderr + install.stdout)}; the datadir was emptied again; check disk space and permissions of ${datadir}`,
      );
    }
    const users = await runToCompletion(
      input.mysqldPath,
      [
        "--no-defaults",
        "--bootstrap",
        `--user=${serverUser.name}`,
        `--datadir=${datadir}`,
        `--tmpdir=${tmp}`,
      ],
      { input: initialUsersSql(input), env },
    );
    // An SQL error echoes the statement, password included: redact before it reaches a log.
    const secrets = [
      input.rootPassword,
      input.sstPassword,
      ...(input.appUser ? [input.appUser.password] : []),
    ];
    const output = redact(users.stderr + users.stdout, secrets);
    if (users.exitCode !== 0 || /^ERROR/m.test(output)) {
      throw new ServerFailedError(
        `creating the initial users failed (exit ${users.exitCode ?? users.signal}): ${lastLines(output)}; the datadir was emptied again`,
      );
    }
  } catch (error) {
    emptyDirectory(datadir);
    throw error;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
