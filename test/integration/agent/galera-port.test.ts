import { after, describe } from "node:test";
import assert from "node:assert/strict";
import { failureAwareSteps } from "../../support/failure-aware-steps.js";
import { agentLog, allSynced, sql, testCluster } from "../../support/local-cluster-harness.js";

/**
 * A cluster set to another Galera port than 4567, its peers given as bare addresses
 * (`node 127.0.28.2,127.0.28.3,127.0.28.4`, as the 2015 post gives them): every node must look
 * for its peers on the port the cluster uses. The host list's default port used to be 4567
 * whatever the setting, so the joiners dialled a port nobody listened on and never joined.
 */
describe("given a 3-node cluster on Galera port 4577", { timeout: 600_000 }, () => {
  const { cluster, events } = testCluster("galera-port", "127.0.28.2", {
    agentEnv: {
      GALERA_PILOT_GALERA_PORT: "4577",
      GALERA_PILOT_IST_PORT: "4578",
      GALERA_PILOT_SST_PORT: "4574",
    },
  });
  const { step, failed } = failureAwareSteps();
  after(async () => {
    await cluster.down();
    if (failed()) console.error(events.join("\n"));
  });

  step("then the peers are found on that port and all three nodes form one cluster", async () => {
    await cluster.up();
    await cluster.waitFor(allSynced(3), 240_000, "3 of 3 synced on port 4577");
    const n1 = cluster.layout.find((n) => n.name === "n1")!;
    const rows = await sql(n1.socket, "SHOW GLOBAL STATUS LIKE 'wsrep_incoming_addresses'");
    assert.equal(String(rows[0]?.["Value"]).split(",").length, 3);
    assert.match(agentLog(cluster, "n2"), /peers from .*127\.0\.28\.2:4577/);
  });
});
