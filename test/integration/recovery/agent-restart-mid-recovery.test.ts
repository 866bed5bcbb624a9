import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { failureAwareSteps } from "../../support/failure-aware-steps.js";
import { AckedWriter } from "../../support/acked-writer.js";
import { agentLog, allSynced, sql, testCluster } from "../../support/local-cluster-harness.js";

/**
 * The recovery record (docs/recovery.md, "The recovery record") on a real 3-node cluster: an
 * agent killed with kill -9 in the middle of a recovery takes its record back when it starts
 * again, and the recovery still ends with one bootstrap of the same cluster and no
 * acknowledged write lost.
 *
 * The outage is a clean stop of all: the nodes keep no gvwstate.dat then, so a bootstrap is
 * the only way back (S2), and two of three wait for the third, since the newest data may be
 * its. (After a kill -9 of all, Galera's pc.recovery would restore the primary with no
 * bootstrap at all, and "exactly one bootstrap" would say nothing.)
 */
describe(
  "given a 3-node cluster stopped cleanly, with n1 and n2 back and waiting for n3",
  { timeout: 600_000 },
  () => {
    const { cluster, events } = testCluster("agent-restart", "127.0.17.2");
    const names = ["n1", "n2", "n3"];
    const node = (name: string) => cluster.layout.find((n) => n.name === name)!;
    const writer = new AckedWriter(node("n2").socket);
    const { step, failed } = failureAwareSteps();
    const clusterUuid = async (name: string): Promise<unknown> =>
      (await sql(node(name).socket, "SHOW GLOBAL STATUS LIKE 'wsrep_cluster_state_uuid'"))[0]?.["Value"];

    before(async () => {
      await cluster.up();
      await cluster.waitFor(allSynced(3), 240_000, "3 of 3 synced");
      await writer.createTable();
      await writer.writeRows(20);
    });
    after(async () => {
      await writer.stop();
      await cluster.down();
      if (failed()) console.error(events.join("\n"));
    });

    step(
      "when n1's agent is killed -9 while it waits and started again, then it resumes its wait from the recovery record, and once n3 is back exactly one node bootstraps the same cluster with every acknowledged write",
      async () => {
        const uuidBefore = await clusterUuid("n1");
        // Everything the agents log from the outage on.
        const logFrom = new Map(names.map((name) => [name, agentLog(cluster, name).length]));
        const since = (name: string): string => agentLog(cluster, name).slice(logFrom.get(name));

        await cluster.down(); // n3, n2, then n1
        cluster.resume();
        cluster.startNode("n1");
        cluster.startNode("n2");
        // n1 has heard n2, and waits for n3 alone: S2 needs every expected node's position.
        const waitsForN3 =
          /decision: wait: waiting: 2 of 3 members reported; [^\n]*waiting for (n3|127\.0\.17\.4)\n/;
        await cluster.waitFor(() => waitsForN3.test(since("n1")), 60_000, "n1 waiting for n3 alone");

        const beforeKill = agentLog(cluster, "n1").length;
        await cluster.killNode("n1", { restart: false });
        cluster.startNode("n1");
        const resumed =
          /resumed the recovery record written [\d.]+ s ago: last decision wait: waiting: 2 of 3 members reported; [^\n]*waiting for (n3|127\.0\.17\.4)\n/;
        await cluster.waitFor(
          () => resumed.test(agentLog(cluster, "n1").slice(beforeKill)),
          60_000,
          "n1's restarted agent resuming its wait",
        );
        // Waiting still, for the same reason: the record changes nothing the rules decide.
        await cluster.waitFor(
          () =>
            /decision: wait: [^\n]*waiting for (n3|127\.0\.17\.4)\n/.test(
              agentLog(cluster, "n1").slice(beforeKill),
            ),
          60_000,
          "n1 waiting again",
        );

        cluster.startNode("n3");
        await cluster.waitFor(allSynced(3), 180_000, "3 of 3 synced once n3 is back");
        const bootstrapped = names.filter((name) =>
          /decision: bootstrap(-in-place|-new-cluster)?: /.test(since(name)),
        );
        assert.equal(
          bootstrapped.length,
          1,
          `one bootstrap after the outage, not ${bootstrapped.join(", ")}`,
        );
        for (const name of names)
          assert.equal(await clusterUuid(name), uuidBefore, `${name} is in the same cluster`);
        await writer.assertNoneMissingOn(cluster.layout);
      },
    );
  },
);
