import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { localLayout } from "../../../src/local/cluster-layout.js";

describe("localLayout", () => {
  it("puts n1..n3 on consecutive loopback addresses with their own folders", () => {
    const nodes = localLayout({ stateDir: "/s", nodeCount: 3, firstAddress: "127.0.0.2", healthPort: 8080 });
    assert.deepEqual(
      nodes.map((n) => [n.name, n.address, n.datadir, n.socket, n.healthUrl]),
      [
        ["n1", "127.0.0.2", "/s/n1/data", "/s/n1/run/mysqld.sock", "http://127.0.0.2:8080"],
        ["n2", "127.0.0.3", "/s/n2/data", "/s/n2/run/mysqld.sock", "http://127.0.0.3:8080"],
        ["n3", "127.0.0.4", "/s/n3/data", "/s/n3/run/mysqld.sock", "http://127.0.0.4:8080"],
      ],
    );
  });

  it("carries across an octet", () => {
    const nodes = localLayout({
      stateDir: "/s",
      nodeCount: 2,
      firstAddress: "127.0.1.255",
      healthPort: 8080,
    });
    assert.deepEqual(
      nodes.map((n) => n.address),
      ["127.0.1.255", "127.0.2.0"],
    );
  });
});
