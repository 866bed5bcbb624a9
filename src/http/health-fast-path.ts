// The health paths' fast path: a plain GET or HEAD of /, /ready, /live or /writer is
// recognised in the bytes a connection sends and answered with one prepared write, without
// node:http's request and response objects, which cost more CPU than the answer itself (a
// router checks every node several times a second, a load balancer may check far more).
// Anything else, or anything this scanner is not sure of, is handed to node:http unchanged:
// this file decides only "a health request, this long" or "not for the fast path".
// Pure: bytes in, a verdict or the answer's text out (health-worker.ts does the I/O).
import { STATUS_CODES } from "node:http";
import { isHealthPath, type HealthPath, type HttpAnswer } from "./health-routes.js";

/**
 * The longest request head the fast path waits for. A health check's head is a few hundred
 * bytes at most; a longer one goes to node:http, which applies its own limit (16 KiB).
 */
export const maxFastHeadBytes = 2048;

export type HealthRequestScan =
  /** The bytes so far are the start of a request the fast path may answer: wait for more. */
  | { kind: "incomplete" }
  /** A complete health request of headBytes bytes (it has no body). */
  | { kind: "health"; path: HealthPath; method: "GET" | "HEAD"; keepAlive: boolean; headBytes: number }
  /** Not a request the fast path answers (or not one it is sure of): node:http's to handle. */
  | { kind: "not-health" };

const incomplete: HealthRequestScan = { kind: "incomplete" };
const notHealth: HealthRequestScan = { kind: "not-health" };

const requestLinePattern = /^(GET|HEAD) (\/[!-~]*) HTTP\/1\.([01])$/;
/** RFC 9110 token: a header's name. Leading whitespace (obsolete line folding) fails it. */
const tokenPattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A field value read as latin1: tabs, visible ASCII, obs-text; no control characters. */
const fieldValuePattern = /^[\t\x20-\x7e\x80-\xff]*$/;

interface RequestLine {
  method: "GET" | "HEAD";
  path: HealthPath;
  http11: boolean;
}

function healthRequestLine(line: string): RequestLine | null {
  const match = requestLinePattern.exec(line);
  if (!match) return null;
  const path = match[2]!.split("?")[0]!;
  if (!isHealthPath(path)) return null;
  return { method: match[1] as "GET" | "HEAD", path, http11: match[3] === "1" };
}

/** Every line feed in the bytes ends a CRLF: a bare LF is left to node:http's parser. */
function onlyCrlf(bytes: Buffer, end: number): boolean {
  for (let at = bytes.indexOf(10); at !== -1 && at < end; at = bytes.indexOf(10, at + 1)) {
    if (at === 0 || bytes[at - 1] !== 13) return false;
  }
  return true;
}

/**
 * What the bytes at the start of a connection's unread input are: a complete health request
 * (answer it, then scan what follows), the start of one (wait), or anything else (hand the
 * connection to node:http with every byte unread). Requests with a body, an upgrade, an
 * Expect, a missing Host on HTTP/1.1 or any unusual syntax are not the fast path's: node:http
 * answers them as it always did, errors included.
 */
export function scanHealthRequest(bytes: Buffer): HealthRequestScan {
  const headEnd = bytes.indexOf("\r\n\r\n");
  const scanned = headEnd === -1 ? bytes.length : headEnd + 4;
  if (scanned > maxFastHeadBytes || !onlyCrlf(bytes, scanned)) return notHealth;
  const lineEnd = bytes.indexOf("\r\n");
  if (lineEnd === -1) {
    // The request line is still arriving: it can only become a health request if what has
    // come so far is the start of one ("GET /re…"), which is checked once it is complete.
    return /^[A-Z]{0,4}( [!-~]*)?( [HTP/0-9.]*)?\r?$/.test(bytes.toString("latin1")) ? incomplete : notHealth;
  }
  const line = healthRequestLine(bytes.toString("latin1", 0, lineEnd));
  if (!line) return notHealth;
  if (headEnd === -1) return incomplete;
  let host = false;
  let close = false;
  let keepAliveAsked = false;
  const fields = headEnd > lineEnd ? bytes.toString("latin1", lineEnd + 2, headEnd).split("\r\n") : [];
  for (const field of fields) {
    const colon = field.indexOf(":");
    if (colon <= 0) return notHealth;
    const name = field.slice(0, colon);
    const value = field.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, "");
    if (!tokenPattern.test(name) || !fieldValuePattern.test(value)) return notHealth;
    switch (name.toLowerCase()) {
      case "host":
        if (host) return notHealth;
        host = true;
        break;
      case "content-length":
      case "transfer-encoding":
      case "expect":
      case "upgrade":
        return notHealth;
      case "connection":
        for (const option of value.toLowerCase().split(",")) {
          const token = option.trim();
          if (token === "close") close = true;
          else if (token === "keep-alive") keepAliveAsked = true;
          else if (token === "upgrade") return notHealth;
        }
        break;
    }
  }
  // node:http answers an HTTP/1.1 request without Host with 400: so does the fast path, by
  // leaving it to node:http.
  if (line.http11 && !host) return notHealth;
  return {
    kind: "health",
    path: line.path,
    method: line.method,
    keepAlive: !close && (line.http11 || keepAliveAsked),
    headBytes: headEnd + 4,
  };
}

/**
 * The whole response to a health request, as node:http would have sent it for the same
 * answer: status line, the answer's headers, Date, Connection (and Keep-Alive), the body
 * unless the request was a HEAD.
 */
export function healthResponse(
  answer: HttpAnswer,
  request: { method: "GET" | "HEAD"; keepAlive: boolean },
  facts: { date: string; keepAliveTimeoutMs: number },
): string {
  const connection = request.keepAlive
    ? `Connection: keep-alive\r\nKeep-Alive: timeout=${Math.floor(facts.keepAliveTimeoutMs / 1000)}\r\n`
    : "Connection: close\r\n";
  return (
    `HTTP/1.1 ${answer.code} ${STATUS_CODES[answer.code] ?? "Unknown"}\r\n` +
    `content-type: ${answer.type}\r\n` +
    "cache-control: no-store\r\n" +
    `content-length: ${Buffer.byteLength(answer.body)}\r\n` +
    `Date: ${facts.date}\r\n` +
    connection +
    "\r\n" +
    (request.method === "HEAD" ? "" : answer.body)
  );
}
