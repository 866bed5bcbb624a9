import { Worker } from "node:worker_threads";
import type { NodeStatusReport } from "../model/node-status.js";
import type { Logger } from "../logger.js";
import type { Secret } from "../config/secret.js";
import { dashboardPage } from "../dashboard/dashboard-page.js";
import { answerHeader, requestHeader, signAnswer, verifyRequest } from "../peer-api/peer-auth.js";
import { peerStatePath } from "../peer-api/peer-state-client.js";
import {
  backupPath,
  textAnswer,
  type FromWorker,
  type HttpAnswer,
  type PostedAnswers,
  type ToWorker,
  type WorkerSetup,
} from "./health-routes.js";

export interface HealthServerOptions {
  address: string;
  port: number;
  /** The node's status, computed from memory: never touches the database. */
  status: () => NodeStatusReport;
  metrics: () => Promise<string>;
  /** The peer state API: this node's report for the recovery decisions of its peers. */
  peerState: () => unknown;
  /** Told the address of every peer whose /peer/state request proved the cluster secret. */
  onPeerAsk?: (address: string) => void;
  clusterSecret: Secret;
  /** Backups of this node (POST /backup, signed; GET /backup); absent: 404. */
  backup?: {
    request(allowWriter: boolean): Promise<{ accepted: string } | { refused: string; status: 409 | 503 }>;
    activity(): unknown;
  };
  /** The dashboard's state (GALERA_PILOT_DASHBOARD=yes): the page at /dashboard/; absent, no page. */
  dashboard?: () => unknown;
  /** The health answers served until the first post(). */
  initial: PostedAnswers;
  log: Logger;
  /**
   * The listener could not be kept up (its worker crashed too often, or could not listen
   * again): the agent must stop rather than keep running with its health port dead.
   */
  onFailure: (error: Error) => void;
}

/** The worker is started again after a crash, unless it crashed this often lately. */
const crashLimit = 3;
const crashWindowMs = 60_000;
const keepAliveTimeoutMs = 5_000;

/**
 * The answers of the routes the main thread owns, for requests the listener's worker hands
 * over (health-worker.ts answers /, /ready, /live and /writer itself):
 * - GET /status   JSON NodeStatusReport (docs/http-api.md)
 * - GET /metrics  Prometheus text
 * - GET /dashboard/ and /dashboard/api/state  the live page, when the agent was asked for it
 * - GET /peer/state  this node's recovery report, only for a request proving the cluster
 *   secret; the answer is signed for the request's nonce (peer-auth.ts). The secret stays
 *   in this thread: the worker forwards the request header, never holds the secret.
 * Synchronous but for /metrics, so a failing status computation fails as loudly as before.
 */
export function mainThreadAnswer(
  options: Pick<
    HealthServerOptions,
    "status" | "metrics" | "peerState" | "clusterSecret" | "dashboard" | "onPeerAsk" | "backup"
  >,
  path: string,
  auth: string | null,
  remote: string | null = null,
  method: "GET" | "POST" = "GET",
  target: string = path,
): HttpAnswer | Promise<HttpAnswer> {
  if (method === "POST") return backupRequest(options, target, auth);
  switch (path) {
    case "/status":
      return textAnswer(200, JSON.stringify(options.status()) + "\n", "application/json");
    case "/metrics":
      return options.metrics().then(
        (text) => textAnswer(200, text, "text/plain; version=0.0.4; charset=utf-8"),
        () => textAnswer(500, "metrics failed\n"),
      );
    case peerStatePath: {
      const nonce = verifyRequest(options.clusterSecret, peerStatePath, auth ?? undefined);
      if (nonce === null) return textAnswer(401, "the request does not prove the cluster secret\n");
      if (remote !== null) options.onPeerAsk?.(remote);
      const body = JSON.stringify(options.peerState());
      return {
        ...textAnswer(200, body, "application/json"),
        extraHeaders: { [answerHeader]: signAnswer(options.clusterSecret, nonce, body) },
      };
    }
    case backupPath:
      if (!options.backup) return textAnswer(404, "not found\n");
      return textAnswer(200, JSON.stringify(options.backup.activity()) + "\n", "application/json");
    case "/dashboard":
      if (!options.dashboard) return textAnswer(404, "not found\n");
      // The page asks for api/state beside itself: it must be served from the folder.
      return { ...textAnswer(301, "/dashboard/\n"), extraHeaders: { location: "/dashboard/" } };
    case "/dashboard/":
      if (!options.dashboard) return textAnswer(404, "not found\n");
      return textAnswer(200, dashboardPage, "text/html; charset=utf-8");
    case "/dashboard/api/state":
      if (!options.dashboard) return textAnswer(404, "not found\n");
      return textAnswer(200, JSON.stringify(options.dashboard()), "application/json");
    default:
      return textAnswer(404, "not found\n");
  }
}

/** Nonces of the backup requests answered lately: a request seen once is not taken again. */
const usedNonces = new Map<string, number>();
const nonceMemoryMs = 10 * 60_000;

/**
 * POST /backup[?allow-writer=yes]: the request must prove the cluster secret over its path and
 * query (peer-auth.ts), and is taken once (a replayed one is refused); the answer is signed.
 */
async function backupRequest(
  options: Pick<HealthServerOptions, "clusterSecret" | "backup">,
  target: string,
  auth: string | null,
): Promise<HttpAnswer> {
  if (!options.backup) return textAnswer(404, "not found\n");
  const nonce = verifyRequest(options.clusterSecret, target, auth ?? undefined);
  if (nonce === null) return textAnswer(401, "the request does not prove the cluster secret\n");
  const now = Date.now();
  for (const [seen, at] of usedNonces) if (now - at > nonceMemoryMs) usedNonces.delete(seen);
  if (usedNonces.has(nonce)) return textAnswer(409, "this request was already taken (a replay)\n");
  usedNonces.set(nonce, now);
  const query = new URLSearchParams(target.split("?")[1] ?? "");
  const answer = await options.backup.request(query.get("allow-writer") === "yes");
  const status = "accepted" in answer ? 202 : answer.status;
  const body = JSON.stringify(answer);
  return {
    ...textAnswer(status, body, "application/json"),
    extraHeaders: { [answerHeader]: signAnswer(options.clusterSecret, nonce, body) },
  };
}

/**
 * The agent's HTTP server (port 8080 by default), one public port. A worker thread owns the
 * listener and answers the health paths from the answers this thread posts (post() on
 * every change, and often enough that they never expire while this thread is well); it
 * hands every other request back here (mainThreadAnswer). A worker that dies is started
 * again on the same address and port; after crashLimit crashes within crashWindowMs, or
 * when it cannot listen again, onFailure is called.
 */
export class HealthServer {
  readonly #options: HealthServerOptions;
  #posted: PostedAnswers;
  #worker: Worker | null = null;
  #closing = false;
  /** The port listened on: options.port, or the one the system chose for port 0. */
  #port: number;
  #crashes: number[] = [];

  private constructor(options: HealthServerOptions) {
    this.#options = options;
    this.#posted = options.initial;
    this.#port = options.port;
  }

  /** Listens on options.address:port; rejects as a listen would (e.g. EADDRINUSE). */
  static async start(options: HealthServerOptions): Promise<HealthServer> {
    const server = new HealthServer(options);
    await server.#startWorker();
    return server;
  }

  get port(): number {
    return this.#port;
  }

  /** The current worker thread: for observing restarts. */
  get worker(): Worker | null {
    return this.#worker;
  }

  /** Makes these the answers the health paths serve, until posted.validUntil. */
  post(posted: PostedAnswers): void {
    this.#posted = posted;
    this.#tell({ kind: "answers", posted });
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.#worker?.terminate();
  }

  #tell(message: ToWorker): void {
    this.#worker?.postMessage(message);
  }

  #startWorker(): Promise<void> {
    const setup: WorkerSetup = {
      address: this.#options.address,
      // A worker started again listens where the first one did.
      port: this.#port,
      keepAliveTimeoutMs,
      posted: this.#posted,
      authHeader: requestHeader,
    };
    const worker = new Worker(new URL("./health-worker.js", import.meta.url), { workerData: setup });
    this.#worker = worker;
    return new Promise((resolve, reject) => {
      let listening = false;
      let lastError: Error | null = null;
      worker.on("message", (message: FromWorker) => {
        switch (message.kind) {
          case "listening":
            listening = true;
            this.#port = message.port;
            return resolve();
          case "listen-failed":
            return reject(
              Object.assign(new Error(message.message), message.code === null ? {} : { code: message.code }),
            );
          case "request":
            return void Promise.resolve(
              mainThreadAnswer(
                this.#options,
                message.path,
                message.auth,
                message.remote,
                message.method ?? "GET",
                message.target ?? message.path,
              ),
            ).then((answer) => this.#tell({ kind: "reply", id: message.id, answer }));
        }
      });
      worker.on("error", (error) => (lastError = error));
      worker.once("exit", (code) => {
        if (!listening) {
          return reject(
            lastError ?? new Error(`the health listener's worker exited with ${code} before listening`),
          );
        }
        if (this.#closing) return;
        this.#onCrash(lastError ?? new Error(`it exited with ${code}`));
      });
    });
  }

  #onCrash(error: Error): void {
    const now = Date.now();
    this.#crashes = [...this.#crashes.filter((at) => now - at < crashWindowMs), now];
    const where = `${this.#options.address}:${this.#port}`;
    if (this.#crashes.length >= crashLimit) {
      this.#options.onFailure(
        new Error(
          `the health listener on ${where} crashed ${this.#crashes.length} times within ${crashWindowMs / 1000} s (last: ${error.message}): giving up`,
        ),
      );
      return;
    }
    this.#options.log.error(`the health listener on ${where} crashed (${error.message}): starting it again`);
    this.#startWorker().then(
      () => this.#options.log.info(`the health listener on ${where} answers again`),
      (restartError: Error) => {
        // close() during the restart ends the new worker too: that is no failure.
        if (this.#closing) return;
        this.#options.onFailure(
          new Error(
            `the health listener on ${where} crashed (${error.message}) and could not listen again (${restartError.message})`,
          ),
        );
      },
    );
  }
}
