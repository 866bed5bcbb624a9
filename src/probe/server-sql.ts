// One-shot SQL actions on this node's own mariadbd, over its socket: the agent's executors for
// what the sampler's kept connection must not do (it only reads).
import type { Connection } from "mysql2/promise";
import type { Secret } from "../config/secret.js";
import { Sampler } from "./sampler.js";

/** Runs `act` on a connection of its own as root over the socket (unix_socket), then closes it. */
async function asRoot<T>(
  socket: string,
  connectTimeoutMs: number,
  act: (c: Connection) => Promise<T>,
): Promise<T> {
  const mysql = await Sampler.loadDriver();
  const connection = await mysql.createConnection({
    socketPath: socket,
    user: "root",
    connectTimeout: connectTimeoutMs,
  });
  try {
    return await act(connection);
  } finally {
    await connection.end().catch(() => undefined);
  }
}

/** One `SET GLOBAL wsrep_provider_options` as root over the socket. */
export async function setProviderOption(
  socket: string,
  option: string,
  connectTimeoutMs = 2000,
): Promise<void> {
  // mysql2 quotes the value itself (a client-side placeholder).
  await asRoot(socket, connectTimeoutMs, (c) => c.query("SET GLOBAL wsrep_provider_options = ?", [option]));
}

/**
 * Whether a user logs in with a password over the socket: "accepted", "denied" (the server
 * said so), or "unknown" (no verdict on the password: the server is going away, say).
 */
export async function checkLogin(
  socket: string,
  user: string,
  password: Secret,
): Promise<"accepted" | "denied" | "unknown"> {
  const mysql = await Sampler.loadDriver();
  let connection: Connection | null = null;
  try {
    connection = await mysql.createConnection({
      socketPath: socket,
      user,
      password: password.reveal(),
      connectTimeout: 5000,
    });
    return "accepted";
  } catch (error) {
    return (error as { code?: string }).code === "ER_ACCESS_DENIED_ERROR" ? "denied" : "unknown";
  } finally {
    await connection?.end().catch(() => undefined);
  }
}

/**
 * Sets `wsrep_desync` (a backup's: the node leaves flow control while mariabackup reads it,
 * so the cluster is not slowed). Not kept across a restart of mariadbd.
 */
export async function setDesync(socket: string, on: boolean, connectTimeoutMs = 2000): Promise<void> {
  await asRoot(socket, connectTimeoutMs, (c) => c.query(`SET GLOBAL wsrep_desync = ${on ? "ON" : "OFF"}`));
}

/** What a backup's manifest records of the server: its version and the cluster it is in. */
export async function serverFacts(
  socket: string,
  connectTimeoutMs = 2000,
): Promise<{ version: string; clusterUuid: string; desync: boolean }> {
  return asRoot(socket, connectTimeoutMs, async (c) => {
    const [rows] = await c.query(
      "SELECT VERSION() AS version, (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'WSREP_CLUSTER_STATE_UUID') AS uuid, @@GLOBAL.wsrep_desync AS desync",
    );
    const row = (rows as { version: string; uuid: string | null; desync: number }[])[0]!;
    return { version: row.version, clusterUuid: row.uuid ?? "", desync: Number(row.desync) === 1 };
  });
}
