import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { PeerStatusPoller } from "../../../src/peer-api/peer-status-poller.js";
import { aStatus } from "../model/wire-fixtures.js";

describe("PeerStatusPoller", () => {
  it("asks a member new to the view again every 100 ms until it answers, not once per interval", async () => {
    let requests = 0;
    const server = createServer((_req, res) => {
      requests++;
      if (requests <= 2) {
        res.writeHead(503).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(aStatus({ node: "n2" })));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const poller = new PeerStatusPoller(10_000, (member) =>
      member === "self" ? null : `http://127.0.0.1:${port}/status`,
    );
    try {
      poller.start();
      poller.setMembers(["self", "n2:3306"]);
      const started = Date.now();
      while (!poller.get("n2:3306") && Date.now() - started < 3000) await sleep(20);
      assert.ok(poller.get("n2:3306"), "no report within 3 s although the interval is 10 s");
      assert.equal(requests, 3);
      assert.ok(Date.now() - started < 2000);
    } finally {
      poller.stop();
      server.close();
    }
  });

  it("a member whose answers are not a status: no report, and each new way it is wrong said once", async () => {
    let answer: unknown = { ...aStatus({ node: "n2" }), seqno: "x" };
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const said: string[] = [];
    const poller = new PeerStatusPoller(
      20,
      (member) => (member === "self" ? null : `http://127.0.0.1:${port}/status`),
      () => {},
      (member, line) => said.push(`${member}: ${line}`),
    );
    const seqnoLine = `n2:3306: peer 127.0.0.1 answered /status with a status whose seqno is "x", not a whole number or null`;
    try {
      poller.start();
      poller.setMembers(["self", "n2:3306"]);
      await sleep(300);
      assert.equal(poller.get("n2:3306"), undefined, "a malformed answer is no answer");
      assert.equal(said.length, 1, said.join("\n"));
      assert.ok(said[0]?.startsWith(seqnoLine), said[0]);
      answer = aStatus({ node: "n2" });
      const started = Date.now();
      while (!poller.get("n2:3306") && Date.now() - started < 3000) await sleep(10);
      assert.ok(poller.get("n2:3306"), "a good answer counts");
      answer = { ...aStatus({ node: "n2" }), seqno: "x" };
      await sleep(300);
      assert.equal(said.length, 2, "wrong again after a good answer: said again");
    } finally {
      poller.stop();
      server.closeAllConnections();
      server.close();
    }
  });

  it("notes when a member's agent refuses the connection, says so at once, and forgets it when the agent answers again", async () => {
    // A port nothing listens on: take one, then close it.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const refused: string[] = [];
    const poller = new PeerStatusPoller(
      100,
      (member) => (member === "self" ? null : `http://127.0.0.1:${port}/status`),
      (member) => refused.push(member),
    );
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(aStatus({ node: "n2" })));
    });
    try {
      poller.start();
      const before = Date.now();
      poller.setMembers(["self", "n2:3306"]);
      const started = Date.now();
      while (poller.refusedAt("n2:3306") === undefined && Date.now() - started < 3000) await sleep(10);
      assert.ok((poller.refusedAt("n2:3306") ?? 0) >= before, "the refusal is noted with its time");
      assert.equal(refused[0], "n2:3306");
      assert.equal(poller.get("n2:3306"), undefined);
      assert.equal(poller.refusedSinceLastAnswer("n2:3306"), true, "never answered, then refused");
      // The agent is back on the same port.
      await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
      while (!poller.get("n2:3306") && Date.now() - started < 5000) await sleep(10);
      assert.ok(poller.get("n2:3306"), "its answer is kept");
      assert.equal(poller.refusedAt("n2:3306"), undefined, "and the refusal forgotten");
      assert.equal(poller.refusedSinceLastAnswer("n2:3306"), false, "it answered after the refusal");
      // The agent goes away again: refused after its last answer.
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      while (!poller.refusedSinceLastAnswer("n2:3306") && Date.now() - started < 8000) await sleep(10);
      assert.equal(poller.refusedSinceLastAnswer("n2:3306"), true, "refused after its last answer");
      assert.ok(poller.get("n2:3306"), "its last answer is kept beside the refusal");
    } finally {
      poller.stop();
      server.close();
    }
  });
});
