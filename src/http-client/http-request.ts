/**
 * The one HTTP client of the adapters: the peer API (peer-api/), Consul's and Marathon's
 * discovery (discovery/) and Marathon's REST API (deploy/marathon/). One request, its answer
 * read whole within a deadline, on node:http (node:https for an https:// URL).
 *
 * - Not fetch: its first call loads undici, 40–100 ms of a recovering agent's critical path,
 *   which asks its peers (and Consul or Marathon for who they are) before anything else.
 * - A new connection for every request (`agent: false`), never a kept one: a peer whose agent
 *   is gone must refuse our connection (ECONNREFUSED is how the peer poller and the writer
 *   election learn that nothing listens on its health port), where a kept connection would
 *   only break; and no socket outlives its answer to keep a process alive.
 * - The deadline covers everything: connecting, the request, the answer's head and its whole
 *   body (a peer that sends headers, then stalls, is cut at the same deadline), redirects too.
 * - Header values may be Secrets: revealed only into the request, and dropped on a redirect to
 *   another origin (as fetch drops `authorization`). No error says a header's value.
 */
import { request as plainRequest, type IncomingHttpHeaders, type IncomingMessage } from "node:http";

import { Secret } from "../config/secret.js";

export interface HttpRequest {
  url: string;
  /** GET unless said. */
  method?: "GET" | "PUT" | "POST";
  headers?: Readonly<Record<string, string | Secret>>;
  /** A body to send as JSON (JSON.stringify, `content-type: application/json`). */
  json?: unknown;
  /** The whole exchange, from connecting to the answer's last byte. */
  timeoutMs: number;
  /** An answer body longer than this fails the request; no limit when absent. */
  maxBodyBytes?: number;
  /**
   * Follow 301, 302, 303, 307 and 308 as fetch does (at most 20; 303, and 301/302 after a
   * POST, go on as a GET without the body). Off: a redirect is an answer like any other.
   */
  followRedirects?: boolean;
}

/** One HTTP answer, read whole. */
export interface HttpAnswer {
  status: number;
  /** The reason phrase on the status line ("Not Found"), "" when there is none. */
  statusText: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** No whole answer: not reached, no answer in time, too long. The message is `reason`. */
export class HttpRequestFailed extends Error {
  /**
   * Why, for a one-line message: `no answer within 1000 ms`, `ECONNREFUSED (connect
   * ECONNREFUSED 127.0.0.1:1)`, `an answer longer than 1048576 bytes`.
   */
  readonly reason: string;
  /** The system error's code (ECONNREFUSED, ENOTFOUND, …) when there is one. */
  readonly code: string | undefined;
  readonly timedOut: boolean;

  constructor(reason: string, options: { code?: string; timedOut?: boolean; cause?: unknown } = {}) {
    super(reason, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "HttpRequestFailed";
    this.reason = reason;
    this.code = options.code;
    this.timedOut = options.timedOut ?? false;
  }
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);
const maxRedirects = 20;

/** Sends one request and reads its answer whole; rejects with HttpRequestFailed, nothing else. */
export async function httpRequest(request: HttpRequest): Promise<HttpAnswer> {
  const signal = AbortSignal.timeout(request.timeoutMs);
  let url: URL;
  try {
    url = new URL(request.url);
  } catch (error) {
    throw new HttpRequestFailed("not a URL", { cause: error });
  }
  let method = request.method ?? "GET";
  let body = request.json === undefined ? undefined : JSON.stringify(request.json);
  let headers = { ...request.headers };
  for (let redirects = 0; ; redirects++) {
    const answer = await exchange(url, method, headers, body, signal, request);
    const location = answer.headers.location;
    if (!request.followRedirects || !redirectStatuses.has(answer.status) || location === undefined) {
      return answer;
    }
    if (redirects === maxRedirects) throw new HttpRequestFailed(`more than ${maxRedirects} redirects`);
    let next: URL;
    try {
      next = new URL(location, url);
    } catch (error) {
      throw new HttpRequestFailed(`a redirect to ${JSON.stringify(location)}, not a URL`, { cause: error });
    }
    if (answer.status === 303 || ((answer.status === 301 || answer.status === 302) && method === "POST")) {
      method = "GET";
      body = undefined;
    }
    if (next.origin !== url.origin) {
      headers = Object.fromEntries(Object.entries(headers).filter(([, value]) => !(value instanceof Secret)));
    }
    url = next;
  }
}

/** One request on a connection of its own, its answer read whole. */
async function exchange(
  url: URL,
  method: string,
  headers: Readonly<Record<string, string | Secret>>,
  body: string | undefined,
  signal: AbortSignal,
  limits: Pick<HttpRequest, "timeoutMs" | "maxBodyBytes">,
): Promise<HttpAnswer> {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new HttpRequestFailed(`${url.protocol} is not http: or https:`);
  }
  if (url.username !== "" || url.password !== "") {
    // fetch refused such URLs too: a password belongs in a Secret, not in a URL that is printed.
    throw new HttpRequestFailed("the URL holds a user name or password, which galera-pilot does not send");
  }
  const send = url.protocol === "https:" ? (await import("node:https")).request : plainRequest;
  const wire: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    wire[name] = value instanceof Secret ? value.reveal() : value;
  }
  if (body !== undefined) {
    wire["content-type"] = "application/json";
    wire["content-length"] = String(Buffer.byteLength(body));
  }
  return new Promise<HttpAnswer>((resolve, reject) => {
    const fail = (error: unknown): void => reject(failure(error, signal, limits.timeoutMs));
    const req = send(url, { method, headers: wire, agent: false, signal }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let length = 0;
      let tooLong: HttpRequestFailed | null = null;
      res.on("data", (chunk: Buffer) => {
        length += chunk.length;
        if (tooLong === null && limits.maxBodyBytes !== undefined && length > limits.maxBodyBytes) {
          // The whole answer may be in hand already, its end about to be emitted: it fails all the same.
          tooLong = new HttpRequestFailed(`an answer longer than ${limits.maxBodyBytes} bytes`);
          req.destroy(tooLong);
        }
        if (tooLong === null) chunks.push(chunk);
      });
      res.on("end", () => {
        if (tooLong !== null) return reject(tooLong);
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? "",
          headers: res.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        });
      });
      res.on("error", fail);
    });
    req.on("error", fail);
    req.end(body);
  });
}

function failure(error: unknown, signal: AbortSignal, timeoutMs: number): HttpRequestFailed {
  if (error instanceof HttpRequestFailed) return error;
  if (signal.aborted) {
    return new HttpRequestFailed(`no answer within ${timeoutMs} ms`, { timedOut: true, cause: error });
  }
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const message = oneLine(error instanceof Error ? error.message : String(error));
  return typeof code === "string"
    ? new HttpRequestFailed(`${code} (${message})`, { code, cause: error })
    : new HttpRequestFailed(message, { cause: error });
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
