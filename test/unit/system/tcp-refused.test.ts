import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type AddressInfo } from "node:net";
import { tcpRefused } from "../../../src/system/tcp-refused.js";

describe("tcpRefused: only a refused connection proves a listener gone", () => {
  it("a port something listens on is not refused; the same port once closed is", async () => {
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    assert.equal(await tcpRefused(`127.0.0.1:${port}`, 500), false);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    assert.equal(await tcpRefused(`127.0.0.1:${port}`, 500), true);
  });

  it("an address it cannot read is not a refusal", async () => {
    assert.equal(await tcpRefused("no-port-here", 500), false);
  });
});
