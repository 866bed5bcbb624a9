// One-shot SQL actions on this node's own mariadbd, over its socket: the agent's executors for
// what the sampler's kept connection must not do (it only reads).
import type { Connection } from "mysql2/promise";
import type { Secret } from "../config/secret.js";
import { Sampler } from "./sampler.js";

/** One `SET GLOBAL wsrep_provider_options` as root over the socket. */
export async function setProviderOption(
  socket: string,
  option: string,
  connectTimeoutMs = 2000,
): Promise<void> {
  const mysql = await Sampler.loadDriver();
  const connection = await mysql.createConnection({
    socketPath: socket,
    user: "root",
    connectTimeout: connectTimeoutMs,
  });
  try {
    // mysql2 quotes the value itself (a client-side placeholder).
    await connection.query("SET GLOBAL wsrep_provider_options = ?", [option]);
  } finally {
    await connection.end().catch(() => undefined);
  }
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
