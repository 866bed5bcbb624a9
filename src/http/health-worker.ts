// The health listener's worker thread (started by health-server.ts). It owns the public
// health port. /, /ready, /live and /writer are answered here from the answers the main
// thread last posted, so a flood of health checks never competes with the agent's own I/O
// (mariadbd's piped output, the sampler's connection, the peer poller) in one isolate,
// which kept Node's HTTP internals off their fast paths. A plain health request is answered
// straight from the connection's bytes (health-fast-path.ts); a connection that sends
// anything else is handed to node:http with its bytes unread. Every other path is handed to
// the main thread, which owns the status, the metrics and the cluster secret.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { parentPort, workerData } from "node:worker_threads";
import { healthResponse, scanHealthRequest } from "./health-fast-path.js";
import {
  backupPath,
  answersAt,
  bare100,
  healthPathAnswer,
  isHealthPath,
  methodNotAllowed,
  send,
  type FromWorker,
  type ToWorker,
  type WorkerSetup,
} from "./health-routes.js";

if (!parentPort) throw new Error("health-worker.js runs only as a worker thread (health-server.ts)");
const port = parentPort;
const setup = workerData as WorkerSetup;
let posted = setup.posted;
/** Requests handed to the main thread, by id, until it replies. */
const forwarded = new Map<number, ServerResponse>();
let nextId = 1;

function tell(message: FromWorker): void {
  port.postMessage(message);
}

port.on("message", (message: ToWorker) => {
  switch (message.kind) {
    case "answers":
      posted = message.posted;
      return;
    case "reply": {
      const res = forwarded.get(message.id);
      forwarded.delete(message.id);
      // The client may have gone while the main thread worked; nothing is left to answer.
      if (res && !res.destroyed) send(res, message.answer);
      return;
    }
    default:
      // A message this worker does not understand is a bug in the agent: crash, and let
      // the main thread's supervision say so rather than answer from a state it ignored.
      throw new Error(`health worker: unknown message ${JSON.stringify(message)}`);
  }
});

function onRequest(req: IncomingMessage, res: ServerResponse): void {
  const target = req.url ?? "/";
  const path = target.split("?")[0]!;
  // One POST: a backup asked of this agent (signed with the cluster secret; the main thread checks).
  const post = req.method === "POST" && path === backupPath;
  if (req.method !== "GET" && req.method !== "HEAD" && !post) return send(res, methodNotAllowed);
  if (isHealthPath(path)) {
    const answer = healthPathAnswer(path, answersAt(posted, Date.now()));
    if (typeof answer === "string") return void req.socket.end(answer);
    return send(res, answer);
  }
  const id = nextId++;
  forwarded.set(id, res);
  const auth = req.headers[setup.authHeader];
  // An IPv4 peer on a dual-stack socket shows as ::ffff:a.b.c.d; the agents know it as a.b.c.d.
  const remote = req.socket.remoteAddress?.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "") ?? null;
  // A POST's body is not read: its one option is in the signed query.
  if (post) req.resume();
  tell({
    kind: "request",
    id,
    path,
    auth: typeof auth === "string" ? auth : null,
    remote,
    method: post ? "POST" : "GET",
    target,
  });
}

const server = createServer(onRequest);
server.keepAliveTimeout = setup.keepAliveTimeoutMs;

/** The Date header's value, made once a second rather than once a request. */
let date = { second: 0, text: "" };
function httpDate(now: number): string {
  const second = Math.floor(now / 1000);
  if (second !== date.second) date = { second, text: new Date(now).toUTCString() };
  return date.text;
}

/** Unanswered bytes beyond this pause the connection until the client reads: a client that
 * sends requests without reading the answers cannot make this thread buffer them all. */
const writeBacklogBytes = 64 * 1024;

/**
 * A new connection: its plain health requests are answered here, one prepared write each;
 * at the first byte that is not one, the connection and every unread byte go to node:http
 * (its own listener, saved below), which answers from there on as if it had had it all along.
 */
function serveConnection(socket: Socket, toNodeHttp: (socket: Socket) => void): void {
  let unread: Buffer = Buffer.alloc(0);
  const onTimeout = (): void => void socket.destroy();
  const onError = (): void => void socket.destroy();
  // The server allows half-open sockets (node:http's choice): a client that ends its side
  // has had every complete request answered, so this side ends too.
  const onEnd = (): void => void socket.end();
  function handOver(): void {
    // node:http attaches its own data, end, error and timeout handling.
    socket.off("data", onData);
    socket.off("end", onEnd);
    socket.off("timeout", onTimeout);
    socket.off("error", onError);
    socket.setTimeout(0);
    socket.pause();
    socket.unshift(unread);
    toNodeHttp(socket);
    socket.resume();
  }
  /** The last answer on this connection; error and timeout handling stay until it closes. */
  function finish(last: string): void {
    socket.off("data", onData);
    socket.end(last);
  }
  function onData(chunk: Buffer): void {
    unread = unread.length === 0 ? chunk : Buffer.concat([unread, chunk]);
    for (;;) {
      const scan = scanHealthRequest(unread);
      if (scan.kind === "incomplete") break;
      if (scan.kind === "not-health") return handOver();
      unread = unread.subarray(scan.headBytes);
      const now = Date.now();
      const answer = healthPathAnswer(scan.path, answersAt(posted, now));
      if (answer === bare100) return finish(bare100);
      const response = healthResponse(answer, scan, {
        date: httpDate(now),
        keepAliveTimeoutMs: setup.keepAliveTimeoutMs,
      });
      if (!scan.keepAlive) return finish(response);
      socket.write(response);
      if (unread.length === 0) break;
    }
    if (socket.writableLength > writeBacklogBytes) {
      socket.pause();
      socket.once("drain", () => socket.resume());
    }
  }
  socket.setNoDelay(true);
  // Between requests as node:http would (keepAliveTimeout), and for a head that stalls.
  socket.setTimeout(setup.keepAliveTimeoutMs);
  socket.on("timeout", onTimeout);
  socket.on("error", onError);
  socket.on("end", onEnd);
  socket.on("data", onData);
}

// node:http's own connection listener is kept for the connections handed to it; its server
// still listens, so its header and request timeouts and close() cover those connections.
const nodeHttpConnection = server.listeners("connection")[0] as (socket: Socket) => void;
server.removeListener("connection", nodeHttpConnection);
server.on("connection", (socket: Socket) =>
  serveConnection(socket, (handed) => nodeHttpConnection.call(server, handed)),
);
function onListenError(error: NodeJS.ErrnoException): void {
  tell({ kind: "listen-failed", message: error.message, code: error.code ?? null });
  port.close();
}
server.once("error", onListenError);
server.listen(setup.port, setup.address, () => {
  // From here on a server error is a crash of this worker, which the main thread handles.
  server.off("error", onListenError);
  const address = server.address();
  tell({ kind: "listening", port: typeof address === "object" && address ? address.port : setup.port });
});
