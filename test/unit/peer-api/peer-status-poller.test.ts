import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { PeerStatusPoller } from "../../../src/peer-api/peer-status-poller.js";

describe("PeerStatusPoller", () => {
  it("asks a member new to the view again every 100 ms until it answers, not once per interval", async () => {
    let requests = 0;
    const server = createServer((_req, res) => {
      requests++;
      if (requests <= 2) {
        res.writeHead(503).end();
        return;
      }
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ node: "n2", answeredAt: "x" }));
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
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ node: "n2", answeredAt: "x" }));
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
