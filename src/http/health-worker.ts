// The health listener's worker thread (started by health-server.ts). It owns the public
// health port. /, /ready, /live and /writer are answered here from the answers the main
// thread last posted, so a flood of health checks never competes with the agent's own I/O
// (mariadbd's piped output, the sampler's connection, the peer poller) in one isolate,
// which kept Node's HTTP internals off their fast paths. Every other request is handed to
// the main thread, which owns the status, the metrics and the cluster secret.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { parentPort, workerData } from "node:worker_threads";
import {
  answersAt,
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
  const path = (req.url ?? "/").split("?")[0]!;
  if (req.method !== "GET" && req.method !== "HEAD") return send(res, methodNotAllowed);
  if (isHealthPath(path)) {
    const answer = healthPathAnswer(path, answersAt(posted, Date.now()));
    if (typeof answer === "string") return void req.socket.end(answer);
    return send(res, answer);
  }
  const id = nextId++;
  forwarded.set(id, res);
  const auth = req.headers[setup.authHeader];
  tell({ kind: "request", id, path, auth: typeof auth === "string" ? auth : null });
}

const server = createServer(onRequest);
server.keepAliveTimeout = setup.keepAliveTimeoutMs;
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
