import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { Secret } from "../../../src/config/secret.js";
import { httpRequest, HttpRequestFailed } from "../../../src/http-client/http-request.js";
import { closedPort } from "../../support/closed-port.js";

interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
  remotePort: number;
}

/** A local server whose answer each test sets; it notes every request it reads whole. */
class StandIn {
  readonly seen: Seen[] = [];
  answer: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end("ok");
  readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      this.seen.push({
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        remotePort: req.socket.remotePort ?? 0,
      });
      this.answer(req, res);
    });
  });
  url = "";

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const one = new StandIn();
const other = new StandIn();
before(async () => {
  await one.start();
  await other.start();
});
after(async () => {
  await one.stop();
  await other.stop();
});

/** The HttpRequestFailed a request rejects with. */
async function failure(promise: Promise<unknown>): Promise<HttpRequestFailed> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof HttpRequestFailed, `an HttpRequestFailed, not ${String(error)}`);
    return error;
  }
  assert.fail("the request did not fail");
}

describe("httpRequest: one request, its answer read whole", () => {
  it("a GET: status, reason phrase, headers and body as sent; our headers, a Secret's value revealed", async () => {
    one.seen.length = 0;
    one.answer = (_req, res) =>
      res.writeHead(404, "Not Here", { "x-answer": "yes" }).end('{"message":"none"}');
    const answer = await httpRequest({
      url: `${one.url}/v1/thing?passing=true`,
      headers: { accept: "application/json", "x-consul-token": new Secret("t0ken") },
      timeoutMs: 1000,
    });
    assert.equal(answer.status, 404);
    assert.equal(answer.statusText, "Not Here");
    assert.equal(answer.headers["x-answer"], "yes");
    assert.equal(answer.body, '{"message":"none"}');
    const [seen] = one.seen;
    assert.equal(seen?.method, "GET");
    assert.equal(seen?.path, "/v1/thing?passing=true");
    assert.equal(seen?.headers["accept"], "application/json");
    assert.equal(seen?.headers["x-consul-token"], "t0ken");
    assert.equal(seen?.headers["content-type"], undefined, "no body, no content-type");
    assert.equal(seen?.body, "");
  });

  it("a PUT and a POST send their JSON body with its type and length", async () => {
    one.seen.length = 0;
    one.answer = (_req, res) => res.writeHead(201).end("{}");
    for (const method of ["PUT", "POST"] as const) {
      const json = { id: "/galera", apps: [{ id: "/galera/node", instances: 3 }], note: "é" };
      const answer = await httpRequest({ url: `${one.url}/v2/groups`, method, json, timeoutMs: 1000 });
      assert.equal(answer.status, 201);
      const seen = one.seen.at(-1);
      assert.equal(seen?.method, method);
      assert.equal(seen?.headers["content-type"], "application/json");
      assert.equal(seen?.headers["content-length"], String(Buffer.byteLength(JSON.stringify(json))));
      assert.deepEqual(JSON.parse(seen?.body ?? ""), json);
    }
  });

  it("every request has a connection of its own, closed after its answer", async () => {
    one.seen.length = 0;
    one.answer = (_req, res) => res.end("ok");
    await httpRequest({ url: one.url, timeoutMs: 1000 });
    await httpRequest({ url: one.url, timeoutMs: 1000 });
    assert.equal(one.seen[0]?.headers["connection"], "close");
    assert.notEqual(one.seen[0]?.remotePort, one.seen[1]?.remotePort, "two connections");
  });

  it("nobody listening: ECONNREFUSED, with its code, in one line", async () => {
    const port = await closedPort();
    const error = await failure(httpRequest({ url: `http://127.0.0.1:${port}/status`, timeoutMs: 1000 }));
    assert.equal(error.code, "ECONNREFUSED");
    assert.equal(error.reason, `ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:${port})`);
    assert.equal(error.message, error.reason);
    assert.equal(error.timedOut, false);
  });

  it("no answer, or a stalled body: given up at the deadline, `no answer within N ms`", async () => {
    one.answer = () => undefined;
    let start = Date.now();
    let error = await failure(httpRequest({ url: one.url, timeoutMs: 300 }));
    let took = Date.now() - start;
    assert.ok(took >= 280 && took < 2000, `gave up after ${took} ms`);
    assert.equal(error.reason, "no answer within 300 ms");
    assert.equal(error.timedOut, true);
    assert.equal(error.code, undefined);
    one.answer = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write("{");
    };
    start = Date.now();
    error = await failure(httpRequest({ url: one.url, timeoutMs: 300 }));
    took = Date.now() - start;
    assert.ok(took >= 280 && took < 2000, `gave up after ${took} ms`);
    assert.equal(error.reason, "no answer within 300 ms");
    one.server.closeAllConnections();
  });

  it("an answer longer than maxBodyBytes fails; up to it, it is read", async () => {
    one.answer = (_req, res) => res.end("x".repeat(100));
    assert.equal((await httpRequest({ url: one.url, timeoutMs: 1000, maxBodyBytes: 100 })).body.length, 100);
    const error = await failure(httpRequest({ url: one.url, timeoutMs: 1000, maxBodyBytes: 99 }));
    assert.equal(error.reason, "an answer longer than 99 bytes");
  });

  it("redirects are answers unless followed; followed as fetch does", async () => {
    one.seen.length = 0;
    one.answer = (req, res) => {
      if (req.url === "/moved") res.writeHead(307, { location: "/here" }).end();
      else if (req.url === "/see-other") res.writeHead(303, { location: "/here" }).end();
      else res.end(`${req.method} ${req.url}`);
    };
    const plain = await httpRequest({ url: `${one.url}/moved`, timeoutMs: 1000 });
    assert.equal(plain.status, 307);
    assert.equal(plain.headers.location, "/here");
    const kept = await httpRequest({
      url: `${one.url}/moved`,
      method: "PUT",
      json: { instances: 2 },
      timeoutMs: 1000,
      followRedirects: true,
    });
    assert.equal(kept.body, "PUT /here", "307 keeps the method");
    assert.equal(one.seen.at(-1)?.body, '{"instances":2}', "and the body");
    const changed = await httpRequest({
      url: `${one.url}/see-other`,
      method: "POST",
      json: { id: "/galera" },
      timeoutMs: 1000,
      followRedirects: true,
    });
    assert.equal(changed.body, "GET /here", "303 goes on as a GET");
    assert.equal(one.seen.at(-1)?.body, "", "without the body");
  });

  it("a redirect to another origin drops the Secret headers, keeps the others", async () => {
    other.seen.length = 0;
    other.answer = (_req, res) => res.end("there");
    one.answer = (_req, res) => res.writeHead(302, { location: `${other.url}/there` }).end();
    const answer = await httpRequest({
      url: `${one.url}/go`,
      headers: { accept: "application/json", "x-consul-token": new Secret("t0ken") },
      timeoutMs: 1000,
      followRedirects: true,
    });
    assert.equal(answer.body, "there");
    assert.equal(other.seen[0]?.headers["accept"], "application/json");
    assert.equal(other.seen[0]?.headers["x-consul-token"], undefined);
  });

  it("more than 20 redirects fail", async () => {
    one.answer = (_req, res) => res.writeHead(302, { location: "/again" }).end();
    const error = await failure(
      httpRequest({ url: `${one.url}/loop`, timeoutMs: 2000, followRedirects: true }),
    );
    assert.equal(error.reason, "more than 20 redirects");
  });

  it("a Secret header's value is in no error, however it is printed", async () => {
    const port = await closedPort();
    const error = await failure(
      httpRequest({
        url: `http://127.0.0.1:${port}/`,
        headers: { authorization: new Secret("Basic c2VjcmV0LXZhbHVl") },
        timeoutMs: 1000,
      }),
    );
    for (const printed of [
      error.message,
      String(error),
      inspect(error, { depth: 5 }),
      JSON.stringify(error),
    ]) {
      assert.ok(!printed.includes("c2VjcmV0LXZhbHVl"), printed);
    }
  });

  it("refuses what it cannot send: not a URL, another scheme, a URL with a password", async () => {
    assert.equal((await failure(httpRequest({ url: "nowhere", timeoutMs: 100 }))).reason, "not a URL");
    assert.equal(
      (await failure(httpRequest({ url: "ftp://127.0.0.1/", timeoutMs: 100 }))).reason,
      "ftp: is not http: or https:",
    );
    const error = await failure(httpRequest({ url: "http://user:pw@127.0.0.1:1/", timeoutMs: 100 }));
    assert.equal(error.reason, "the URL holds a user name or password, which galera-pilot does not send");
  });

  it("an https:// URL speaks TLS: a plain HTTP server fails the handshake, in one line", async () => {
    const error = await failure(httpRequest({ url: one.url.replace("http:", "https:"), timeoutMs: 1000 }));
    assert.equal(error.code, "EPROTO");
    assert.ok(!error.reason.includes("\n"), error.reason);
  });
});
