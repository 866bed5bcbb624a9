import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { evictionVerdict, mayClearEvictions, type MemberFacts } from "../../../src/decide/dead-member.js";

// n3's whole node was killed at about 10 000: its agent refused us at 10 200, its Galera port at 10 250.
const dead: MemberFacts = {
  address: "10.0.0.4:3306",
  inView: true,
  last: {
    memberUuid: "6a1f0c2e-aae5",
    galeraAddress: "10.0.0.4:4567",
    receivedAt: 9_900,
    serverRunning: true,
    leaving: false,
  },
  agentRefusedAt: 10_200,
  galeraRefusedAt: 10_250,
};
const none = new Set<string>();
// n1 (this node) and n2 answer, n3 does not: 2 of 3.
const majority = { size: 3, answering: 2 };

describe("evicting a dead member at once (evs.evict), on the agents' proof that its node is dead", () => {
  it("a member whose agent and Galera port both refuse, in that order, after its last answer, is evicted by its UUID", () => {
    assert.deepEqual(evictionVerdict(dead, none, majority), {
      evict: true,
      memberUuid: "6a1f0c2e-aae5",
      reason:
        "10.0.0.4:3306 is dead: its agent and its Galera port 10.0.0.4:4567 refuse connections; evicting member 6a1f0c2e-aae5 instead of waiting for Galera's suspect timeout",
    });
  });

  it("a member whose agent answers that its mariadbd is not running, and whose Galera port then refuses, is evicted", () => {
    // Its mariadbd was killed at 10 000; its agent answered so at 10 100 (no UUID then: no server to ask).
    const serverGone = {
      ...dead,
      last: { ...dead.last!, receivedAt: 10_100, serverRunning: false },
      agentRefusedAt: undefined,
      galeraRefusedAt: 10_150,
    };
    assert.deepEqual(evictionVerdict(serverGone, none, majority), {
      evict: true,
      memberUuid: "6a1f0c2e-aae5",
      reason:
        "10.0.0.4:3306 is dead: its agent says its mariadbd is not running, and its Galera port 10.0.0.4:4567 refuses connections; evicting member 6a1f0c2e-aae5 instead of waiting for Galera's suspect timeout",
    });
    // A Galera refusal from before that answer proves nothing about the server the agent may have restarted since.
    assert.equal(evictionVerdict({ ...serverGone, galeraRefusedAt: 10_099 }, none, majority).evict, false);
  });

  it("a member that was leaving cleanly (draining, stopping) is not evicted: Galera drops it by its leave message", () => {
    assert.deepEqual(evictionVerdict({ ...dead, last: { ...dead.last!, leaving: true } }, none, majority), {
      evict: false,
      reason: "10.0.0.4:3306 was leaving cleanly: Galera drops it by its leave message",
    });
  });

  it("a member whose mariadbd still listens (only its agent died) is not evicted: it still replicates", () => {
    assert.deepEqual(evictionVerdict({ ...dead, galeraRefusedAt: undefined }, none, majority), {
      evict: false,
      reason: "10.0.0.4:3306's Galera port 10.0.0.4:4567 has not refused a connection since",
    });
  });

  it("a Galera refusal from before the agent's refusal proves nothing about now (a mariadbd restarting back then)", () => {
    assert.equal(evictionVerdict({ ...dead, galeraRefusedAt: 10_199 }, none, majority).evict, false);
    assert.equal(evictionVerdict({ ...dead, galeraRefusedAt: 10_200 }, none, majority).evict, true);
  });

  it("a member that answered after its agent refused runs again: not evicted", () => {
    const back = { ...dead, last: { ...dead.last!, receivedAt: 10_300 } };
    assert.deepEqual(evictionVerdict(back, none, majority), {
      evict: false,
      reason: "10.0.0.4:3306's agent answers that its mariadbd runs, and has not refused a connection since",
    });
    assert.equal(
      evictionVerdict({ ...dead, last: { ...dead.last!, receivedAt: 10_200 } }, none, majority).evict,
      false,
    );
  });

  it("a member that does not answer without refusing (host gone, paused) is left to Galera's timeouts", () => {
    assert.equal(
      evictionVerdict({ ...dead, agentRefusedAt: undefined, galeraRefusedAt: undefined }, none, majority)
        .evict,
      false,
    );
  });

  it("a member that never told its UUID or Galera address (an older agent) is not evicted", () => {
    const reason = "10.0.0.4:3306 never told its member UUID and Galera address";
    assert.deepEqual(evictionVerdict({ ...dead, last: undefined }, none, majority), { evict: false, reason });
    assert.deepEqual(
      evictionVerdict({ ...dead, last: { ...dead.last!, memberUuid: null } }, none, majority),
      {
        evict: false,
        reason,
      },
    );
    assert.deepEqual(
      evictionVerdict({ ...dead, last: { ...dead.last!, galeraAddress: null } }, none, majority),
      {
        evict: false,
        reason,
      },
    );
  });

  it("a member Galera already dropped, or one evicted already, is not evicted again", () => {
    assert.deepEqual(evictionVerdict({ ...dead, inView: false }, none, majority), {
      evict: false,
      reason: "10.0.0.4:3306 is no longer in the view",
    });
    assert.deepEqual(evictionVerdict(dead, new Set(["6a1f0c2e-aae5"]), majority), {
      evict: false,
      reason: "10.0.0.4:3306 (6a1f0c2e-aae5) was evicted already",
    });
  });

  it("never when the members that answer are not a strict majority of the view: a minority that evicts the rest would stay primary", () => {
    // Both other members refuse (both dead, or a firewall rejecting during a partition).
    assert.deepEqual(evictionVerdict(dead, none, { size: 3, answering: 1 }), {
      evict: false,
      reason:
        "not evicting 10.0.0.4:3306: only 1 of the view's 3 members answer, not a majority (a minority that evicts the rest would stay primary)",
    });
    // Two of five on one side of a partition: the three others are the majority, not them.
    assert.equal(evictionVerdict(dead, none, { size: 5, answering: 2 }).evict, false);
    // Half is not a majority either.
    assert.equal(evictionVerdict(dead, none, { size: 4, answering: 2 }).evict, false);
    assert.equal(evictionVerdict(dead, none, { size: 5, answering: 3 }).evict, true);
  });

  it("property: an eviction always has, after the member's last answer, an agent refusal and then a Galera refusal", () => {
    const time = fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined });
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.option(
          fc.record({
            memberUuid: fc.option(fc.constantFrom("u1", "u2")),
            galeraAddress: fc.option(fc.constant("h:4567")),
            receivedAt: fc.integer({ min: 0, max: 100 }),
            serverRunning: fc.boolean(),
            leaving: fc.boolean(),
          }),
          { nil: undefined },
        ),
        time,
        time,
        fc.subarray(["u1", "u2"]),
        fc.integer({ min: 1, max: 9 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 1, max: n }))),
        (inView, last, agentRefusedAt, galeraRefusedAt, evicted, [size, answering]) => {
          const verdict = evictionVerdict(
            { address: "a", inView, last, agentRefusedAt, galeraRefusedAt },
            new Set(evicted),
            { size, answering },
          );
          if (!verdict.evict) return;
          // The oracle, written out: every fact of the proof holds.
          assert.ok(inView && last && last.memberUuid && last.galeraAddress);
          assert.ok(!last.leaving);
          // Its mariadbd gone since: its agent's refusal after its last answer, or that answer itself saying so.
          const since =
            agentRefusedAt !== undefined && agentRefusedAt > last.receivedAt
              ? agentRefusedAt
              : !last.serverRunning
                ? last.receivedAt
                : undefined;
          assert.ok(since !== undefined);
          assert.ok(galeraRefusedAt !== undefined && galeraRefusedAt >= since);
          assert.equal(verdict.memberUuid, last.memberUuid);
          assert.ok(!evicted.includes(last.memberUuid));
          // Those that answer are more than half the view.
          assert.ok(answering > size / 2, `${answering} of ${size}`);
        },
      ),
    );
  });
});

describe("clearing the evict list once Galera dropped the evicted members", () => {
  it("not while our node is still in the view it evicted from: the member may not be dropped yet", () => {
    assert.equal(mayClearEvictions(7, 7), false);
  });

  it("once our node installed another view (the member is in no new view), primary or not", () => {
    assert.equal(mayClearEvictions(7, 8), true);
    // Outside a primary component Galera reads the view id as 2^64 − 1.
    assert.equal(mayClearEvictions(7, Number("18446744073709551615")), true);
  });

  it("never without an eviction, nor without a view id", () => {
    assert.equal(mayClearEvictions(null, 8), false);
    assert.equal(mayClearEvictions(7, null), false);
  });
});
