import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  healthResponse,
  maxFastHeadBytes,
  scanHealthRequest,
  type HealthRequestScan,
} from "../../../src/http/health-fast-path.js";
import { textAnswer, type HealthPath } from "../../../src/http/health-routes.js";

const scan = (text: string): HealthRequestScan => scanHealthRequest(Buffer.from(text, "latin1"));
const health = (
  path: HealthPath,
  method: "GET" | "HEAD",
  keepAlive: boolean,
  text: string,
): HealthRequestScan => ({
  kind: "health",
  path,
  method,
  keepAlive,
  headBytes: Buffer.byteLength(text, "latin1"),
});

// What real checkers send: HAProxy's `option httpchk GET /writer`, curl, Go's client
// (kubelet), a Java client (Marathon), wrk.
const haproxy = "GET /writer HTTP/1.0\r\n\r\n";
const curl = "GET /ready HTTP/1.1\r\nHost: 127.0.0.2:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n";
const kubelet =
  "GET /live HTTP/1.1\r\nHost: 10.0.0.5:8080\r\nUser-Agent: kube-probe/1.29\r\nAccept: */*\r\nConnection: close\r\nAccept-Encoding: gzip\r\n\r\n";
const marathon =
  "GET / HTTP/1.1\r\nHost: n1:8080\r\nConnection: Keep-Alive\r\nUser-Agent: Apache-HttpClient/4.5\r\n\r\n";

describe("scanHealthRequest: which requests the fast path answers", () => {
  const table: [string, string, HealthRequestScan][] = [
    ["HAProxy's HTTP/1.0 check: answered, then closed", haproxy, health("/writer", "GET", false, haproxy)],
    ["curl: kept alive", curl, health("/ready", "GET", true, curl)],
    ["kubelet asks to close", kubelet, health("/live", "GET", false, kubelet)],
    ["Marathon's client", marathon, health("/", "GET", true, marathon)],
    [
      "HEAD, query string, HTTP/1.0 asking keep-alive",
      "HEAD /ready?verbose=1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
      health("/ready", "HEAD", true, "HEAD /ready?verbose=1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"),
    ],
    [
      "header names in any case, spaces around values",
      "GET /ready HTTP/1.1\r\nhOsT:x\r\nCONNECTION:  Close \t\r\n\r\n",
      health("/ready", "GET", false, "GET /ready HTTP/1.1\r\nhOsT:x\r\nCONNECTION:  Close \t\r\n\r\n"),
    ],
    ["another path", "GET /status HTTP/1.1\r\nHost: x\r\n\r\n", { kind: "not-health" }],
    ["a path that only starts like one", "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n", { kind: "not-health" }],
    ["another method", "POST /ready HTTP/1.1\r\nHost: x\r\n\r\n", { kind: "not-health" }],
    ["lower-case method", "get /ready HTTP/1.1\r\nHost: x\r\n\r\n", { kind: "not-health" }],
    ["absolute form", "GET http://x/ready HTTP/1.1\r\nHost: x\r\n\r\n", { kind: "not-health" }],
    ["HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", { kind: "not-health" }],
    ["HTTP/1.1 without Host (node:http's 400)", "GET /ready HTTP/1.1\r\n\r\n", { kind: "not-health" }],
    ["two Hosts", "GET /ready HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", { kind: "not-health" }],
    ["a body length", "GET /ready HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", { kind: "not-health" }],
    [
      "chunked",
      "GET /ready HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
      { kind: "not-health" },
    ],
    ["Expect", "GET /ready HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n", { kind: "not-health" }],
    [
      "an upgrade",
      "GET /ready HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n",
      { kind: "not-health" },
    ],
    ["bare LF line ends", "GET /ready HTTP/1.1\nHost: x\n\n", { kind: "not-health" }],
    ["obsolete line folding", "GET /ready HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", { kind: "not-health" }],
    ["a field without a colon", "GET /ready HTTP/1.1\r\nHost: x\r\nnonsense\r\n\r\n", { kind: "not-health" }],
    ["a control character in a value", "GET /ready HTTP/1.1\r\nHost: x\x01\r\n\r\n", { kind: "not-health" }],
    ["a space before the colon", "GET /ready HTTP/1.1\r\nHost : x\r\n\r\n", { kind: "not-health" }],
    ["TLS's first bytes", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", { kind: "not-health" }],
    ["half a request line", "GET /rea", { kind: "incomplete" }],
    ["a request line waiting for its LF", "GET /ready HTTP/1.1\r", { kind: "incomplete" }],
    ["a head waiting for its end", "GET /ready HTTP/1.1\r\nHost: x\r\n", { kind: "incomplete" }],
    ["a request line that cannot become one", "DELETE /ready", { kind: "not-health" }],
    ["a request line of another path, head unfinished", "GET /metrics HTTP/1.1\r\n", { kind: "not-health" }],
  ];
  for (const [what, text, expected] of table) {
    it(what, () => assert.deepEqual(scan(text), expected));
  }

  it("a head longer than the fast path reads goes to node:http", () => {
    const padding = "x".repeat(maxFastHeadBytes);
    assert.deepEqual(scan(`GET /ready HTTP/1.1\r\nHost: x\r\nX-Pad: ${padding}\r\n\r\n`), {
      kind: "not-health",
    });
    assert.deepEqual(scan(`GET /ready HTTP/1.1\r\nHost: x\r\nX-Pad: ${padding}`), { kind: "not-health" });
  });

  it("pipelined requests: the first is scanned alone, the rest left for the next scan", () => {
    const bytes = Buffer.from(haproxy + curl + "GET /status HTTP/1.1\r\nHost: x\r\n\r\n", "latin1");
    const first = scanHealthRequest(bytes);
    assert.deepEqual(first, health("/writer", "GET", false, haproxy));
    const second = scanHealthRequest(bytes.subarray(Buffer.byteLength(haproxy)));
    assert.deepEqual(second, health("/ready", "GET", true, curl));
    const third = scanHealthRequest(bytes.subarray(Buffer.byteLength(haproxy + curl)));
    assert.deepEqual(third, { kind: "not-health" });
  });
});

describe("scanHealthRequest: properties", () => {
  const requests = fc.constantFrom(haproxy, curl, kubelet, marathon);

  it("every proper prefix of a health request waits for more; the whole is answered", () => {
    fc.assert(
      fc.property(requests, (text) => {
        for (let cut = 0; cut < text.length; cut++) {
          assert.deepEqual(
            scan(text.slice(0, cut)),
            { kind: "incomplete" },
            JSON.stringify(text.slice(0, cut)),
          );
        }
        assert.equal(scan(text).kind, "health");
      }),
    );
  });

  it("whatever follows a health request does not change its scan", () => {
    fc.assert(
      fc.property(requests, fc.uint8Array({ maxLength: 300 }), (text, after) => {
        const alone = scanHealthRequest(Buffer.from(text, "latin1"));
        const followed = scanHealthRequest(Buffer.concat([Buffer.from(text, "latin1"), after]));
        assert.deepEqual(followed, alone);
      }),
    );
  });

  it("arbitrary bytes never throw, and a health verdict always covers a whole head", () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 3000 }),
      // Near misses: a real request with one byte changed, dropped or added.
      fc
        .tuple(requests, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom("set", "drop", "add"))
        .map(([text, at, value, how]) => {
          const b = [...Buffer.from(text, "latin1")];
          const i = at % b.length;
          if (how === "set") b[i] = value;
          else if (how === "drop") b.splice(i, 1);
          else b.splice(i, 0, value);
          return Uint8Array.from(b);
        }),
    );
    fc.assert(
      fc.property(bytes, (raw) => {
        const buffer = Buffer.from(raw);
        const result = scanHealthRequest(buffer);
        if (result.kind !== "health") return;
        assert.ok(result.headBytes <= buffer.length && result.headBytes <= maxFastHeadBytes);
        const head = buffer.toString("latin1", 0, result.headBytes);
        assert.ok(head.endsWith("\r\n\r\n") && head.indexOf("\r\n\r\n") === head.length - 4);
        assert.match(head, /^(GET|HEAD) \/(ready|live|writer)?(\?[!-~]*)? HTTP\/1\.[01]\r\n/);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("healthResponse: what the fast path writes", () => {
  const date = "Thu, 26 Nov 2026 07:00:00 GMT";
  const facts = { date, keepAliveTimeoutMs: 5000 };

  it("status line, the agent's headers, Date, keep-alive and the body", () => {
    assert.equal(
      healthResponse(textAnswer(503, "unavailable\n"), { method: "GET", keepAlive: true }, facts),
      "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\ncache-control: no-store\r\n" +
        `content-length: 12\r\nDate: ${date}\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\nunavailable\n`,
    );
  });

  it("HEAD: the same headers, no body; a closing request says so", () => {
    assert.equal(
      healthResponse(textAnswer(200, "writer\n"), { method: "HEAD", keepAlive: false }, facts),
      "HTTP/1.1 200 OK\r\ncontent-type: text/plain; charset=utf-8\r\ncache-control: no-store\r\n" +
        `content-length: 7\r\nDate: ${date}\r\nConnection: close\r\n\r\n`,
    );
  });
});
