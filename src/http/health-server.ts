import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { NodeStatusReport } from "../agent/node-status.js";
import type { Secret } from "../config/secret.js";
import type { HealthAnswers } from "../health/health-policy.js";
import { answerHeader, requestHeader, signAnswer, verifyRequest } from "../peers/peer-auth.js";
import { peerStatePath } from "../peers/peer-state-client.js";

export interface HealthServerOptions {
  address: string;
  port: number;
  /** The node's status and health answers, computed from memory: never touches the database. */
  status: () => NodeStatusReport;
  answers: () => HealthAnswers;
  metrics: () => Promise<string>;
  /** The peer state API: this node's report for the recovery decisions of its peers. */
  peerState: () => unknown;
  clusterSecret: Secret;
}

const textType = "text/plain; charset=utf-8";

function send(res: ServerResponse, code: number, body: string, type = textType): void {
  res.writeHead(code, {
    "content-type": type,
    "cache-control": "no-store",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

const reasons: Record<number, string> = { 200: "ok\n", 503: "unavailable\n" };

/**
 * The agent's HTTP server (port 8080 by default). Every health route reads the same
 * computation (health-policy.ts has the table); none opens a database connection.
 * - GET /         the seed's check: 200 synced and writable, 100 not synced yet, 503 otherwise
 * - GET /ready    200 when / is 200; 503 otherwise (routers' read pools, Kubernetes readiness)
 * - GET /live     200 while the agent works (Kubernetes liveness: lets a long SST finish)
 * - GET /writer   200 on the cluster's single writer only
 * - GET /status   JSON NodeStatusReport (docs/http-api.md)
 * - GET /metrics  Prometheus text
 * - GET /peer/state  this node's recovery report, only for a request proving the cluster
 *   secret; the answer is signed for the request's nonce (peer-auth.ts)
 */
export function handleRequest(options: HealthServerOptions, req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? "/").split("?")[0];
  if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "method not allowed\n");
  switch (path) {
    case "/": {
      const code = options.answers().root;
      // A bare "100 Continue" as the final answer, as the seed's Go server sent it for
      // Marathon's ignoreHttp1xx. Node's response API treats 1xx as interim: write it raw.
      if (code === 100) return void req.socket.end("HTTP/1.1 100 Continue\r\n\r\n");
      return send(res, code, reasons[code]!);
    }
    case "/ready": {
      const code = options.answers().ready;
      return send(res, code, reasons[code]!);
    }
    case "/live": {
      const code = options.answers().live;
      return send(res, code, reasons[code]!);
    }
    case "/writer": {
      const code = options.answers().writer;
      return send(res, code, code === 200 ? "writer\n" : "not the writer\n");
    }
    case "/status":
      return send(res, 200, JSON.stringify(options.status()) + "\n", "application/json");
    case "/metrics":
      options.metrics().then(
        (text) => send(res, 200, text, "text/plain; version=0.0.4; charset=utf-8"),
        () => send(res, 500, "metrics failed\n"),
      );
      return;
    case peerStatePath: {
      const nonce = verifyRequest(
        options.clusterSecret,
        peerStatePath,
        req.headers[requestHeader] as string | undefined,
      );
      if (nonce === null) return send(res, 401, "the request does not prove the cluster secret\n");
      const body = JSON.stringify(options.peerState());
      res.setHeader(answerHeader, signAnswer(options.clusterSecret, nonce, body));
      return send(res, 200, body, "application/json");
    }
    default:
      return send(res, 404, "not found\n");
  }
}

export async function startHealthServer(options: HealthServerOptions): Promise<Server> {
  const server = createServer((req, res) => handleRequest(options, req, res));
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.address, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return server;
}
