import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { failureAwareSteps } from "../../support/failure-aware-steps.js";
import { probe } from "../../support/http-probe.js";
import { agentLog, allSynced, testCluster } from "../../support/local-cluster-harness.js";

/**
 * The writer's agent frozen (SIGSTOP) for 15 s while its mariadbd keeps serving. Its peers
 * must take the role within the failover bound (they used to wait 10 s), and once it resumes
 * it must never answer 200 on /writer beside the new writer (it used to take its own deafness
 * for its peers' silence and claim at once). Every agent's /writer is polled together every
 * 50 ms from before the freeze until 8 s after it ends.
 */
describe("given a writer whose agent is paused for 15 s", { timeout: 600_000 }, () => {
  const { cluster, events } = testCluster("paused-writer", "127.0.35.2");
  const { step, failed } = failureAwareSteps();
  const rounds: { at: number; writers: string[] }[] = [];
  let polling = true;
  let poller: Promise<void> = Promise.resolve();

  before(async () => {
    await cluster.up();
    await cluster.waitFor(allSynced(3), 300_000, "3 of 3 synced");
    await cluster.waitFor((s) => s.filter((n) => n.writer).length === 1, 60_000, "one writer");
    poller = (async () => {
      while (polling) {
        const at = Date.now();
        const answers = await Promise.all(
          cluster.layout.map((n) =>
            probe(n.address, 8080, "/writer", 300).then(
              (a) => (a.code === 200 ? n.name : null),
              () => null,
            ),
          ),
        );
        rounds.push({ at, writers: answers.filter((w): w is string => w !== null) });
        await sleep(50);
      }
    })();
  });

  after(async () => {
    polling = false;
    await poller;
    await cluster.down().catch(() => undefined);
    if (failed()) console.log(events.slice(-150).join("\n"));
  });

  step(
    "another node takes the role within 6 s, none beside it, and the resumed agent does not take it back",
    async () => {
      const status = await cluster.status();
      const writer = status.find((n) => n.writer)!;
      assert.ok(writer.agentPid, "the writer's agent pid is known");
      await sleep(1000);
      const pausedAt = Date.now();
      process.kill(writer.agentPid, "SIGSTOP");
      let resumedAt = 0;
      try {
        await sleep(15_000);
      } finally {
        process.kill(writer.agentPid, "SIGCONT");
        resumedAt = Date.now();
      }
      await sleep(8000);
      polling = false;
      await poller;

      const overlaps = rounds.filter((r) => r.writers.length > 1);
      assert.deepEqual(overlaps, [], "never two agents answering 200 on /writer in the same round");
      const taken = rounds.find(
        (r) => r.at > pausedAt && r.writers.length === 1 && r.writers[0] !== writer.name,
      );
      assert.ok(taken, "another node took the writer role");
      const handover = (taken.at - pausedAt) / 1000;
      assert.ok(handover <= 6, `the role moved ${handover.toFixed(1)} s after the pause, not within 6 s`);
      const reclaimed = rounds.filter((r) => r.at >= resumedAt && r.writers.includes(writer.name));
      assert.deepEqual(reclaimed, [], `${writer.name} never answers 200 after it resumed`);
      assert.match(
        agentLog(cluster, writer.name),
        /this agent did not run for 1\d\.\d s \(paused or starved\)/,
      );
      console.log(
        `writer role moved ${handover.toFixed(2)} s after the pause; ${rounds.length} polling rounds`,
      );
    },
  );
});
