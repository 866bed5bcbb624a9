import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { derivePhase } from "../../../src/agent/phase.js";
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

describe("derivePhase", () => {
  const table: [string, Parameters<typeof derivePhase>[0], string][] = [
    [
      "preparing before mariadbd",
      { lifecycle: "preparing", syncedSinceStart: false, sample: unreachableSample(0, "x") },
      "preparing",
    ],
    [
      "refused",
      { lifecycle: "refused", syncedSinceStart: false, sample: unreachableSample(0, "x") },
      "refused",
    ],
    [
      "not answering yet",
      { lifecycle: "running", syncedSinceStart: false, sample: unreachableSample(0, "ECONNREFUSED") },
      "starting",
    ],
    [
      "not answering after having been synced",
      { lifecycle: "running", syncedSinceStart: true, sample: unreachableSample(0, "x") },
      "server-down",
    ],
    ["joiner", { lifecycle: "running", syncedSinceStart: false, sample: sample("1", "Primary") }, "starting"],
    ["synced", { lifecycle: "running", syncedSinceStart: true, sample: sample("4", "Primary") }, "synced"],
    ["donor", { lifecycle: "running", syncedSinceStart: true, sample: sample("2", "Primary") }, "donor"],
    [
      "non-primary",
      { lifecycle: "running", syncedSinceStart: true, sample: sample("1", "non-Primary") },
      "non-primary",
    ],
    [
      "joined after synced",
      { lifecycle: "running", syncedSinceStart: true, sample: sample("3", "Primary") },
      "desynced",
    ],
    [
      "stopping",
      { lifecycle: "stopping", syncedSinceStart: true, sample: sample("4", "Primary") },
      "stopping",
    ],
  ];
  for (const [name, input, expected] of table) {
    it(`${name} → ${expected}`, () => assert.equal(derivePhase(input), expected));
  }
});
