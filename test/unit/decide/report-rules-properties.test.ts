/**
 * Second, independent guards (fast-check) of rules that one example each guarded before:
 * which reports count (TTL, duplicates, this node's own name), the tie-break on
 * safe_to_bootstrap, whom a node joins when it sees primaries of different clusters, and that a
 * node outside the expected set is never the bootstrapper. The oracles are written here from
 * docs/recovery.md, not taken from the module under test.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ZERO_UUID } from "../../../src/model/galera-state.js";
import type { NodeReport } from "../../../src/model/peer-report.js";
import type { RecoveryFacts } from "../../../src/decide/recovery-facts.js";
import { decideRecovery } from "../../../src/decide/recovery-decision.js";

const A = "2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e";
const B = "7f1c0d2e-0a4b-11f1-8000-0242ac120002";
const NOW = 1_000_000;
const TTL = 4000;
const RUNS = Number(process.env.RECOVERY_PROPERTY_RUNS ?? 300);
const EXPECTED = ["n1", "n2", "n3", "n4"];

const reportArb = (name: string): fc.Arbitrary<NodeReport> =>
  fc
    .record({
      kind: fc.constantFrom("data", "data", "data", "fresh", "zero", "unknown"),
      cluster: fc.constantFrom(A, A, A, B),
      seqno: fc.integer({ min: 0, max: 6 }),
      safe: fc.boolean(),
      inPrimary: fc.integer({ min: 0, max: 5 }).map((x) => x === 0),
      intent: fc.option(fc.integer({ min: 0, max: 20_000 }), { freq: 4 }),
      age: fc.integer({ min: 0, max: TTL }),
    })
    .map((r): NodeReport => ({
      name,
      inPrimary: r.inPrimary,
      primaryUuid: r.inPrimary ? r.cluster : null,
      position:
        r.kind === "unknown"
          ? null
          : r.kind === "data"
            ? { uuid: r.cluster, seqno: r.seqno }
            : { uuid: ZERO_UUID, seqno: -1 },
      safeToBootstrap: r.safe,
      fresh: r.kind === "fresh",
      lastPrimaryView: null,
      bootstrapIntentAt: r.intent === null ? null : NOW - r.intent,
      reportedAt: NOW - r.age,
    }));

const factsArb: fc.Arbitrary<RecoveryFacts> = fc
  .tuple(
    reportArb("n1"),
    fc.subarray(["n2", "n3", "n4"]).chain((names) => fc.tuple(...names.map(reportArb))),
    fc.constantFrom<"seed" | "node">("node", "node", "seed"),
  )
  .map(([self, peers, mode]) => ({
    self: { ...self, inPrimary: false, primaryUuid: null, reportedAt: NOW },
    peers,
    expected: EXPECTED,
    mode,
    now: NOW,
    waitingSince: NOW - 10_000,
    forceBootstrapAfterMs: null,
    reportTtlMs: TTL,
    intentSettleMs: 9000,
  }));

const decide = (facts: RecoveryFacts) => decideRecovery(structuredClone(facts));

describe("decideRecovery: which reports count, by property", () => {
  it("a report older than the TTL changes nothing", () => {
    fc.assert(
      fc.property(factsArb, reportArb("n2"), (facts, stale) => {
        const withStale = { ...facts, peers: [...facts.peers, { ...stale, reportedAt: NOW - TTL - 1 }] };
        assert.deepEqual(decide(withStale), decide(facts));
      }),
      { numRuns: RUNS },
    );
  });

  it("an older duplicate of a peer's report changes nothing", () => {
    fc.assert(
      fc.property(
        factsArb.filter((f) => f.peers.length > 0),
        fc.nat(),
        fc.integer({ min: 1, max: 3000 }),
        (facts, pick, older) => {
          const peer = facts.peers[pick % facts.peers.length]!;
          const duplicate = { ...peer, inPrimary: !peer.inPrimary, reportedAt: peer.reportedAt - older };
          assert.deepEqual(decide({ ...facts, peers: [duplicate, ...facts.peers] }), decide(facts));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("a report under this node's own name changes nothing", () => {
    fc.assert(
      fc.property(factsArb, reportArb("n1"), (facts, impostor) => {
        assert.deepEqual(decide({ ...facts, peers: [...facts.peers, impostor] }), decide(facts));
      }),
      { numRuns: RUNS },
    );
  });
});

describe("decideRecovery: whom a node follows, by property", () => {
  /** The present peers' primaries, by cluster UUID: the oracle's own reading (TTL, own name). */
  const primaries = (facts: RecoveryFacts): Set<string> =>
    new Set(
      facts.peers
        .filter(
          (p) => p.name !== facts.self.name && NOW - p.reportedAt <= TTL && p.inPrimary && p.primaryUuid,
        )
        .map((p) => p.primaryUuid!),
    );
  const dataOf = (node: NodeReport): string | null =>
    node.fresh || node.position === null || node.position.uuid === ZERO_UUID ? null : node.position.uuid;

  it("a node joins only a primary of its own cluster, and an empty one only when every primary it sees is of one cluster", () => {
    fc.assert(
      fc.property(factsArb, (facts) => {
        const decision = decide(facts);
        if (decision.action !== "join") return;
        const seen = primaries(facts);
        const mine = dataOf(facts.self);
        if (mine === null)
          assert.ok(seen.size === 1, `${decision.reason}: primaries ${[...seen].join(", ")}`);
        else assert.ok(seen.has(mine), `${decision.reason}: holds ${mine}`);
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it("an empty node that sees primaries of two clusters refuses, and never joins either", () => {
    fc.assert(
      fc.property(factsArb, (facts) => {
        const self: NodeReport = { ...facts.self, fresh: true, position: { uuid: ZERO_UUID, seqno: -1 } };
        const decision = decide({ ...facts, self });
        if (primaries(facts).size > 1) assert.equal(decision.action, "refuse", decision.reason);
      }),
      { numRuns: RUNS * 3 },
    );
  });
});

describe("decideRecovery: who bootstraps, by property", () => {
  it("the bootstrapper is always an expected node, whatever a stranger reports", () => {
    fc.assert(
      fc.property(factsArb, reportArb("n9"), (facts, stranger) => {
        const decision = decide({ ...facts, peers: [...facts.peers, stranger] });
        if (decision.bootstrapper !== undefined) assert.ok(EXPECTED.includes(decision.bootstrapper));
      }),
      { numRuns: RUNS },
    );
  });

  it("among nodes of the newest seqno, one marked safe_to_bootstrap is chosen over one that is not", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9 }),
        fc.subarray(EXPECTED, { minLength: 1 }),
        fc.nat(),
        (seqno, marked, start) => {
          // Every expected node reported, stopped cleanly, all with the same seqno.
          const nodes = EXPECTED.map((name): NodeReport => ({
            name,
            inPrimary: false,
            primaryUuid: null,
            position: { uuid: A, seqno },
            safeToBootstrap: marked.includes(name),
            fresh: false,
            lastPrimaryView: null,
            bootstrapIntentAt: null,
            reportedAt: NOW - 100,
          }));
          const self = nodes[start % nodes.length]!;
          const decision = decide({
            self: { ...self, reportedAt: NOW },
            peers: nodes.filter((n) => n !== self),
            expected: EXPECTED,
            mode: "node",
            now: NOW,
            waitingSince: NOW - 1000,
            forceBootstrapAfterMs: null,
            reportTtlMs: TTL,
            intentSettleMs: 150,
          });
          assert.ok(decision.bootstrapper !== undefined, decision.reason);
          assert.ok(marked.includes(decision.bootstrapper), `${decision.bootstrapper} is not marked safe`);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
