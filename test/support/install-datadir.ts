import assert from "node:assert/strict";
import { chownSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runToCompletion } from "../../src/process/child-exit.js";
import { lookUpOsUser } from "../../src/mysqld/os-user.js";

/**
 * A datadir holding data, made by mariadb-install-db as user mysql, with a temporary folder
 * of its own: installs running at once in a shared /tmp collide on their temporary tables
 * (seen here: "Unknown table 'mysql.tmp_user_sys'"), as src/mysqld/initialise.ts explains.
 */
export async function installDatadir(datadir: string): Promise<void> {
  const mysql = lookUpOsUser("mysql");
  mkdirSync(datadir, { recursive: true });
  chownSync(datadir, mysql.uid, mysql.gid);
  const tmp = mkdtempSync(join(tmpdir(), "gp-install-"));
  chownSync(tmp, mysql.uid, mysql.gid);
  try {
    const install = await runToCompletion(
      "mariadb-install-db",
      ["--no-defaults", "--user=mysql", `--datadir=${datadir}`, "--skip-test-db", `--tmpdir=${tmp}`],
      { env: { ...process.env, TMPDIR: tmp } },
    );
    assert.equal(install.exitCode, 0, install.stderr);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
