import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  compareAddresses,
  mayClaimWriter,
  type MemberKnowledge,
} from "../../../src/health/writer-election.js";
import { memberKnowledge } from "../../../src/health/member-knowledge.js";

const bound = (address: string, eligibleNotBefore: number): MemberKnowledge => ({
  address,
  kind: "bound",
  eligibleNotBefore,
});

describe("mayClaimWriter", () => {
  it("the member eligible the longest claims; the others hold back", () => {
    const view = { a: 300, b: 100, c: 200 } as const;
    const claims = (Object.keys(view) as (keyof typeof view)[]).filter((me) =>
      mayClaimWriter(
        { address: `10.0.0.${me}:3306`, eligibleSince: view[me] },
        (Object.keys(view) as (keyof typeof view)[])
          .filter((o) => o !== me)
          .map((o) => bound(`10.0.0.${o}:3306`, view[o])),
      ),
    );
    assert.deepEqual(claims, ["b"]);
  });
  it("a rejoining node does not take the role back: its eligible-since time is the newest", () => {
    assert.equal(
      mayClaimWriter({ address: "10.0.0.2:3306", eligibleSince: 900 }, [bound("10.0.0.3:3306", 100)]),
      false,
    );
    assert.equal(
      mayClaimWriter({ address: "10.0.0.3:3306", eligibleSince: 100 }, [bound("10.0.0.2:3306", 900)]),
      true,
    );
  });
  it("ties go to the lowest address, compared as numbers", () => {
    assert.equal(
      mayClaimWriter({ address: "10.0.0.9:3306", eligibleSince: 5 }, [bound("10.0.0.10:3306", 5)]),
      true,
    );
    assert.equal(
      mayClaimWriter({ address: "10.0.0.10:3306", eligibleSince: 5 }, [bound("10.0.0.9:3306", 5)]),
      false,
    );
  });
  it("a member last seen not eligible holds us back only if it may have become eligible before us", () => {
    // Reported not eligible in a sample at 400: if eligible now, since after 400.
    assert.equal(
      mayClaimWriter({ address: "10.0.0.3:3306", eligibleSince: 300 }, [bound("10.0.0.2:3306", 400)]),
      true,
    );
    assert.equal(
      mayClaimWriter({ address: "10.0.0.3:3306", eligibleSince: 500 }, [bound("10.0.0.2:3306", 400)]),
      false,
    );
  });
  it("nobody claims while a member has not been heard from: it might be ahead", () => {
    assert.equal(
      mayClaimWriter({ address: "10.0.0.2:3306", eligibleSince: 1 }, [
        { address: "10.0.0.3:3306", kind: "unknown" },
      ]),
      false,
    );
  });
  it("an abandoned member no longer holds the election back", () => {
    assert.equal(
      mayClaimWriter({ address: "10.0.0.2:3306", eligibleSince: 1 }, [
        { address: "10.0.0.3:3306", kind: "abandoned" },
      ]),
      true,
    );
  });
  it("the view lists this node too: its own entry, whatever it says, does not hold it back", () => {
    const self = { address: "10.0.0.2:3306", eligibleSince: 500 };
    assert.equal(
      mayClaimWriter(self, [{ address: "10.0.0.2:3306", kind: "unknown" }, bound("10.0.0.3:3306", 600)]),
      true,
    );
    assert.equal(mayClaimWriter(self, [bound("10.0.0.2:3306", 100), bound("10.0.0.3:3306", 600)]), true);
  });
  it("a node that is not eligible never claims, even alone", () => {
    assert.equal(mayClaimWriter({ address: "10.0.0.2:3306", eligibleSince: null }, []), false);
    assert.equal(mayClaimWriter({ address: "10.0.0.2:3306", eligibleSince: 7 }, []), true);
  });

  // The truth at one instant: each member's real eligible-since time (null: not eligible).
  const world = fc
    .uniqueArray(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 7 })
    .chain((hosts) =>
      fc.tuple(
        fc.constant(hosts.map((h) => `10.0.0.${h}:3306`)),
        fc.array(fc.option(fc.integer({ min: 0, max: 6 }), { nil: null }), {
          minLength: hosts.length,
          maxLength: hosts.length,
        }),
      ),
    );

  it("two nodes never claim at once, whatever each knows, as long as what it knows is true", () => {
    fc.assert(
      fc.property(
        world,
        fc.array(fc.tuple(fc.nat(), fc.nat(8)), { minLength: 49, maxLength: 49 }),
        ([addresses, since], choices) => {
          // Observer i's knowledge of member j: unknown, or a lower bound on j's real time.
          // A member that is not eligible now may be known by any bound at all.
          const claimers = addresses.filter((self, i) =>
            mayClaimWriter(
              { address: self, eligibleSince: since[i]! },
              addresses.flatMap((other, j): MemberKnowledge[] => {
                if (j === i) return [];
                const [kind, slack] = choices[(i * 7 + j) % 49]!;
                if (kind % 4 === 0) return [{ address: other, kind: "unknown" }];
                const real = since[j] ?? null;
                return [bound(other, real === null ? slack : real - (kind % 2 === 0 ? 0 : slack))];
              }),
            ),
          );
          assert.ok(claimers.length <= 1, `two writers: ${claimers.join(", ")}`);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("when every member is known exactly, exactly the longest-eligible member claims", () => {
    fc.assert(
      fc.property(world, ([addresses, since]) => {
        const latest = Math.max(0, ...since.map((s) => s ?? 0));
        const claimers = addresses.filter((self, i) =>
          mayClaimWriter(
            { address: self, eligibleSince: since[i]! },
            addresses.flatMap((other, j) =>
              j === i ? [] : [bound(other, since[j] ?? latest + 1 /* reported not eligible just now */)],
            ),
          ),
        );
        const eligible = addresses
          .map((address, i) => ({ address, since: since[i] }))
          .filter((m): m is { address: string; since: number } => m.since !== null)
          .sort((a, b) => a.since - b.since || compareAddresses(a.address, b.address));
        assert.deepEqual(claimers, eligible.length > 0 ? [eligible[0]!.address] : []);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("memberKnowledge", () => {
  const at = (ms: number) => new Date(ms).toISOString();
  const member = (last: { report: object; receivedAt: number } | undefined, firstSeen = 0) => ({
    address: "10.0.0.3:3306",
    last,
    firstSeen,
  });
  it("a member reporting itself eligible since T: bound T, however old the report", () => {
    assert.deepEqual(
      memberKnowledge(
        member({ report: { writerEligibleSince: at(100), answeredAt: at(900) }, receivedAt: 950 }),
        5000,
        10_000,
      ),
      bound("10.0.0.3:3306", 100),
    );
  });
  it("a member reporting itself not eligible: bound is the time of its answer", () => {
    assert.deepEqual(
      memberKnowledge(
        member({ report: { writerEligibleSince: null, answeredAt: at(900) }, receivedAt: 950 }),
        5000,
        10_000,
      ),
      bound("10.0.0.3:3306", 900),
    );
  });
  it("never heard from: unknown, then abandoned after the abandon time", () => {
    assert.equal(memberKnowledge(member(undefined, 1000), 5000, 10_000).kind, "unknown");
    assert.equal(memberKnowledge(member(undefined, 1000), 11_001, 10_000).kind, "abandoned");
  });
  it("a report older than the abandon time: abandoned", () => {
    const last = { report: { writerEligibleSince: at(100), answeredAt: at(900) }, receivedAt: 950 };
    assert.equal(memberKnowledge(member(last), 10_950, 10_000).kind, "bound");
    assert.equal(memberKnowledge(member(last), 10_951, 10_000).kind, "abandoned");
  });
  it("an answer without the times (another agent version) is unknown", () => {
    assert.equal(
      memberKnowledge(member({ report: { phase: "synced" }, receivedAt: 950 }), 1000, 10_000).kind,
      "unknown",
    );
  });
});

describe("compareAddresses", () => {
  it("compares numbers as numbers", () => {
    assert.ok(compareAddresses("10.0.0.9:3306", "10.0.0.10:3306") < 0);
    assert.ok(compareAddresses("10.0.0.10:3306", "10.0.0.9:3306") > 0);
    assert.ok(compareAddresses("10.0.0.9:3306", "10.0.0.9:4306") < 0);
    assert.equal(compareAddresses("10.0.0.9:3306", "10.0.0.9:3306"), 0);
  });
  it("compares names as text, number by number within them", () => {
    assert.ok(compareAddresses("db-a:3306", "db-b:3306") < 0);
    assert.ok(compareAddresses("db-b:3306", "db-a:3306") > 0);
    assert.ok(compareAddresses("db-2:3306", "db-10:3306") < 0);
    assert.equal(compareAddresses("db-a:3306", "db-a:3306"), 0);
  });
  it("an address that another one begins with comes first", () => {
    assert.ok(compareAddresses("db", "db2") < 0);
    assert.ok(compareAddresses("db2", "db") > 0);
    assert.ok(compareAddresses("10.0.0.1", "10.0.0.1:3306") < 0);
    assert.ok(compareAddresses("10.0.0.1:3306", "10.0.0.1") > 0);
    // By parts, not by text: "h1x" is "h01x2" cut short (1 = 01), though "h1" > "h0" as text.
    assert.ok(compareAddresses("h1x", "h01x2") < 0);
    assert.ok(compareAddresses("h01x2", "h1x") > 0);
  });
  it("two different addresses never tie, even when their numbers are equal (leading zeros, runs too long for a number)", () => {
    assert.ok(compareAddresses("10.0.0.01:3306", "10.0.0.1:3306") < 0);
    assert.ok(compareAddresses("10.0.0.1:3306", "10.0.0.01:3306") > 0);
    assert.ok(compareAddresses("n12345678901234567890", "n12345678901234567891") < 0);
    assert.ok(compareAddresses("n12345678901234567891", "n12345678901234567890") > 0);
  });
  it("is a strict order over any two different addresses: antisymmetric, zero only for the same text", () => {
    const address = fc.stringMatching(/^[a-z0-9.:-]{0,24}$/);
    fc.assert(
      fc.property(address, address, (a, b) => {
        const ab = Math.sign(compareAddresses(a, b));
        assert.ok(ab === -Math.sign(compareAddresses(b, a)), `${a} and ${b} compare the same way both ways`);
        assert.equal(ab === 0, a === b);
      }),
      { numRuns: 2000 },
    );
  });
});
