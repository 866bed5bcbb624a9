import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { preferredDonors, type DonorCandidate } from "../../../src/health/donor-preference.js";

const peer = (node: string, over: Partial<DonorCandidate> = {}): DonorCandidate => ({
  node,
  incomingAddress: `10.0.0.${node.slice(1)}:3306`,
  phase: "synced",
  writer: false,
  writerEligibleSince: "2026-11-26T05:00:00.000Z",
  ...over,
});

describe("preferredDonors", () => {
  const cases: [string, (DonorCandidate | null)[], string[]][] = [
    ["the writer is left out", [peer("n2", { writer: true }), peer("n3")], ["n3"]],
    [
      "no writer yet (right after a failover): the peer eligible the longest is left out",
      [
        peer("n2", { writerEligibleSince: "2026-11-26T05:00:02.000Z" }),
        peer("n3", { writerEligibleSince: "2026-11-26T05:00:01.000Z" }),
      ],
      ["n2"],
    ],
    [
      "no writer yet, eligible since the same moment: the lowest address is left out",
      [peer("n3"), peer("n2"), peer("n10")],
      ["n10", "n3"],
    ],
    [
      "a peer not synced (joining, donor, draining) is never asked",
      [peer("n2", { writer: true }), peer("n3", { phase: "donor" }), peer("n4", { phase: "starting" })],
      [],
    ],
    [
      "the peer that claims the role is left out, even if another was eligible longer (reports catching up)",
      [
        peer("n2", { writerEligibleSince: "2026-11-26T05:00:00.000Z" }),
        peer("n3", { writer: true, writerEligibleSince: "2026-11-26T05:00:05.000Z" }),
      ],
      ["n2"],
    ],
    [
      "no writer yet: a synced peer that is not writer-eligible (read-only) is not the coming writer",
      [peer("n2", { writerEligibleSince: null }), peer("n3")],
      ["n2"],
    ],
    [
      "no writer yet: an eligible-since time that cannot be read does not make a peer the coming writer",
      [peer("n2", { writerEligibleSince: "soon" }), peer("n3")],
      ["n2"],
    ],
    ["a silent peer is skipped", [null, peer("n3", { writer: true }), peer("n4")], ["n4"]],
    [
      "only the writer can serve: empty, Galera chooses",
      [peer("n2", { writer: true }), peer("n3", { phase: "draining" })],
      [],
    ],
    [
      "a name that cannot go into the option is skipped",
      [peer("n2", { writer: true }), peer("n3,x"), peer("n4")],
      ["n4"],
    ],
    ["nobody answers: empty", [null, null], []],
  ];
  for (const [name, peers, expected] of cases) {
    it(name, () => assert.deepEqual(preferredDonors(peers), expected));
  }
});
