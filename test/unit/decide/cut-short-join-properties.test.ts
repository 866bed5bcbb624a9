/**
 * Properties of the recovery decision over states that include joins cut short (fast-check):
 * whatever reports have arrived — any subset of the peers, in any order — no decision leads to
 * a new cluster UUID while a reporting node holds data of an existing cluster, and Galera's
 * pc.recovery is never relied on when a reporting node outside the view holds newer data.
 *
 * The oracle is written here, from Galera's behaviour, not from the helpers under test:
 * - a bootstrap from a datadir without a real position starts a new cluster;
 * - a pc.recovery of a view none of whose present members holds a real position does too;
 * - an empty-datadir bootstrap beside a datadir that holds a cluster's data forks it.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ZERO_UUID, type Position } from "../../../src/model/galera-state.js";
import type { NodeReport } from "../../../src/model/peer-report.js";
import type { RecoveryFacts } from "../../../src/decide/recovery-facts.js";
import { decideRecovery, type RecoveryDecision } from "../../../src/decide/recovery-decision.js";

const A = "75e9801f-d1c2-11f1-9a3b-2f1e0c6b7a10";
const NAMES = ["n1", "n2", "n3", "n4"];
const NOW = 5_000_000;
const RUNS = Number(process.env.RECOVERY_PROPERTY_RUNS ?? 300);
const gcomm = (name: string): string => `gcomm-${name}`;

/** How one node's last start ended, and what its agent reports of it. */
type History =
  /** Killed while synced: InnoDB's position, its view kept. */
  | "synced-crash"
  /** Stopped cleanly: a real seqno in grastate.dat, no view. */
  | "clean-stop"
  /** An SST cut short, reported by this agent: the zero UUID, its view removed. */
  | "cut-short"
  /** An SST cut short, reported by an agent that kept InnoDB's position and the view (the fault). */
  | "cut-short-as-before"
  /** An SST cut short whose agent kept the view but reports the zero UUID. */
  | "cut-short-zero-with-view"
  /** An IST joiner killed before it synced: InnoDB's position (a prefix), its view removed. */
  | "ist-never-synced"
  /** Still recovering its position with --wsrep-recover. */
  | "recovering"
  /** A brand-new node. */
  | "fresh";

const HISTORIES: readonly History[] = [
  "synced-crash",
  "clean-stop",
  "cut-short",
  "cut-short-as-before",
  "cut-short-zero-with-view",
  "ist-never-synced",
  "recovering",
  "fresh",
];

interface Traits {
  history: History;
  seqno: number;
  /** Which of the nodes its last view lists (itself always). */
  viewOf: boolean[];
}

function report(name: string, t: Traits, names: readonly string[]): NodeReport {
  const real: Position = { uuid: A, seqno: t.seqno };
  const zero: Position = { uuid: ZERO_UUID, seqno: -1 };
  const view = {
    myUuid: gcomm(name),
    members: names.filter((other, i) => other === name || t.viewOf[i]).map(gcomm),
  };
  const base: NodeReport = {
    name,
    inPrimary: false,
    primaryUuid: null,
    position: real,
    safeToBootstrap: false,
    fresh: false,
    lastPrimaryView: null,
    bootstrapIntentAt: null,
    reportedAt: NOW - 500,
  };
  switch (t.history) {
    case "synced-crash":
      return { ...base, lastPrimaryView: view };
    case "clean-stop":
      return base;
    case "cut-short":
      return { ...base, position: zero };
    case "cut-short-as-before":
      return { ...base, lastPrimaryView: view };
    case "cut-short-zero-with-view":
      return { ...base, position: zero, lastPrimaryView: view };
    case "ist-never-synced":
      return base;
    case "recovering":
      return { ...base, position: null };
    case "fresh":
      return { ...base, position: zero, fresh: true };
  }
}

const worldArb = fc.integer({ min: 2, max: 4 }).chain((n) =>
  fc.record({
    traits: fc.array(
      fc.record({
        history: fc.constantFrom(...HISTORIES),
        seqno: fc.integer({ min: 0, max: 9 }),
        viewOf: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
      }),
      { minLength: n, maxLength: n },
    ),
    /** For each deciding node, which peers' reports have reached it. */
    arrived: fc.array(fc.array(fc.boolean(), { minLength: n, maxLength: n }), { minLength: n, maxLength: n }),
  }),
);

const holdsRealPosition = (r: NodeReport): boolean =>
  !r.fresh && r.position !== null && r.position.uuid !== ZERO_UUID && r.position.seqno >= 0;

const sameMembers = (a: NodeReport, b: NodeReport): boolean => {
  const x = a.lastPrimaryView?.members;
  const y = b.lastPrimaryView?.members;
  return x !== undefined && y !== undefined && [...x].sort().join() === [...y].sort().join();
};

/** What Galera would do with this decision, judged from the reports in hand. */
function violation(self: NodeReport, present: readonly NodeReport[], d: RecoveryDecision): string | null {
  const someoneHoldsData = present.some(holdsRealPosition);
  const claims = ["bootstrap-new-cluster", "bootstrap", "bootstrap-in-place", "announce-bootstrap"];
  // An empty datadir's claim is a new cluster: only where no datadir holds a cluster's data.
  if (claims.includes(d.action) && self.fresh && someoneHoldsData) {
    return "a new cluster beside a datadir holding a cluster's data";
  }
  if (claims.includes(d.action) && !self.fresh && !holdsRealPosition(self)) {
    return "a bootstrap from a datadir without a real position (a new cluster UUID)";
  }
  if (d.action === "await-pc-recovery") {
    const group = present.filter((r) => sameMembers(r, self));
    if (!group.some(holdsRealPosition))
      return "pc.recovery of a view that holds no real position (a new cluster UUID)";
    const best = Math.max(...group.filter(holdsRealPosition).map((r) => r.position!.seqno));
    const newer = present.filter(
      (r) => !group.includes(r) && holdsRealPosition(r) && r.position!.seqno > best,
    );
    if (newer.length > 0)
      return `pc.recovery while ${newer.map((r) => r.name).join(", ")} outside the view holds newer data`;
  }
  return null;
}

/** What `self` decides on, with these peers' reports in hand (a `node`, no force). */
function factsOf(self: NodeReport, peers: NodeReport[], names: string[]): RecoveryFacts {
  return {
    self: { ...self, reportedAt: NOW },
    peers,
    expected: names,
    mode: "node",
    now: NOW,
    waitingSince: NOW - 1000,
    forceBootstrapAfterMs: null,
    reportTtlMs: 4000,
    intentSettleMs: 150,
  };
}

describe("decideRecovery with joins cut short, whatever reports have arrived", () => {
  it("never leads to a new cluster UUID while a reporting node holds a cluster's data, nor to a pc.recovery that drops a newer node's data", () => {
    fc.assert(
      fc.property(worldArb, ({ traits, arrived }) => {
        const names = NAMES.slice(0, traits.length);
        const reports = names.map((name, i) => report(name, traits[i]!, names));
        reports.forEach((self, i) => {
          const peers = reports.filter((peer, j) => j !== i && arrived[i]![j]);
          const d = decideRecovery(factsOf(self, peers, names));
          const problem = violation(self, [self, ...peers], d);
          assert.equal(problem, null, `${self.name} decided ${d.action}: ${d.reason}`);
        });
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it("a node whose transfer was cut short is never the bootstrapper any node waits for", () => {
    fc.assert(
      fc.property(worldArb, ({ traits }) => {
        const names = NAMES.slice(0, traits.length);
        const reports = names.map((name, i) => report(name, traits[i]!, names));
        const cutShort = new Set(
          names.filter(
            (_, i) => traits[i]!.history === "cut-short" || traits[i]!.history === "cut-short-zero-with-view",
          ),
        );
        for (const self of reports) {
          const d = decideRecovery(
            factsOf(
              self,
              reports.filter((peer) => peer !== self),
              names,
            ),
          );
          assert.ok(!cutShort.has(d.bootstrapper ?? ""), `${self.name}: ${d.reason}`);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
