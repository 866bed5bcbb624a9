// The two servers the agent's GET /ready is measured against, each in its own process like
// the agent (started by health-endpoint.ts):
//   node dist/bench/baseline-servers.js bare ADDRESS PORT          a node:http server answering 200: the baseline issue H names
//   node dist/bench/baseline-servers.js sql  ADDRESS PORT SOCKET   galera-healthcheck's way: one SQL query per request
//   node dist/bench/baseline-servers.js net  ADDRESS PORT          Node's floor: node:net writing one constant answer per read
// Prints "listening" on stdout once it accepts connections.
import { createServer, type ServerResponse } from "node:http";
import { createServer as createNetServer } from "node:net";
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
if (
  (mode !== "bare" && mode !== "sql" && mode !== "net") ||
  !address ||
  !port ||
  (mode === "sql" && !socket)
) {
  process.stderr.write("usage: baseline-servers.js bare|sql|net ADDRESS PORT [SOCKET]\n");
  process.exit(2);
}

// The least a Node server can do per request: no parsing, no HTTP objects, the agent's whole
// answer (headers and body) written once for every chunk read. Not a correct HTTP server
// (pipelined requests get one answer): a floor for what Node's own I/O costs under wrk.
if (mode === "net") {
  const answer = Buffer.from(
    "HTTP/1.1 200 OK\r\ncontent-type: text/plain; charset=utf-8\r\ncache-control: no-store\r\n" +
      "content-length: 3\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: keep-alive\r\n" +
      "Keep-Alive: timeout=5\r\n\r\nok\n",
  );
  createNetServer((socket) => {
    socket.setNoDelay(true);
    socket.on("data", () => socket.write(answer));
    socket.on("error", () => socket.destroy());
  }).listen(Number(port), address, () => process.stdout.write("listening\n"));
}

// galera-healthcheck keeps a connection pool and asks the server on every request. A pool of
// 8 over the unix socket as the OS root user (unix_socket auth), as the agent's sampler connects.
const pool =
  mode === "sql" ? mysql.createPool({ socketPath: socket, user: "root", connectionLimit: 8 }) : null;

if (mode !== "net") {
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
}
