import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../../../src/logger.js";
import type { NodeStatusReport } from "../../../src/model/node-status.js";
import { Secret } from "../../../src/config/secret.js";
import type { HealthAnswers } from "../../../src/health/health-policy.js";
import { answersDeadline } from "../../../src/http/health-routes.js";
import { HealthServer, mainThreadAnswer, type HealthServerOptions } from "../../../src/http/health-server.js";
import { peerStatePath } from "../../../src/peer-api/peer-state-client.js";
import {
  answerHeader,
  newNonce,
  requestHeader,
  signRequest,
  verifyAnswer,
} from "../../../src/peer-api/peer-auth.js";
import { probe } from "../../support/http-probe.js";

// Loopback addresses of this test (127.0.13.x is the health tests' range); port 0: the
// system chooses, so two runs never collide.
const address = "127.0.13.201";
const secretValue = "unit-test-cluster-secret-7f3a";
const secret = new Secret(secretValue);
const synced: HealthAnswers = { root: 200, ready: 200, live: 200, writer: 200 };
const syncing: HealthAnswers = { root: 100, ready: 503, live: 200, writer: 503 };
const farFuture = () => Date.now() + 60_000;

interface Recorded {
  log: Logger;
  lines: string[];
  failures: Error[];
}

function recorder(): Recorded {
  const lines: string[] = [];
  const at = (level: string) => (m: string) => void lines.push(`${level}: ${m}`);
  return { log: { info: at("info"), warn: at("warn"), error: at("error") }, lines, failures: [] };
}

const status = { node: "n1", phase: "synced", ready: true } as unknown as NodeStatusReport;

const started: HealthServer[] = [];
after(async () => {
  for (const server of started) await server.close();
});

async function start(
  initial: HealthAnswers,
  overrides: Partial<HealthServerOptions> = {},
): Promise<{ server: HealthServer; base: string; recorded: Recorded }> {
  const recorded = recorder();
  const server = await HealthServer.start({
    address,
    port: 0,
    status: () => status,
    metrics: async () => "galera_pilot_ready 1\n",
    peerState: () => ({ name: "n1", inPrimary: true }),
    clusterSecret: secret,
    initial: { answers: initial, validUntil: farFuture() },
    log: recorded.log,
    onFailure: (error) => recorded.failures.push(error),
    ...overrides,
  });
  started.push(server);
  return { server, base: `http://${address}:${server.port}`, recorded };
}

/** The answer's status, body and the headers the agent sets (the ones a client can rely on). */
async function get(url: string, init?: RequestInit) {
  const response = await fetch(url, init);
  return {
    code: response.status,
    body: await response.text(),
    type: response.headers.get("content-type"),
    cacheControl: response.headers.get("cache-control"),
    length: response.headers.get("content-length"),
    mac: response.headers.get(answerHeader),
  };
}

async function codes(base: string): Promise<number[]> {
  const port = Number(new URL(base).port);
  return Promise.all(
    ["/", "/ready", "/live", "/writer"].map(async (p) => (await probe(address, port, p)).code),
  );
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await sleep(20);
  }
}

describe("health server: the worker answers the health paths from the posted answers", () => {
  it("answers /, /ready, /live, /writer with the agent's exact headers and bodies", async () => {
    const { base } = await start(synced);
    const text = { type: "text/plain; charset=utf-8", cacheControl: "no-store", mac: null };
    assert.deepEqual(await get(`${base}/`), { code: 200, body: "ok\n", length: "3", ...text });
    assert.deepEqual(await get(`${base}/ready?x=1`), { code: 200, body: "ok\n", length: "3", ...text });
    assert.deepEqual(await get(`${base}/live`), { code: 200, body: "ok\n", length: "3", ...text });
    assert.deepEqual(await get(`${base}/writer`), { code: 200, body: "writer\n", length: "7", ...text });
    const head = await fetch(`${base}/ready`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), "");
    assert.deepEqual(await get(`${base}/ready`, { method: "POST" }), {
      code: 405,
      body: "method not allowed\n",
      length: "19",
      ...text,
    });
  });

  it("follows every post, and / sends a raw client the bare 100 line", async () => {
    const { server, base } = await start(syncing);
    const port = server.port;
    const root = await probe(address, port, "/");
    assert.equal(root.raw, "HTTP/1.1 100 Continue\r\n\r\n");
    assert.deepEqual(await codes(base), [100, 503, 200, 503]);
    assert.equal((await get(`${base}/writer`)).body, "not the writer\n");
    assert.equal((await get(`${base}/ready`)).body, "unavailable\n");

    server.post({ answers: synced, validUntil: farFuture() });
    // Posts are messages: the worker sees them a moment later.
    const deadline = Date.now() + 2000;
    while ((await codes(base)).join() !== "200,200,200,200") {
      assert.ok(Date.now() < deadline, "the posted answers did not reach the worker");
      await sleep(10);
    }
    server.post({ answers: { root: 503, ready: 503, live: 200, writer: 503 }, validUntil: farFuture() });
    await sleep(100);
    assert.deepEqual(await codes(base), [503, 503, 200, 503]);
  });

  it("answers 503 everywhere, /live too, once the posted answers expire", async () => {
    const { server, base } = await start(syncing);
    server.post({ answers: synced, validUntil: Date.now() + 400 });
    await sleep(100);
    assert.deepEqual(await codes(base), [200, 200, 200, 200]);
    await sleep(400);
    assert.deepEqual(await codes(base), [503, 503, 503, 503]);
    server.post({ answers: synced, validUntil: farFuture() });
    await sleep(100);
    assert.deepEqual(await codes(base), [200, 200, 200, 200]);
  });

  it("keeps answering while the main thread is stalled, and stops vouching once its answers expire", async () => {
    const { server, base } = await start(synced);
    server.post({ answers: synced, validUntil: Date.now() + 1500 });
    await sleep(100);
    // spawnSync blocks this (the main) thread for the child's whole run: a real stall. The
    // child asks at once, then again after the answers' deadline.
    const client = `
      const ask = async () => (await Promise.all(["/", "/ready", "/live", "/writer"].map(async (p) => (await fetch(${JSON.stringify(base)} + p)).status))).join(",");
      (async () => {
        const early = await ask();
        await new Promise((r) => setTimeout(r, 2000));
        console.log(early + " " + (await ask()));
      })();`;
    const run = spawnSync(process.execPath, ["-e", client], { encoding: "utf8", timeout: 20_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), "200,200,200,200 503,503,503,503");
  });
});

/**
 * Everything a raw client gets back for what it sends: each chunk written after the answer
 * to the last began (or after pauseMs), until the server closes or stays silent for idleMs.
 */
async function rawExchange(
  port: number,
  chunks: string[],
  options: { pauseMs?: number; idleMs?: number; halfClose?: boolean } = {},
): Promise<{ text: string; closedByServer: boolean }> {
  const socket = connect(port, address);
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  let text = "";
  let closedByServer = false;
  socket.on("data", (d: Buffer) => (text += d.toString("latin1")));
  const ended = new Promise<void>((resolve) =>
    socket.once("end", () => ((closedByServer = true), resolve())),
  );
  for (const chunk of chunks) {
    socket.write(chunk);
    await sleep(options.pauseMs ?? 0);
  }
  if (options.halfClose) socket.end();
  let seen = -1;
  while (!closedByServer && seen !== text.length) {
    seen = text.length;
    await Promise.race([ended, sleep(options.idleMs ?? 300)]);
  }
  socket.destroy();
  return { text, closedByServer };
}

/** The status line and body of each response in a raw exchange, in order. */
function responses(text: string): { status: string; body: string; headers: string }[] {
  const out: { status: string; body: string; headers: string }[] = [];
  let rest = text;
  while (rest.length > 0) {
    const headEnd = rest.indexOf("\r\n\r\n");
    assert.ok(headEnd > 0, `an incomplete response: ${JSON.stringify(rest)}`);
    const head = rest.slice(0, headEnd);
    const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
    const [status, ...headers] = head.split("\r\n");
    out.push({
      status: status!,
      body: rest.slice(headEnd + 4, headEnd + 4 + length),
      headers: headers.join("\n"),
    });
    rest = rest.slice(headEnd + 4 + length);
  }
  return out;
}

describe("health server: one port for the fast path and node:http", () => {
  const host = "Host: n1\r\n";
  it("pipelined requests are answered in order, the fast path's and node:http's alike", async () => {
    const { server } = await start(synced);
    const { text, closedByServer } = await rawExchange(server.port, [
      `GET /ready HTTP/1.1\r\n${host}\r\nGET /writer HTTP/1.1\r\n${host}\r\n` +
        `GET /status HTTP/1.1\r\n${host}\r\nGET /live HTTP/1.1\r\n${host}Connection: close\r\n\r\n`,
    ]);
    assert.ok(closedByServer, "the last request asked to close");
    assert.deepEqual(
      responses(text).map((r) => [r.status, r.body]),
      [
        ["HTTP/1.1 200 OK", "ok\n"],
        ["HTTP/1.1 200 OK", "writer\n"],
        ["HTTP/1.1 200 OK", JSON.stringify(status) + "\n"],
        // node:http has the connection from /status on: it answers /live through the worker.
        ["HTTP/1.1 200 OK", "ok\n"],
      ],
    );
  });

  it("a request sent a byte at a time, then a second on the same connection", async () => {
    const { server } = await start(synced);
    const request = `GET /writer HTTP/1.1\r\n${host}User-Agent: slow\r\n\r\n`;
    const { text, closedByServer } = await rawExchange(server.port, [...request, request], { pauseMs: 2 });
    assert.ok(!closedByServer, "keep-alive: the connection stays open");
    const answers = responses(text);
    assert.deepEqual(
      answers.map((r) => [r.status, r.body]),
      [
        ["HTTP/1.1 200 OK", "writer\n"],
        ["HTTP/1.1 200 OK", "writer\n"],
      ],
    );
    assert.match(answers[0]!.headers, /^Connection: keep-alive$/m);
    assert.match(answers[0]!.headers, /^Keep-Alive: timeout=5$/m);
    assert.match(answers[0]!.headers, /^Date: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$/m);
  });

  it("HAProxy's HTTP/1.0 check is answered and closed; HEAD has no body", async () => {
    const { server } = await start(syncing);
    const check = await rawExchange(server.port, ["GET /writer HTTP/1.0\r\n\r\n"]);
    assert.ok(check.closedByServer);
    const [answer] = responses(check.text);
    assert.equal(answer!.status, "HTTP/1.1 503 Service Unavailable");
    assert.equal(answer!.body, "not the writer\n");
    assert.match(answer!.headers, /^Connection: close$/m);
    const head = await rawExchange(server.port, [`HEAD /ready HTTP/1.1\r\n${host}Connection: close\r\n\r\n`]);
    assert.match(head.text, /^HTTP\/1\.1 503 Service Unavailable\r\n[^]*content-length: 12\r\n[^]*\r\n\r\n$/);
  });

  it("a client that ends its side after a keep-alive request gets its answer, then the close", async () => {
    const { server } = await start(synced);
    const { text, closedByServer } = await rawExchange(server.port, [`GET /ready HTTP/1.1\r\n${host}\r\n`], {
      halfClose: true,
      idleMs: 2000,
    });
    assert.ok(closedByServer, "the server ended its side too, without waiting for the idle timeout");
    assert.deepEqual(
      responses(text).map((r) => r.status),
      ["HTTP/1.1 200 OK"],
    );
  });

  it("clients that reset their connections mid-request do not crash the worker", async () => {
    const { server, base, recorded } = await start(synced);
    const worker = server.worker;
    for (let i = 0; i < 50; i++) {
      const socket = connect(server.port, address);
      await new Promise<void>((resolve) => socket.once("connect", resolve));
      socket.write(i % 2 === 0 ? `GET /ready HTTP/1.1\r\n${host}` : `GET /ready HTTP/1.0\r\n\r\n`);
      socket.resetAndDestroy();
    }
    await sleep(100);
    assert.equal(server.worker, worker, "the same worker still serves");
    assert.deepEqual(
      recorded.lines.filter((l) => l.startsWith("error")),
      [],
    );
    assert.deepEqual(await codes(base), [200, 200, 200, 200]);
  });

  it("what the fast path does not take, node:http answers as it always did", async () => {
    const { server } = await start(synced);
    const noHost = await rawExchange(server.port, ["GET /ready HTTP/1.1\r\n\r\n"]);
    assert.match(noHost.text, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.ok(noHost.closedByServer);
    const post = await rawExchange(server.port, [
      `POST /ready HTTP/1.1\r\n${host}Content-Length: 2\r\nConnection: close\r\n\r\nhi`,
    ]);
    assert.deepEqual(
      responses(post.text).map((r) => [r.status, r.body]),
      [["HTTP/1.1 405 Method Not Allowed", "method not allowed\n"]],
    );
    const garbage = await rawExchange(server.port, ["\x16\x03\x01\x00\x05hello\r\n\r\n"]);
    assert.match(garbage.text, /^HTTP\/1\.1 400 Bad Request\r\n/);
  });
});

describe("health server: every other path is answered by the main thread", () => {
  it("/status, /metrics and unknown paths", async () => {
    const { base } = await start(synced);
    const json = await get(`${base}/status`);
    assert.equal(json.code, 200);
    assert.equal(json.type, "application/json");
    assert.equal(json.cacheControl, "no-store");
    assert.deepEqual(JSON.parse(json.body), status);
    assert.equal(Number(json.length), Buffer.byteLength(json.body));
    const metrics = await get(`${base}/metrics`);
    assert.equal(metrics.code, 200);
    assert.equal(metrics.type, "text/plain; version=0.0.4; charset=utf-8");
    assert.equal(metrics.body, "galera_pilot_ready 1\n");
    assert.deepEqual(await get(`${base}/nothing`), {
      code: 404,
      body: "not found\n",
      type: "text/plain; charset=utf-8",
      cacheControl: "no-store",
      length: "10",
      mac: null,
    });
  });

  it("a failing metrics scrape is a 500", async () => {
    const { base } = await start(synced, { metrics: () => Promise.reject(new Error("registry broke")) });
    const answer = await get(`${base}/metrics`);
    assert.equal(answer.code, 500);
    assert.equal(answer.body, "metrics failed\n");
  });

  it("/peer/state answers only a request proving the secret, signed for its nonce", async () => {
    const { base } = await start(synced);
    const refused = await get(`${base}/peer/state`);
    assert.equal(refused.code, 401);
    assert.equal(refused.body, "the request does not prove the cluster secret\n");
    const wrong = await get(`${base}/peer/state`, {
      headers: { [requestHeader]: signRequest(new Secret("other"), "/peer/state", newNonce()) },
    });
    assert.equal(wrong.code, 401);
    const nonce = newNonce();
    const answer = await get(`${base}/peer/state`, {
      headers: { [requestHeader]: signRequest(secret, "/peer/state", nonce) },
    });
    assert.equal(answer.code, 200);
    assert.equal(answer.type, "application/json");
    assert.deepEqual(JSON.parse(answer.body), { name: "n1", inPrimary: true });
    assert.ok(verifyAnswer(secret, nonce, answer.body, answer.mac), "the answer is signed for the nonce");
    assert.ok(!verifyAnswer(secret, newNonce(), answer.body, answer.mac), "and for that nonce only");
  });

  it("no answer, header or log line holds the cluster secret", async () => {
    const { server, base, recorded } = await start(synced);
    const nonce = newNonce();
    const seen: string[] = [];
    for (const path of ["/", "/ready", "/live", "/writer", "/status", "/metrics", "/peer/state", "/x"]) {
      const signed: Record<string, string> = { [requestHeader]: signRequest(secret, "/peer/state", nonce) };
      for (const headers of [{}, signed]) {
        const response = await fetch(`${base}${path}`, { headers });
        seen.push(await response.text(), JSON.stringify([...response.headers]));
      }
      seen.push((await probe(address, server.port, path)).raw);
    }
    seen.push(...recorded.lines);
    assert.ok(seen.length > 30);
    for (const text of seen) assert.ok(!text.includes(secretValue), `the secret leaked into: ${text}`);
  });
});

describe("health server: a crashed worker", () => {
  it("is started again on the same port with the last posted answers, then gives up loudly", async () => {
    const { server, base, recorded } = await start(syncing);
    const port = server.port;
    server.post({ answers: synced, validUntil: farFuture() });
    await sleep(100);
    const crash = async (): Promise<void> => {
      const worker = server.worker!;
      const exited = new Promise((resolve) => worker.once("exit", resolve));
      // A message the worker does not understand is a bug it crashes on.
      worker.postMessage({ kind: "no-such-message" });
      await exited;
    };

    await crash();
    await until(() => recorded.lines.some((l) => l.includes("answers again")), 5000);
    assert.ok(recorded.lines.some((l) => l.startsWith("error: ") && l.includes("crashed")));
    assert.equal(server.port, port);
    assert.deepEqual(await codes(base), [200, 200, 200, 200], "the new worker serves the last post");
    assert.equal((await get(`${base}/status`)).code, 200, "and forwards again");
    assert.equal(recorded.failures.length, 0);

    await crash();
    await until(() => recorded.lines.filter((l) => l.includes("answers again")).length === 2, 5000);
    assert.equal(recorded.failures.length, 0);

    // The third crash within a minute: the listener is not started again; the agent is told.
    await crash();
    await until(() => recorded.failures.length === 1, 5000);
    assert.match(recorded.failures[0]!.message, /crashed 3 times within 60 s .*giving up/);
    await assert.rejects(probe(address, port, "/ready"), "nothing listens any more");
  });

  it("a port already taken fails the start as a listen would", async () => {
    const { server } = await start(synced);
    await assert.rejects(start(synced, { port: server.port }), { code: "EADDRINUSE" });
  });
});

describe("answersDeadline: how long posted answers may be served", () => {
  it("answers from a sample: until that sample is three intervals old", () => {
    assert.equal(answersDeadline({ now: 10_000, sampleIntervalMs: 1000, freshSampleTakenAt: 9_500 }), 12_500);
    assert.equal(answersDeadline({ now: 10_000, sampleIntervalMs: 500, freshSampleTakenAt: 9_900 }), 11_400);
  });

  it("never longer than the main thread may stay silent", () => {
    // A sample taken in the future of `now` (clock step) cannot extend the bound.
    assert.equal(
      answersDeadline({ now: 10_000, sampleIntervalMs: 1000, freshSampleTakenAt: 20_000 }),
      13_000,
    );
  });

  it("answers that used no sample: the silence bound, at least a second", () => {
    assert.equal(answersDeadline({ now: 10_000, sampleIntervalMs: 1000, freshSampleTakenAt: null }), 13_000);
    assert.equal(answersDeadline({ now: 10_000, sampleIntervalMs: 100, freshSampleTakenAt: null }), 11_000);
  });
});

describe("a peer that asks for this node's state", () => {
  const secret = new Secret("cluster-secret");
  const asked: string[] = [];
  const options = {
    status: () => ({}) as never,
    metrics: () => Promise.resolve(""),
    peerState: () => ({ name: "n1" }),
    clusterSecret: secret,
    onPeerAsk: (address: string) => asked.push(address),
  };

  it("is told to the agent by its address once its request proves the cluster secret, and only then", async () => {
    asked.length = 0;
    const wrong = signRequest(new Secret("another"), peerStatePath, newNonce());
    assert.equal((await mainThreadAnswer(options, peerStatePath, wrong, "10.0.0.9")).code, 401);
    assert.equal((await mainThreadAnswer(options, peerStatePath, null, "10.0.0.9")).code, 401);
    assert.deepEqual(asked, []);
    const right = signRequest(secret, peerStatePath, newNonce());
    assert.equal((await mainThreadAnswer(options, peerStatePath, right, "10.0.0.7")).code, 200);
    assert.deepEqual(asked, ["10.0.0.7"]);
    // Over the worker, with no remote address known: nothing to tell.
    assert.equal(
      (await mainThreadAnswer(options, peerStatePath, signRequest(secret, peerStatePath, newNonce()))).code,
      200,
    );
    assert.deepEqual(asked, ["10.0.0.7"]);
  });
});
