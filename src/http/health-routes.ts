// The health routes' answers as data, shared by the listener's worker thread and the main
// thread. Kept free of heavy imports: the worker loads this module and node:http, nothing
// else of the agent.
import type { ServerResponse } from "node:http";
import type { HealthAnswers } from "../health/health-policy.js";

/** One HTTP answer: what `send` writes. Plain data, so it crosses between threads. */
export interface HttpAnswer {
  code: number;
  body: string;
  type: string;
  /** Headers beyond content-type, cache-control and content-length (the peer API's MAC). */
  extraHeaders?: Record<string, string>;
}

/**
 * `/` while the node has not been synced since mariadbd started: a bare "100 Continue" as the
 * final answer, as the seed's Go server sent it for Marathon's ignoreHttp1xx. Node's response
 * API treats 1xx as interim, so it is written raw on the socket, which is then closed.
 */
export const bare100 = "HTTP/1.1 100 Continue\r\n\r\n";

export const textType = "text/plain; charset=utf-8";

export function textAnswer(code: number, body: string, type = textType): HttpAnswer {
  return { code, body, type };
}

export function send(res: ServerResponse, answer: HttpAnswer): void {
  if (answer.extraHeaders) {
    for (const [name, value] of Object.entries(answer.extraHeaders)) res.setHeader(name, value);
  }
  res.writeHead(answer.code, {
    "content-type": answer.type,
    "cache-control": "no-store",
    "content-length": Buffer.byteLength(answer.body),
  });
  res.end(answer.body);
}

export const methodNotAllowed = textAnswer(405, "method not allowed\n");

const reasons: Record<number, string> = { 200: "ok\n", 503: "unavailable\n" };

/** The paths answered from the health answers alone, without the main thread. */
export type HealthPath = "/" | "/ready" | "/live" | "/writer";

export function isHealthPath(path: string): path is HealthPath {
  return path === "/" || path === "/ready" || path === "/live" || path === "/writer";
}

/** The answer of a health path, from the health answers (health-policy.ts computes them). */
export function healthPathAnswer(path: HealthPath, answers: HealthAnswers): HttpAnswer | typeof bare100 {
  switch (path) {
    case "/": {
      const code = answers.root;
      return code === 100 ? bare100 : textAnswer(code, reasons[code]!);
    }
    case "/ready":
      return textAnswer(answers.ready, reasons[answers.ready]!);
    case "/live":
      return textAnswer(answers.live, reasons[answers.live]!);
    case "/writer":
      return textAnswer(answers.writer, answers.writer === 200 ? "writer\n" : "not the writer\n");
  }
}

/**
 * The health answers as the main thread last computed them, and until when they may be
 * served: no later than the sample they came from stays fresh (three sampling intervals),
 * and no later than the main thread can have been silent without being called wedged.
 */
export interface PostedAnswers {
  answers: HealthAnswers;
  /** Date.now() after which these answers must no longer be served. */
  validUntil: number;
}

/**
 * The listener serves posted answers at most this long (or three sampling intervals, if
 * longer) after they were posted: a main thread silent for longer is wedged.
 */
export const minSilenceBoundMs = 1_000;

/**
 * Until when answers computed at `now` may be served. Answers computed from a fresh sample
 * are served no longer than that sample stays fresh (three sampling intervals: the agent's
 * staleness rule); any answer no longer than the main thread may stay silent. A main thread
 * that is well posts new answers long before either bound; one that stalls leaves the
 * listener answering 503 rather than an old state.
 */
export function answersDeadline(facts: {
  now: number;
  sampleIntervalMs: number;
  /** When the sample the answers were computed from was taken, or null when they did not use one. */
  freshSampleTakenAt: number | null;
}): number {
  const staleAfterMs = 3 * facts.sampleIntervalMs;
  const silenceBound = facts.now + Math.max(minSilenceBoundMs, staleAfterMs);
  return facts.freshSampleTakenAt === null
    ? silenceBound
    : Math.min(silenceBound, facts.freshSampleTakenAt + staleAfterMs);
}

/**
 * What the listener answers once the posted answers have expired: the main thread has
 * not recomputed them in time, so nothing is known about the node. Even /live fails, as a
 * wedged agent would have failed it by not answering when the main thread owned the port.
 */
export const expiredAnswers: HealthAnswers = { root: 503, ready: 503, live: 503, writer: 503 };

export function answersAt(posted: PostedAnswers, now: number): HealthAnswers {
  return now <= posted.validUntil ? posted.answers : expiredAnswers;
}

/** POST: a backup of this node, asked by `galera-pilot backup`; GET: the backup under way and the last. */
export const backupPath = "/backup";

/** Messages from the main thread to the listener's worker. */
export type ToWorker =
  { kind: "answers"; posted: PostedAnswers } | { kind: "reply"; id: number; answer: HttpAnswer };

/** Messages from the listener's worker to the main thread. */
export type FromWorker =
  | { kind: "listening"; port: number }
  | { kind: "listen-failed"; message: string; code: string | null }
  | {
      kind: "request";
      id: number;
      path: string;
      auth: string | null;
      remote: string | null;
      /** GET (HEAD is answered as GET), or POST for /backup. */
      method?: "GET" | "POST";
      /** The path with its query, as the client sent it: what a signed POST signs. */
      target?: string;
    };

/** What the worker is started with (workerData). */
export interface WorkerSetup {
  address: string;
  port: number;
  keepAliveTimeoutMs: number;
  posted: PostedAnswers;
  /** The request header the main thread needs for the peer API (peer-auth.ts), forwarded as is. */
  authHeader: string;
}
