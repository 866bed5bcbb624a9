// The two servers the agent's GET /ready is measured against, each in its own process like
// the agent (started by health-endpoint.ts):
//   node dist/bench/baseline-servers.js bare ADDRESS PORT          a node:http server answering 200: the baseline issue H names
//   node dist/bench/baseline-servers.js sql  ADDRESS PORT SOCKET   galera-healthcheck's way: one SQL query per request
// Prints "listening" on stdout once it accepts connections.
import { createServer, type ServerResponse } from "node:http";
import mysql from "mysql2/promise";

/** The agent's exact headers and bodies (src/http/health-server.ts), so only the work differs. */
function send(res: ServerResponse, code: 200 | 503): void {
  const body = code === 200 ? "ok\n" : "unavailable\n";
  res.writeHead(code, {
    "content-type": "text/plain; charset=utf-8",
    "cache-control": "no-store",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

const [mode, address, port, socket] = process.argv.slice(2);
if ((mode !== "bare" && mode !== "sql") || !address || !port || (mode === "sql" && !socket)) {
  process.stderr.write("usage: baseline-servers.js bare|sql ADDRESS PORT [SOCKET]\n");
  process.exit(2);
}

// galera-healthcheck keeps a connection pool and asks the server on every request. A pool of
// 8 over the unix socket as the OS root user (unix_socket auth), as the agent's sampler connects.
const pool =
  mode === "sql" ? mysql.createPool({ socketPath: socket, user: "root", connectionLimit: 8 }) : null;

const server = createServer((_req, res) => {
  if (!pool) return send(res, 200);
  pool.query("SHOW GLOBAL STATUS LIKE 'wsrep_local_state'").then(
    ([rows]) => {
      const row = (rows as { Value: string }[])[0];
      send(res, row?.Value === "4" ? 200 : 503);
    },
    () => send(res, 503),
  );
});
// Same keep-alive as the agent's server, so wrk's connections are treated alike.
server.keepAliveTimeout = 5_000;
server.listen(Number(port), address, () => process.stdout.write("listening\n"));
