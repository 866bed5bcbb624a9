import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Secret } from "../../../src/config/secret.js";
import { answerHeader, requestHeader, signAnswer, verifyRequest } from "../../../src/peer-api/peer-auth.js";
import { fetchPeerState, peerStatePath } from "../../../src/peer-api/peer-state-client.js";
import { aReport } from "../model/wire-fixtures.js";

// 127.0.13.x: the health tests' loopback range; port 0, so runs never collide.
const address = "127.0.13.202";
const secret = new Secret("peer-client-test-secret");
// A whole report, and a field this version does not know (a newer agent's): kept as it came.
const report = { ...aReport({ name: "n2", inPrimary: false }), seqno: 42 };

/** What the stand-in peer does with a request whose nonce it read (null: the request was not signed). */
type Behaviour = (nonce: string | null, res: ServerResponse) => void;
let behaviour: Behaviour = () => undefined;
let server: Server;
let base = "";

before(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const header = req.headers[requestHeader];
    behaviour(verifyRequest(secret, peerStatePath, typeof header === "string" ? header : undefined), res);
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  base = `http://${address}:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

function answer(res: ServerResponse, code: number, body: string, mac?: string): void {
  res.writeHead(code, { "content-type": "application/json", ...(mac ? { [answerHeader]: mac } : {}) });
  res.end(body);
}

describe("fetchPeerState: a peer's report counts only when signed for our nonce", () => {
  it("a signed report, with our receive time", async () => {
    behaviour = (nonce, res) => {
      const body = JSON.stringify(report);
      answer(res, 200, body, signAnswer(secret, nonce!, body));
    };
    const before = Date.now();
    const result = await fetchPeerState(base, secret, 1000);
    assert.ok(result.ok);
    assert.deepEqual({ ...result.report, reportedAt: 0 }, { ...report, reportedAt: 0 });
    assert.ok(result.report.reportedAt >= before && result.report.reportedAt <= Date.now());
  });

  it("our request is refused: the peer holds another secret", async () => {
    behaviour = (_nonce, res) => answer(res, 401, "no\n");
    assert.deepEqual(await fetchPeerState(base, new Secret("wrong"), 1000), {
      ok: false,
      problem: "rejected our secret",
    });
  });

  it("an unsigned, wrongly signed or failed answer is not a report", async () => {
    const body = JSON.stringify(report);
    for (const b of [
      (_n: string | null, res: ServerResponse) => answer(res, 200, body),
      (n: string | null, res: ServerResponse) =>
        answer(res, 200, body, signAnswer(new Secret("x"), n!, body)),
      (n: string | null, res: ServerResponse) => answer(res, 200, body + " ", signAnswer(secret, n!, body)),
      (n: string | null, res: ServerResponse) => answer(res, 500, body, signAnswer(secret, n!, body)),
    ]) {
      behaviour = b;
      assert.deepEqual(await fetchPeerState(base, secret, 1000), {
        ok: false,
        problem: "answer not signed with the cluster secret",
      });
    }
  });

  it("a signed answer that is not a report", async () => {
    behaviour = (nonce, res) => answer(res, 200, "[1,2]", signAnswer(secret, nonce!, "[1,2]"));
    assert.deepEqual(await fetchPeerState(base, secret, 1000), { ok: false, problem: "malformed answer" });
    behaviour = (nonce, res) => answer(res, 200, "{", signAnswer(secret, nonce!, "{"));
    assert.deepEqual(await fetchPeerState(base, secret, 1000), { ok: false, problem: "malformed answer" });
  });

  it("a signed answer that is not a report: malformed, and one line says what is wrong", async () => {
    const lines: string[] = [];
    const cases: [unknown, string][] = [
      [
        { ...report, position: { uuid: "u", seqno: "x" } },
        `peer ${address} answered /peer/state with a report whose position.seqno is "x", not a whole number`,
      ],
      [
        { ...report, inPrimary: undefined },
        `peer ${address} answered /peer/state with a report without inPrimary`,
      ],
      [[1, 2], `peer ${address} answered /peer/state with a list, not a report`],
    ];
    for (const [sent, line] of cases) {
      const body = JSON.stringify(sent);
      behaviour = (nonce, res) => answer(res, 200, body, signAnswer(secret, nonce!, body));
      lines.length = 0;
      assert.deepEqual(await fetchPeerState(base, secret, 1000, (l) => lines.push(l)), {
        ok: false,
        problem: "malformed answer",
      });
      assert.deepEqual(lines, [line]);
    }
    behaviour = (nonce, res) => answer(res, 200, "{", signAnswer(secret, nonce!, "{"));
    lines.length = 0;
    await fetchPeerState(base, secret, 1000, (l) => lines.push(l));
    assert.deepEqual(lines, [`peer ${address} answered /peer/state with something else than JSON`]);
    // A good report says nothing.
    behaviour = (nonce, res) => {
      const body = JSON.stringify(report);
      answer(res, 200, body, signAnswer(secret, nonce!, body));
    };
    lines.length = 0;
    assert.equal((await fetchPeerState(base, secret, 1000, (l) => lines.push(l))).ok, true);
    assert.deepEqual(lines, []);
  });

  it("an answer longer than 1 MiB is not read: unreachable", async () => {
    behaviour = (_nonce, res) => answer(res, 200, " ".repeat(1024 * 1024 + 1));
    assert.deepEqual(await fetchPeerState(base, secret, 1000), { ok: false, problem: "unreachable" });
  });

  it("nobody listening, or a peer that never answers: unreachable, within the timeout", async () => {
    assert.deepEqual(await fetchPeerState(`http://${address}:1`, secret, 1000), {
      ok: false,
      problem: "unreachable",
    });
    behaviour = () => undefined;
    const start = Date.now();
    assert.deepEqual(await fetchPeerState(base, secret, 300), { ok: false, problem: "unreachable" });
    const took = Date.now() - start;
    assert.ok(took >= 280 && took < 2000, `gave up after ${took} ms`);
    // A peer that sends headers, then stalls its body, is cut at the same deadline.
    behaviour = (_nonce, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write("{");
    };
    assert.deepEqual(await fetchPeerState(base, secret, 300), { ok: false, problem: "unreachable" });
    server.closeAllConnections();
  });
});
