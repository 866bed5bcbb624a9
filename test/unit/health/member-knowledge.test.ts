import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { abandonAfterMs, memberKnowledge, stalled } from "../../../src/health/member-knowledge.js";
import { mayClaimWriter } from "../../../src/health/writer-election.js";

const at = (ms: number) => new Date(ms).toISOString();

describe("a paused agent: silence counts only while this node listened", () => {
  // n2 was the writer's follower, eligible since t=1 000; its last report reached us at 5 000.
  const n2 = {
    address: "10.0.0.3:3306",
    last: { report: { writerEligibleSince: at(1000), answeredAt: at(4990) }, receivedAt: 5000 },
    firstSeen: 0,
  };

  it("a member last heard 15 s ago is abandoned by a node that listened all along", () => {
    assert.deepEqual(memberKnowledge(n2, 20_000, 4000), { address: n2.address, kind: "abandoned" });
  });

  it("the same member is still bound by its last report for a node that only began listening again at 19 s", () => {
    assert.deepEqual(memberKnowledge(n2, 20_000, 4000, 19_000), {
      address: n2.address,
      kind: "bound",
      eligibleNotBefore: 1000,
    });
    // …until it stays silent for the abandon time of listening.
    assert.equal(memberKnowledge(n2, 23_000, 4000, 19_000).kind, "bound");
    assert.equal(memberKnowledge(n2, 23_001, 4000, 19_000).kind, "abandoned");
  });

  it("a member never heard from is unknown for a node that just began listening, whatever its first sight", () => {
    const silent = { address: "10.0.0.4:3306", last: undefined, firstSeen: 0 };
    assert.equal(memberKnowledge(silent, 20_000, 4000).kind, "abandoned");
    assert.equal(memberKnowledge(silent, 20_000, 4000, 19_500).kind, "unknown");
  });

  it("the writer resumed from a pause, newly eligible, does not take the role back from the member eligible before it", () => {
    // The resumed node's eligible-since time starts anew at 20 000; n2's bound is 1 000.
    const others = [memberKnowledge(n2, 20_100, 4000, 20_000)];
    assert.equal(mayClaimWriter({ address: "10.0.0.2:3306", eligibleSince: 20_000 }, others), false);
    // Had it kept its old time (500) and taken its deafness for n2's silence, it would have claimed.
    const deaf = [memberKnowledge(n2, 20_100, 4000)];
    assert.equal(mayClaimWriter({ address: "10.0.0.2:3306", eligibleSince: 500 }, deaf), true);
  });
});

describe("how long a silent member holds the election back", () => {
  it("4 s at the default sampling (500 ms): after HAProxy's 3.25 s to take a silent writer out, long before 10 s", () => {
    assert.equal(abandonAfterMs(500), 4000);
    assert.equal(abandonAfterMs(100), 4000);
  });
  it("eight sampling intervals when they are longer", () => {
    assert.equal(abandonAfterMs(1000), 8000);
    assert.equal(abandonAfterMs(2000), 16_000);
  });
});

describe("a stall of the agent", () => {
  it("is a gap between two computations of its answers longer than its listener serves them: 3 intervals, at least 1 s", () => {
    assert.equal(stalled(null, 50_000, 500), false, "the first computation follows none");
    assert.equal(stalled(10_000, 10_100, 500), false);
    assert.equal(stalled(10_000, 11_500, 500), false);
    assert.equal(stalled(10_000, 11_501, 500), true);
    assert.equal(stalled(10_000, 11_000, 100), false);
    assert.equal(stalled(10_000, 11_001, 100), true);
    assert.equal(stalled(10_000, 13_000, 1000), false);
    assert.equal(stalled(10_000, 13_001, 1000), true);
  });
});

describe("a member whose agent refused our connection (nothing listens on its health port)", () => {
  // n2 was the writer, eligible since 1 000; its last answer reached us at 5 000.
  const n2 = {
    address: "10.0.0.3:3306",
    last: { report: { writerEligibleSince: at(1000), answeredAt: at(4990) }, receivedAt: 5000 },
    firstSeen: 0,
  };

  it("is bound by the refusal's time: its agent was not running then, so it can be eligible only since later", () => {
    assert.deepEqual(memberKnowledge({ ...n2, refusedAt: 5400 }, 5500, 4000), {
      address: n2.address,
      kind: "bound",
      eligibleNotBefore: 5400,
    });
  });

  it("so a node eligible since before the refusal may claim at once, without waiting for Galera to drop the member", () => {
    const others = [memberKnowledge({ ...n2, refusedAt: 5400 }, 5500, 4000)];
    assert.equal(mayClaimWriter({ address: "10.0.0.4:3306", eligibleSince: 2000 }, others), true);
    // …but not a node that became eligible after the refusal: the member, restarted, may be ahead.
    assert.equal(mayClaimWriter({ address: "10.0.0.4:3306", eligibleSince: 5401 }, others), false);
  });

  it("an answer that came after the refusal wins: the member's agent runs again", () => {
    const back = { ...n2, last: { ...n2.last, receivedAt: 6000 }, refusedAt: 5400 };
    assert.deepEqual(memberKnowledge(back, 6100, 4000), {
      address: n2.address,
      kind: "bound",
      eligibleNotBefore: 1000,
    });
  });

  it("a member never heard from but refusing is bound by the refusal, not unknown", () => {
    const fresh = { address: "10.0.0.5:3306", last: undefined, firstSeen: 5000, refusedAt: 5100 };
    assert.deepEqual(memberKnowledge(fresh, 5200, 4000), {
      address: fresh.address,
      kind: "bound",
      eligibleNotBefore: 5100,
    });
  });

  it("a refusal counts as hearing from it: a member refusing for longer than the abandon time is bound, not abandoned", () => {
    assert.deepEqual(memberKnowledge({ ...n2, refusedAt: 19_900 }, 20_000, 4000), {
      address: n2.address,
      kind: "bound",
      eligibleNotBefore: 19_900,
    });
    // An old refusal, and nothing since, is silence like any other.
    assert.equal(memberKnowledge({ ...n2, refusedAt: 5400 }, 20_000, 4000).kind, "abandoned");
  });
});
