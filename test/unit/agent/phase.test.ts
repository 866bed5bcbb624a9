import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { derivePhase, type PhaseFacts } from "../../../src/agent/phase.js";
import { sampleFromStatus, unreachableSample } from "../../../src/probe/wsrep-sample.js";

const sample = (state: string, cluster: string) =>
  sampleFromStatus(
    0,
    new Map([
      ["wsrep_local_state", state],
      ["wsrep_cluster_status", cluster],
    ]),
    false,
  );
const down = unreachableSample(0, "ECONNREFUSED");

describe("derivePhase", () => {
  const table: [string, PhaseFacts, string][] = [
    [
      "preparing before mariadbd",
      { lifecycle: "preparing", syncedSinceStart: false, sample: down, sampleFresh: true },
      "preparing",
    ],
    [
      "waiting for peers",
      { lifecycle: "waiting", syncedSinceStart: false, sample: down, sampleFresh: true },
      "waiting",
    ],
    [
      "refused",
      { lifecycle: "refused", syncedSinceStart: false, sample: down, sampleFresh: true },
      "refused",
    ],
    [
      "not answering yet (SST)",
      { lifecycle: "running", syncedSinceStart: false, sample: down, sampleFresh: true },
      "starting",
    ],
    [
      "not answering after having been synced",
      { lifecycle: "running", syncedSinceStart: true, sample: down, sampleFresh: true },
      "server-down",
    ],
    [
      "mariadbd exited, the agent restarts it",
      { lifecycle: "restarting", syncedSinceStart: true, sample: sample("4", "Primary"), sampleFresh: true },
      "server-down",
    ],
    [
      "joiner",
      { lifecycle: "running", syncedSinceStart: false, sample: sample("1", "Primary"), sampleFresh: true },
      "starting",
    ],
    [
      "synced",
      { lifecycle: "running", syncedSinceStart: true, sample: sample("4", "Primary"), sampleFresh: true },
      "synced",
    ],
    [
      "synced, backing up: the backup's phase, out of the pools",
      {
        lifecycle: "running",
        syncedSinceStart: true,
        sample: sample("4", "Primary"),
        sampleFresh: true,
        backingUp: true,
      },
      "backing-up",
    ],
    [
      "desynced for a backup (Donor/Desynced): the backup's phase, not a donor's",
      {
        lifecycle: "running",
        syncedSinceStart: true,
        sample: sample("2", "Primary"),
        sampleFresh: true,
        backingUp: true,
      },
      "backing-up",
    ],
    [
      "backing up but mariadbd does not answer: down, as it is",
      { lifecycle: "running", syncedSinceStart: true, sample: down, sampleFresh: true, backingUp: true },
      "server-down",
    ],
    [
      "backing up, outside a primary: non-primary, as it is",
      {
        lifecycle: "running",
        syncedSinceStart: true,
        sample: sample("2", "non-Primary"),
        sampleFresh: true,
        backingUp: true,
      },
      "non-primary",
    ],
    [
      "draining while backing up: draining, the agent is leaving",
      {
        lifecycle: "draining",
        syncedSinceStart: true,
        sample: sample("2", "Primary"),
        sampleFresh: true,
        backingUp: true,
      },
      "draining",
    ],
    [
      "synced but the sample is stale",
      { lifecycle: "running", syncedSinceStart: true, sample: sample("4", "Primary"), sampleFresh: false },
      "server-down",
    ],
    [
      "donor",
      { lifecycle: "running", syncedSinceStart: true, sample: sample("2", "Primary"), sampleFresh: true },
      "donor",
    ],
    [
      "non-primary",
      { lifecycle: "running", syncedSinceStart: true, sample: sample("1", "non-Primary"), sampleFresh: true },
      "non-primary",
    ],
    [
      "joined after synced",
      { lifecycle: "running", syncedSinceStart: true, sample: sample("3", "Primary"), sampleFresh: true },
      "desynced",
    ],
    [
      "draining a synced node",
      { lifecycle: "draining", syncedSinceStart: true, sample: sample("4", "Primary"), sampleFresh: true },
      "draining",
    ],
    [
      "draining a non-primary node stays non-primary",
      {
        lifecycle: "draining",
        syncedSinceStart: true,
        sample: sample("1", "non-Primary"),
        sampleFresh: true,
      },
      "non-primary",
    ],
    [
      "stopping",
      { lifecycle: "stopping", syncedSinceStart: true, sample: sample("4", "Primary"), sampleFresh: true },
      "stopping",
    ],
  ];
  for (const [name, input, expected] of table) {
    it(`${name} → ${expected}`, () => assert.equal(derivePhase(input), expected));
  }
});
