// SQL on a node of a benchmark's cluster: over its unix socket as the OS root user
// (unix_socket auth), as the agent's sampler connects.
import mysql from "mysql2/promise";

/** Runs the statements one after another on one connection; each statement's rows or result. */
export async function sqlOn(socket: string, ...statements: string[]): Promise<unknown[]> {
  const c = await mysql.createConnection({ socketPath: socket, user: "root", connectTimeout: 5000 });
  try {
    const results: unknown[] = [];
    for (const s of statements) results.push((await c.query(s))[0]);
    return results;
  } finally {
    await c.end();
  }
}

/** One global variable or status value of a node. */
export async function globalValue(
  socket: string,
  kind: "VARIABLES" | "STATUS",
  name: string,
): Promise<string> {
  const [rows] = (await sqlOn(socket, `SHOW GLOBAL ${kind} LIKE '${name}'`)) as [{ Value: string }[]];
  return rows[0]?.Value ?? "";
}

/** Galera's view counter (wsrep_cluster_conf_id): the view changes a node saw are its difference. */
export async function viewCounter(socket: string): Promise<number> {
  return Number(await globalValue(socket, "STATUS", "wsrep_cluster_conf_id"));
}

/** wsrep_provider_options as Galera reports it, as a map. */
export async function providerOptions(socket: string): Promise<Map<string, string>> {
  const text = await globalValue(socket, "VARIABLES", "wsrep_provider_options");
  return new Map(
    text
      .split(";")
      .map((p) => p.split("=").map((x) => x.trim()))
      .filter((p): p is [string, string] => p.length === 2 && p[0] !== ""),
  );
}
