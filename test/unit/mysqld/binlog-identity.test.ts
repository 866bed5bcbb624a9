import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { binlogIdentity, clusterGtidDomain } from "../../../src/mysqld/binlog-identity.js";

void describe("binlogIdentity", () => {
  void it("gives this project's local cluster fixed numbers (a change would split every archive)", () => {
    assert.deepEqual(binlogIdentity("galera-pilot", "n1"), EXPECTED_N1);
    assert.equal(clusterGtidDomain("galera-pilot"), EXPECTED_N1.clusterDomain);
  });

  void it("gives every node of a cluster the same cluster domain, and each its own server_id and local domain", () => {
    const nodes = ["n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9"].map((n) =>
      binlogIdentity("galera-pilot", n),
    );
    assert.equal(new Set(nodes.map((n) => n.clusterDomain)).size, 1);
    assert.equal(new Set(nodes.map((n) => n.serverId)).size, nodes.length);
    assert.equal(new Set(nodes.map((n) => n.localDomain)).size, nodes.length);
  });

  void it("keeps every number in MariaDB's range, and a local domain never the cluster's", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (cluster, node) => {
        const id = binlogIdentity(cluster, node);
        assert.ok(id.clusterDomain >= 1000 && id.clusterDomain <= 9999, `cluster domain ${id.clusterDomain}`);
        assert.ok(id.localDomain >= 10_000 && id.localDomain < 2 ** 31, `local domain ${id.localDomain}`);
        assert.ok(id.serverId >= 1 && id.serverId <= 999_999, `server_id ${id.serverId}`);
        assert.ok(
          Number.isInteger(id.clusterDomain) &&
            Number.isInteger(id.localDomain) &&
            Number.isInteger(id.serverId),
        );
        assert.deepEqual(binlogIdentity(cluster, node), id, "the same names give the same numbers");
      }),
    );
  });

  void it("tells clusters of different names apart by their domain", () => {
    assert.notEqual(clusterGtidDomain("galera-pilot"), clusterGtidDomain("backup"));
    assert.notEqual(binlogIdentity("a", "n1").serverId, binlogIdentity("b", "n1").serverId);
  });
});

const EXPECTED_N1 = { clusterDomain: 7216, localDomain: 495622503, serverId: 187122 };
