import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fetchNodeStatus, readNodeStatusOrRefusal } from "../../../src/peer-api/node-status-client.js";
import { aStatus } from "../model/wire-fixtures.js";

const address = "127.0.0.1";
let respond: (res: ServerResponse) => void = (res) => res.end();
let server: Server;
let base = "";

before(async () => {
  server = createServer((_req, res) => respond(res));
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  base = `http://${address}:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const json = (status: unknown) => (res: ServerResponse) =>
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(status));

describe("readNodeStatusOrRefusal: a member's /status, checked", () => {
  it("a whole status, unknown fields kept", async () => {
    const status = { ...aStatus(), newerField: { a: 1 } };
    respond = json(status);
    assert.deepEqual(await readNodeStatusOrRefusal(`${base}/status`, 1000), status);
    assert.deepEqual(await fetchNodeStatus(base, 1000), status);
  });

  it("an answer that is not a status is none, and one line says what is wrong", async () => {
    const lines: string[] = [];
    const cases: [unknown, string][] = [
      [
        { ...aStatus(), seqno: "x" },
        `peer ${address} answered /status with a status whose seqno is "x", not a whole number or null`,
      ],
      [{ node: "n2", answeredAt: "x" }, `peer ${address} answered /status with a status without address`],
      ["synced", `peer ${address} answered /status with "synced", not a status`],
    ];
    for (const [sent, line] of cases) {
      respond = json(sent);
      lines.length = 0;
      assert.equal(await readNodeStatusOrRefusal(`${base}/status`, 1000, (l) => lines.push(l)), null);
      assert.deepEqual(lines, [line]);
    }
    respond = (res) => res.end("<html>");
    lines.length = 0;
    assert.equal(await readNodeStatusOrRefusal(`${base}/status`, 1000, (l) => lines.push(l)), null);
    assert.deepEqual(lines, [`peer ${address} answered /status with something else than JSON`]);
  });

  it("no 2xx, or no answer in time: none; nobody listening: refused", async () => {
    respond = (res) => res.writeHead(503).end(JSON.stringify(aStatus()));
    assert.equal(await readNodeStatusOrRefusal(`${base}/status`, 1000), null);
    respond = () => undefined;
    assert.equal(await readNodeStatusOrRefusal(`${base}/status`, 200), null);
    server.closeAllConnections();
    assert.equal(await readNodeStatusOrRefusal(`http://${address}:1/status`, 1000), "refused");
  });
});
