import { spawn } from "node:child_process";
import { chmodSync, chownSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mysql from "mysql2/promise";
import { lookUpOsUser } from "../../src/mysqld/os-user.js";

/**
 * The ids of `table` in a datadir no server runs: a mariadbd of its own on it (no network, no
 * Galera), one SELECT over its socket as root, then its stop. The datadir is changed by the
 * start (as any start does): for a restored datadir a test only reads.
 */
export async function idsInDatadir(datadir: string, table: string): Promise<Set<number>> {
  const scratch = mkdtempSync(join(tmpdir(), "gp-rows-"));
  const mysqlUser = lookUpOsUser("mysql");
  chownSync(scratch, mysqlUser.uid, mysqlUser.gid);
  chmodSync(scratch, 0o755);
  const socket = join(scratch, "rows.sock");
  const server = spawn(
    "/usr/sbin/mariadbd",
    [
      "--no-defaults",
      `--datadir=${datadir}`,
      `--socket=${socket}`,
      `--pid-file=${join(scratch, "rows.pid")}`,
      "--skip-networking",
      "--user=mysql",
      "--wsrep-on=OFF",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  server.stderr.on("data", (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => server.once("exit", () => resolve()));
  try {
    for (const deadline = Date.now() + 120_000; ;) {
      try {
        const connection = await mysql.createConnection({ socketPath: socket, user: "root" });
        try {
          const [rows] = await connection.query(`SELECT id FROM ${table}`);
          return new Set((rows as { id: number }[]).map((r) => r.id));
        } finally {
          await connection.end();
        }
      } catch (error) {
        if (server.exitCode !== null || Date.now() > deadline) {
          throw new Error(`reading ${table} from ${datadir} failed: ${String(error)}; mariadbd said: ${log}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  } finally {
    server.kill("SIGTERM");
    await exited;
    rmSync(scratch, { recursive: true, force: true });
  }
}
