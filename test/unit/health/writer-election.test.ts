import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { compareAddresses, electWriter, type WriterCandidate } from "../../../src/health/writer-election.js";

const member = (
  address: string,
  syncedSince: number | null,
  eligible = true,
  confId: number | null = 7,
): WriterCandidate => ({
  address,
  eligible,
  confId,
  syncedSince,
});

describe("electWriter", () => {
  it("picks the member synced the longest", () => {
    assert.equal(
      electWriter(7, [
        member("10.0.0.2:3306", 300),
        member("10.0.0.3:3306", 100),
        member("10.0.0.4:3306", 200),
      ]),
      "10.0.0.3:3306",
    );
  });
  it("a rejoining node does not take the role back", () => {
    assert.equal(
      electWriter(7, [member("10.0.0.2:3306", 900), member("10.0.0.3:3306", 100)]),
      "10.0.0.3:3306",
    );
  });
  it("ties go to the lowest address, compared as numbers", () => {
    assert.equal(electWriter(7, [member("10.0.0.10:3306", 5), member("10.0.0.9:3306", 5)]), "10.0.0.9:3306");
  });
  it("never a member that is not eligible, or in another view", () => {
    assert.equal(
      electWriter(7, [
        member("10.0.0.2:3306", 1, false),
        member("10.0.0.3:3306", 2, true, 6),
        member("10.0.0.4:3306", 3),
      ]),
      "10.0.0.4:3306",
    );
  });
  it("nobody while a member has not been heard from yet: it might be the winner", () => {
    assert.equal(
      electWriter(7, [member("10.0.0.2:3306", 1), { ...member("10.0.0.3:3306", null), eligible: "unknown" }]),
      null,
    );
  });
  it("nobody when nobody is eligible, or our own view is unknown", () => {
    assert.equal(electWriter(7, [member("10.0.0.2:3306", 1, false)]), null);
    assert.equal(electWriter(null, [member("10.0.0.2:3306", 1)]), null);
  });

  it("every node computing it from the same view agrees, whatever the order it lists members in", () => {
    const candidate = fc.record({
      address: fc
        .tuple(fc.integer({ min: 1, max: 254 }), fc.integer({ min: 1, max: 65535 }))
        .map(([h, p]) => `10.0.0.${h}:${p}`),
      eligible: fc.constantFrom<boolean | "unknown">(true, false, "unknown"),
      confId: fc.constantFrom(6, 7, null),
      syncedSince: fc.option(fc.integer({ min: 0, max: 1_000_000 })),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(candidate, { selector: (c) => c.address, minLength: 1, maxLength: 9 }),
        fc.integer(),
        (members, seed) => {
          const shuffled = [...members].sort(
            (a, b) =>
              ((a.address.length * seed) % 7) - ((b.address.length * seed) % 7) ||
              compareAddresses(b.address, a.address),
          );
          const winner = electWriter(7, members);
          assert.equal(electWriter(7, shuffled), winner);
          if (winner !== null) {
            const w = members.find((m) => m.address === winner)!;
            assert.ok(w.eligible === true && w.confId === 7, "the writer is an eligible member of the view");
            assert.ok(
              members.every((m) => m.eligible !== "unknown"),
              "no writer while a member is unknown",
            );
          } else {
            assert.ok(
              members.some((m) => m.eligible === "unknown") ||
                members.every((m) => !m.eligible || m.confId !== 7),
            );
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
