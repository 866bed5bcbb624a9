import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { sampleFromStatus } from "../../../src/probe/wsrep-sample.js";

describe("sampleFromStatus", () => {
  it("reads SHOW GLOBAL STATUS rows as a real 10.11 node prints them", () => {
    const rows = new Map([
      ["wsrep_local_state", "4"],
      ["wsrep_local_state_comment", "Synced"],
      ["wsrep_cluster_status", "Primary"],
      ["wsrep_cluster_size", "3"],
      ["wsrep_ready", "ON"],
      ["wsrep_connected", "ON"],
      ["wsrep_last_committed", "1841"],
      ["wsrep_flow_control_paused", "0.000123"],
      ["wsrep_incoming_addresses", "127.0.0.2:3306,127.0.0.3:3306,AUTO"],
    ]);
    const s = sampleFromStatus(5, rows, true);
    assert.equal(s.localState, 4);
    assert.equal(s.clusterSize, 3);
    assert.equal(s.ready, true);
    assert.equal(s.lastCommitted, 1841);
    assert.equal(s.flowControlPaused, 0.000123);
    assert.equal(s.readOnly, true);
    assert.deepEqual(s.incomingAddresses, ["127.0.0.2:3306", "127.0.0.3:3306"]);
    assert.equal(s.localRecvQueue, null);
  });
});
