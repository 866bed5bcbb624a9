import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { NodeStatusReport } from "../agent/node-status.js";
import { seedHealthCode } from "./seed-health.js";

export interface HealthServerOptions {
  address: string;
  port: number;
  /** The node's status, computed from the last background sample: never touches the database. */
  status: () => NodeStatusReport;
}

function send(res: ServerResponse, code: number, body: string, type = "text/plain; charset=utf-8"): void {
  res.writeHead(code, {
    "content-type": type,
    "cache-control": "no-store",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * The agent's HTTP server (port 8080 by default). Routes:
 * - GET /        the seed's check: 200 synced and writable, 100 not synced yet, 503 otherwise
 * - GET /status  200, JSON NodeStatusReport
 * - GET /live    200 while the agent's loop works
 */
export function handleRequest(options: HealthServerOptions, req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? "/").split("?")[0];
  if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "method not allowed\n");
  switch (path) {
    case "/": {
      const code = seedHealthCode(options.status());
      // A bare "100 Continue" as the final answer, as the seed's Go server sent it for
      // Marathon's ignoreHttp1xx. Node's response API treats 1xx as interim, so write it raw.
      if (code === 100) return void req.socket.end("HTTP/1.1 100 Continue\r\n\r\n");
      return send(res, code, code === 200 ? "synced\n" : "not available\n");
    }
    case "/status":
      return send(res, 200, JSON.stringify(options.status()) + "\n", "application/json");
    case "/live":
      return send(res, 200, "alive\n");
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
