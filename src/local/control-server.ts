import { createServer, request, type Server } from "node:http";
import { existsSync, rmSync } from "node:fs";
import type { LocalCluster } from "./local-cluster.js";

/** What `status --json` prints (docs/local-cluster.md). Fields are added, never renamed. */
export interface LocalClusterStatus {
  nodes: Awaited<ReturnType<LocalCluster["status"]>>;
  proxy?: { writer: string; reader: string; stats?: string };
  clientConfig: string;
  dashboard?: string;
}

/**
 * The runner's control API, on a unix socket in the state folder (only root can reach it):
 * GET /status, POST /nodes/NAME/stop|kill|start, POST /scale/N, POST /restart-rolling, POST /down.
 */
export async function startControlServer(
  socketPath: string,
  cluster: LocalCluster,
  describe: () => Promise<LocalClusterStatus>,
  onDown: () => void,
  operations: {
    scale(count: number): Promise<string | null>;
    restartRolling(): Promise<void>;
  },
): Promise<Server> {
  if (existsSync(socketPath)) rmSync(socketPath);
  const server = createServer((req, res) => {
    const reply = (code: number, body: unknown): void => {
      res.writeHead(code, { "content-type": "application/json" });
      res.end(JSON.stringify(body) + "\n");
    };
    const url = req.url ?? "/";
    const action = /^\/nodes\/([A-Za-z0-9_-]+)\/(stop|kill|start)$/.exec(url);
    void (async () => {
      try {
        if (req.method === "GET" && url === "/status") return reply(200, await describe());
        const scale = /^\/scale\/([1-9])$/.exec(url);
        if (req.method === "POST" && scale)
          return reply(200, { warning: await operations.scale(Number(scale[1])) });
        if (req.method === "POST" && url === "/restart-rolling") {
          await operations.restartRolling();
          return reply(200, { ok: true });
        }
        if (req.method === "POST" && url === "/down") {
          reply(202, { ok: true });
          return onDown();
        }
        if (req.method === "POST" && action) {
          const [, name, verb] = action as unknown as [string, string, "stop" | "kill" | "start"];
          if (verb === "stop") await cluster.stopNode(name);
          else if (verb === "kill") await cluster.killNode(name);
          else cluster.startNode(name);
          return reply(200, { ok: true });
        }
        reply(404, { error: `unknown request ${req.method} ${url}` });
      } catch (error) {
        reply(400, { error: error instanceof Error ? error.message : String(error) });
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => resolve());
  });
  return server;
}

/** Sends one request to the runner's control socket. */
export function controlRequest(
  socketPath: string,
  method: "GET" | "POST",
  path: string,
  /** Give up after this long without an answer; by default it waits (a scale may take minutes). */
  timeoutMs?: number,
): Promise<{ code: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, timeout: timeoutMs ?? 300_000 }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => {
        try {
          resolve({ code: res.statusCode ?? 0, body: JSON.parse(text) as unknown });
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
    req.on("error", reject);
    if (timeoutMs !== undefined) {
      req.on("timeout", () =>
        req.destroy(new Error(`no answer from ${socketPath} within ${timeoutMs / 1000} s`)),
      );
    }
    req.end();
  });
}
