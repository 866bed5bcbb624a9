/**
 * Property-based tests of the recovery decision (fast-check). Two kinds:
 * - single decisions over arbitrary, even inconsistent, facts: the safety rules every decision keeps;
 * - a round-based simulation of a whole cluster coming back from an outage, over arbitrary node
 *   states, start orders and report deliveries, where every node decides again each round on
 *   the reports that reached it and acts (announces, bootstraps, joins): at most one primary
 *   ever forms.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ZERO_UUID, type Position } from "../../../src/model/galera-state.js";
import type { NodeReport } from "../../../src/model/peer-report.js";
import type { RecoveryFacts } from "../../../src/decide/recovery-facts.js";
import { seededRandom } from "../../../src/verify/fault-schedule.js";
import {
  decideRecovery,
  intentSettleMs,
  type RecoveryDecision,
  type SettleInputs,
} from "../../../src/decide/recovery-decision.js";
import type { RecoveryAction } from "../../../src/model/node-status.js";
import { freshTurnRecord, recoveryTurn, type TurnRecord } from "../../../src/decide/recovery-turn.js";

const A = "2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e";
const B = "7f1c0d2e-0a4b-11f1-8000-0242ac120002";
/** "n10" sorts before "n2": the tie-break must not depend on numeric-looking names. */
const NAMES = ["n1", "n2", "n3", "n4", "n5", "n6", "n7", "n10", "a", "seed"];
const ROUND = 1000;
const RUNS = Number(process.env.RECOVERY_PROPERTY_RUNS ?? 300);

// The test's own readings of the facts, written from the rules in docs/recovery.md rather than
// taken from the module under test, so that a bug there cannot hide behind its own oracle.

/** Rule 1: the peers' reports that count — not this node's name, within the TTL, the newest per name. */
function presentOf(facts: RecoveryFacts): NodeReport[] {
  const newest = new Map<string, NodeReport>();
  for (const peer of facts.peers) {
    if (peer.name === facts.self.name || facts.now - peer.reportedAt > facts.reportTtlMs) continue;
    const kept = newest.get(peer.name);
    const later =
      kept === undefined ||
      peer.reportedAt > kept.reportedAt ||
      (peer.reportedAt === kept.reportedAt && JSON.stringify(peer) > JSON.stringify(kept));
    if (later) newest.set(peer.name, peer);
  }
  return [...newest.values()];
}

/** GALERA_PILOT_FORCE_BOOTSTRAP_AFTER has come due. */
const forcedBy = (facts: RecoveryFacts): boolean =>
  facts.forceBootstrapAfterMs !== null && facts.now - facts.waitingSince >= facts.forceBootstrapAfterMs;

/** The cluster a datadir holds data of: none when empty, never joined (zero UUID) or unknown. */
const clusterOfData = (node: NodeReport): string | null =>
  node.fresh || node.position === null || node.position.uuid === ZERO_UUID ? null : node.position.uuid;

/** Mostly one cluster; sometimes a datadir of another one, or one that never joined any. */
const CLUSTERS = [A, A, A, A, A, A, B, ZERO_UUID];
const BOOTSTRAPS: readonly RecoveryAction[] = ["bootstrap", "bootstrap-in-place", "bootstrap-new-cluster"];
const CLAIMS: readonly RecoveryAction[] = [...BOOTSTRAPS, "announce-bootstrap"];

/** A small deterministic PRNG, seeded by fast-check, for per-round choices: verify's own. */
const prng = seededRandom;

// ---------------------------------------------------------------------------------------------
// Worlds: the consistent truth of one outage.
// ---------------------------------------------------------------------------------------------

interface TruthNode {
  name: string;
  mode: "seed" | "node";
  fresh: boolean;
  /** What --wsrep-recover finds; null = it never succeeds. */
  position: Position | null;
  /** The cluster its datadir belongs to, known to Galera even when the position is not. */
  cluster: string;
  safeToBootstrap: boolean;
  lastPrimaryView: { myUuid: string; members: string[] } | null;
  /** Still running in a primary component when the others come back. */
  running: boolean;
  /** The round its agent starts (arrival order). */
  startRound: number;
  /** Rounds after the start before its position is recovered (until then it reports none). */
  recoverRounds: number;
}

interface WorldOptions {
  clusters: readonly string[];
  seed: boolean;
  running: boolean;
  unknownForever: boolean;
  maxStart: number;
  /** gvwstate.dat views (after a crash); without, as after a clean shutdown. */
  views: boolean;
  /** Some nodes never come back (their host is gone). */
  absent: boolean;
}

const traitsArb = (o: WorldOptions) =>
  fc.record({
    fresh: fc.integer({ min: 0, max: 3 }).map((x) => x === 0),
    cluster: fc.constantFrom(...o.clusters),
    seqno: fc.integer({ min: -1, max: 12 }),
    unknownForever: o.unknownForever
      ? fc.integer({ min: 0, max: 9 }).map((x) => x === 0)
      : fc.constant(false),
    safe: fc.boolean(),
    inLastPrimary: fc.boolean(),
    viewKept: fc.integer({ min: 0, max: 4 }).map((x) => x !== 0),
    staleView: fc.boolean(),
    startRound: fc.integer({ min: 0, max: o.maxStart }),
    neverStarts: o.absent ? fc.integer({ min: 0, max: 3 }).map((x) => x === 0) : fc.constant(false),
    recoverRounds: fc.integer({ min: 0, max: 2 }),
  });

/**
 * A world whose gvwstate.dat views could come from one history: the members of the last primary
 * component L hold the view L (or lost it); a node outside L may hold an older view that includes
 * itself and a member of L. With `running`, L is still up as the primary.
 */
function worldArb(o: WorldOptions): fc.Arbitrary<TruthNode[]> {
  return fc.integer({ min: 2, max: 7 }).chain((n) =>
    fc
      .record({
        names: fc.uniqueArray(fc.constantFrom(...NAMES), { minLength: n, maxLength: n }),
        traits: fc.array(traitsArb(o), { minLength: n, maxLength: n }),
        seedAt: o.seed ? fc.option(fc.nat(n - 1)) : fc.constant(null),
        running: o.running ? fc.integer({ min: 0, max: 4 }).map((x) => x === 0) : fc.constant(false),
      })
      .map(({ names, traits, seedAt, running }) => {
        const gcomm = (name: string) => `gcomm-${name}`;
        const data = traits.map((t) => !t.fresh && t.cluster !== ZERO_UUID);
        const last = names.filter((_, i) => data[i] && traits[i]?.inLastPrimary);
        const isRunning = running && last.length > 0;
        return names.map((name, i): TruthNode => {
          const t = traits[i]!;
          const inLast = last.includes(name);
          let view: TruthNode["lastPrimaryView"] = null;
          if (!o.views) view = null;
          else if (inLast && (t.viewKept || isRunning))
            view = { myUuid: gcomm(name), members: last.map(gcomm) };
          else if (!inLast && data[i] && t.staleView && last.length > 0) {
            view = { myUuid: gcomm(name), members: [gcomm(name), gcomm(last[0]!)] };
          }
          const seqno = t.cluster === ZERO_UUID ? -1 : Math.max(t.seqno, inLast && isRunning ? 0 : -1);
          const position: Position | null = t.fresh
            ? { uuid: ZERO_UUID, seqno: -1 }
            : t.unknownForever && !(inLast && isRunning)
              ? null
              : { uuid: t.cluster, seqno: t.cluster === ZERO_UUID ? -1 : Math.max(seqno, 0) };
          return {
            name,
            mode: seedAt === i ? "seed" : "node",
            fresh: t.fresh,
            position,
            cluster: t.fresh ? ZERO_UUID : t.cluster,
            safeToBootstrap: !t.fresh && t.safe,
            lastPrimaryView: t.fresh ? null : view,
            running: inLast && isRunning,
            startRound: inLast && isRunning ? 0 : t.neverStarts ? Infinity : t.startRound,
            recoverRounds: t.recoverRounds,
          };
        });
      }),
  );
}

// ---------------------------------------------------------------------------------------------
// The simulation.
// ---------------------------------------------------------------------------------------------

type Delivery =
  /** Each round, each report may be missing (probability `loss`) or, with probability `old`, any earlier one. */
  | { kind: "arbitrary"; ttlRounds: number; loss: number; old: number }
  /**
   * Every report of a started node arrives within maxDelay rounds (no partition), in any order;
   * `slowest`: every one as late as that allows, the schedule that puts two claims furthest apart.
   */
  | { kind: "bounded"; maxDelay: number; slowest?: boolean };

interface SimOptions {
  delivery: Delivery;
  forceRounds: number | null;
  rounds: number;
  seed: number;
  /** The settle policy; the agent's own (intentSettleMs) unless a test shortens it on purpose. */
  settle?: (inputs: SettleInputs) => number;
}

interface Runtime {
  truth: TruthNode;
  status: "deciding" | "started" | "bootstrapped" | "refused" | "running";
  action: RecoveryAction | null;
  /** Started mariadbd without --wsrep-new-cluster while no primary existed (await, or a join of an announcer). */
  startedBeforePrimary: boolean;
  intentAt: number | null;
  turns: TurnRecord;
  inPrimary: boolean;
  primaryUuid: string | null;
}

interface SimResult {
  bootstraps: string[];
  restoredGroups: string[][];
  runningPrimary: boolean;
  runtimes: Runtime[];
  log: string[];
}

function publishedPosition(t: TruthNode, round: number): Position | null {
  if (t.fresh || round >= t.startRound + t.recoverRounds) return t.position;
  // Before --wsrep-recover ran: grastate.dat's UUID with seqno -1, as after a crash.
  return t.position === null || t.position.uuid === ZERO_UUID ? null : { uuid: t.position.uuid, seqno: -1 };
}

function publish(r: Runtime, round: number): Omit<NodeReport, "reportedAt"> {
  return {
    name: r.truth.name,
    inPrimary: r.inPrimary,
    primaryUuid: r.primaryUuid,
    position: publishedPosition(r.truth, round),
    safeToBootstrap: r.truth.safeToBootstrap,
    fresh: r.truth.fresh,
    lastPrimaryView: r.truth.lastPrimaryView,
    bootstrapIntentAt: r.intentAt,
  };
}

/** Groups Galera itself would restore: identical views whose every member is a node holding that view. */
function restorableGroups(world: readonly TruthNode[]): TruthNode[][] {
  const groups: TruthNode[][] = [];
  const seen = new Set<string>();
  for (const node of world) {
    const view = node.lastPrimaryView;
    if (view === null) continue;
    const key = [...view.members].sort().join(" ");
    if (seen.has(key)) continue;
    seen.add(key);
    const holders = view.members.map((uuid) => world.find((w) => w.lastPrimaryView?.myUuid === uuid));
    if (holders.every((h) => h !== undefined && [...h.lastPrimaryView!.members].sort().join(" ") === key)) {
      groups.push(holders as TruthNode[]);
    }
  }
  return groups;
}

/** Runs the outage; `check` sees every decision, with the facts it was made on. */
function simulate(
  world: readonly TruthNode[],
  o: SimOptions,
  check: (facts: RecoveryFacts, decision: RecoveryDecision, world: readonly TruthNode[]) => void,
): SimResult {
  const random = prng(o.seed);
  const delivery = o.delivery;
  const ttlRounds = delivery.kind === "bounded" ? delivery.maxDelay + 1 : delivery.ttlRounds;
  // The agent's own settle policy, one round being both the sampling and the decision interval:
  // long where two claims may be made about the same time, one round otherwise.
  const settleMs = (t: TruthNode): number =>
    (o.settle ?? intentSettleMs)({
      mode: t.mode,
      forceConfigured: o.forceRounds !== null,
      fresh: t.fresh,
      reportTtlMs: ttlRounds * ROUND,
      intervalMs: ROUND,
      decisionIntervalMs: ROUND,
    });
  const runtimes: Runtime[] = world.map((truth) => ({
    truth,
    status: truth.running ? "running" : "deciding",
    action: null,
    startedBeforePrimary: false,
    intentAt: null,
    turns: freshTurnRecord,
    inPrimary: truth.running,
    primaryUuid: truth.running ? truth.cluster : null,
  }));
  const history: (Omit<NodeReport, "reportedAt"> | undefined)[][] = runtimes.map(() => []);
  const groups = restorableGroups(world);
  const result: SimResult = {
    bootstraps: [],
    restoredGroups: [],
    runningPrimary: runtimes.some((r) => r.status === "running"),
    runtimes,
    log: [],
  };

  for (let round = 0; round < o.rounds; round++) {
    const now = round * ROUND;
    const order = runtimes.map((_, i) => i).sort(() => random() - 0.5);
    for (const i of order) {
      const me = runtimes[i]!;
      if (round < me.truth.startRound || me.status !== "deciding") continue;
      const peers: NodeReport[] = [];
      runtimes.forEach((peer, j) => {
        if (j === i) return;
        const first = peer.truth.startRound;
        if (round - 1 < first) return;
        let delay: number;
        if (delivery.kind === "bounded") {
          const drawn = delivery.slowest ? delivery.maxDelay : Math.floor(random() * (delivery.maxDelay + 1));
          delay = Math.min(1 + drawn, round - first);
        } else {
          if (random() < delivery.loss) return;
          // Mostly the last report or the one before; sometimes any older one.
          const any = random() < delivery.old;
          delay = 1 + Math.floor(random() * (any ? round - first : 2));
          delay = Math.min(delay, round - first);
        }
        const state = history[j]![round - delay];
        if (state) peers.push({ ...state, reportedAt: (round - delay) * ROUND });
      });
      const facts: RecoveryFacts = {
        self: { ...publish(me, round), reportedAt: now },
        peers,
        expected: world.map((w) => w.name),
        mode: me.truth.mode,
        now,
        waitingSince: me.truth.startRound * ROUND,
        forceBootstrapAfterMs: o.forceRounds === null ? null : o.forceRounds * ROUND,
        reportTtlMs: ttlRounds * ROUND,
        intentSettleMs: settleMs(me.truth),
      };
      // The agent's own turn (recovery-turn.ts), not a copy of it: its decision and its intent.
      const turn = recoveryTurn(me.turns, { facts, server: "stopped" });
      const decision = turn.decision;
      assert.deepEqual(decision, decideRecovery(facts), "a turn decides as the rule does on the same facts");
      check(facts, decision, world);
      result.log.push(`r${round} ${me.truth.name}: ${decision.action} — ${decision.reason}`);
      me.action = decision.action;
      me.turns = turn.record;
      me.intentAt = turn.record.intent?.at ?? null;
      if (BOOTSTRAPS.includes(decision.action)) {
        me.status = "bootstrapped";
        me.inPrimary = true;
        me.primaryUuid = me.truth.fresh ? `new-cluster-of-${me.truth.name}` : me.truth.cluster;
        result.bootstraps.push(me.truth.name);
      } else if (decision.action === "join" || decision.action === "await-pc-recovery") {
        me.status = "started";
        me.startedBeforePrimary = !presentOf(facts).some((p) => p.inPrimary);
        me.intentAt = null;
        me.turns = { ...me.turns, intent: null };
      } else if (decision.action === "refuse") {
        me.status = "refused";
      }
    }

    // Galera: a whole view started normally (gvwstate.dat kept) before any primary was seen restores its own
    // primary — whether its nodes awaited pc.recovery or joined an announcer; joiners enter a primary of their cluster.
    for (const group of groups) {
      const members = group.map((t) => runtimes.find((r) => r.truth === t)!);
      if (result.restoredGroups.some((g) => g[0] === group[0]!.name)) continue;
      if (members.every((m) => m.status === "started" && m.startedBeforePrimary)) {
        result.restoredGroups.push(group.map((t) => t.name));
        for (const m of members) {
          m.inPrimary = true;
          m.primaryUuid = m.truth.cluster;
        }
      }
    }
    for (const r of runtimes) {
      if (r.status !== "started" || r.inPrimary) continue;
      const mine = r.truth.fresh || r.truth.cluster === ZERO_UUID ? null : r.truth.cluster;
      const primary = runtimes.find(
        (p) => p.inPrimary && p.primaryUuid !== null && (mine === null || p.primaryUuid === mine),
      );
      if (primary) {
        r.inPrimary = true;
        r.primaryUuid = primary.primaryUuid;
      }
    }
    runtimes.forEach((r, j) => {
      if (round >= r.truth.startRound) history[j]![round] = publish(r, round);
    });
  }
  return result;
}

const usableTruth = (t: TruthNode): boolean =>
  !t.fresh && t.position !== null && t.position.uuid !== ZERO_UUID && t.position.seqno >= 0;

const simFailure = (world: readonly TruthNode[], result: SimResult): string =>
  `${JSON.stringify(world)}\n${result.log.join("\n")}`;

/** The test's own reading of "may bootstrap": not fresh, a real cluster UUID, a recovered seqno. */
const usable = (node: NodeReport): boolean =>
  !node.fresh && node.position !== null && node.position.uuid !== ZERO_UUID && node.position.seqno >= 0;

/** The safety rules every single decision keeps: (b), (c), (d), (f). */
function checkDecision(
  facts: RecoveryFacts,
  decision: RecoveryDecision,
  world: readonly TruthNode[] = [],
): void {
  const self = facts.self;
  const present = presentOf(facts);
  const why = () => `${decision.action}: ${decision.reason}\n${JSON.stringify(facts)}`;

  // (f) deterministic, whatever order the reports arrived in.
  const again = decideRecovery(structuredClone({ ...facts, peers: [...facts.peers].reverse() }));
  assert.deepEqual(again, decision, why());

  if (!CLAIMS.includes(decision.action)) return;
  // (c) never while a present peer is in a primary component.
  assert.ok(!present.some((p) => p.inPrimary), `claim beside a primary: ${why()}`);

  if (
    decision.action === "bootstrap-new-cluster" ||
    (decision.action === "announce-bootstrap" && self.fresh)
  ) {
    // (d) an empty node only starts a new cluster, and only when every present node is empty.
    assert.ok(self.fresh && present.every((p) => p.fresh), `new cluster beside data: ${why()}`);
    return;
  }
  // (d) never from a zero UUID or an unknown position.
  assert.ok(usable(self), `bootstrap from a node without a usable position: ${why()}`);
  // S2: never while the present datadirs belong to different clusters (no side is picked)...
  const clusters = new Set([self, ...present].map(clusterOfData).filter((uuid) => uuid !== null));
  assert.ok(clusters.size <= 1, `claim among different clusters: ${why()}`);
  // ...nor, without force, while any expected node holds another cluster's data, seen or not.
  if (!forcedBy(facts)) {
    const all = new Set(
      world
        .filter((w) => !w.fresh && w.position && w.position.uuid !== ZERO_UUID)
        .map((w) => w.position!.uuid),
    );
    assert.ok(all.size <= 1, `claim while ${[...all].join(", ")} exist: ${why()}`);
  }
  const mine = self.position!;
  // (b) the highest seqno of its cluster among the nodes it knows...
  for (const peer of present) {
    if (usable(peer) && peer.position!.uuid === mine.uuid && facts.expected.includes(peer.name)) {
      assert.ok(peer.position!.seqno <= mine.seqno, `${peer.name} is newer: ${why()}`);
    }
  }
  // ...and, without force, among every expected node, reported or not.
  if (!forcedBy(facts)) {
    for (const node of world) {
      if (node.position && node.position.uuid === mine.uuid && !node.fresh) {
        assert.ok(node.position.seqno <= mine.seqno, `${node.name} (unseen) is newer: ${why()}`);
      }
    }
  }
}

/** (a) at most one primary forms: one bootstrap at most, and never beside a restored or running one. */
function assertOnePrimary(world: readonly TruthNode[], result: SimResult): void {
  const formed = result.bootstraps.length + result.restoredGroups.length + (result.runningPrimary ? 1 : 0);
  assert.ok(formed <= 1, `${formed} primaries formed\n${simFailure(world, result)}`);
}

describe("decideRecovery properties: a whole cluster coming back, round by round", () => {
  it("(a–d, f) with reports arriving in any order, any subset, any delay, no force, no seed: at most one primary", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          worldArb({
            clusters: CLUSTERS,
            seed: false,
            running: true,
            unknownForever: true,
            maxStart: 6,
            views: true,
            absent: false,
          }),
          worldArb({
            clusters: [A],
            seed: false,
            running: false,
            unknownForever: false,
            maxStart: 6,
            views: false,
            absent: false,
          }),
        ),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom(0, 0.02, 0.1, 0.3, 0.6),
        fc.constantFrom(0, 0.05, 0.2, 0.5),
        fc.integer(),
        (world, ttlRounds, loss, old, seed) => {
          const result = simulate(
            world,
            { delivery: { kind: "arbitrary", ttlRounds, loss, old }, forceRounds: null, rounds: 40, seed },
            checkDecision,
          );
          assertOnePrimary(world, result);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("(a–d, f) with a seed and the force deadline, reports delayed but not lost: at most one primary", () => {
    fc.assert(
      fc.property(
        worldArb({
          clusters: CLUSTERS,
          seed: true,
          running: true,
          unknownForever: true,
          maxStart: 12,
          views: true,
          absent: true,
        }),
        fc.integer({ min: 0, max: 3 }),
        fc.option(fc.integer({ min: 0, max: 10 })),
        fc.integer(),
        (world, maxDelay, forceRounds, seed) => {
          const result = simulate(
            world,
            { delivery: { kind: "bounded", maxDelay }, forceRounds, rounds: 40, seed },
            checkDecision,
          );
          assertOnePrimary(world, result);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("the settle bound is needed: with a contested settle below twice the report TTL plus one interval, the same simulation finds two bootstraps", () => {
    const seedWorlds = worldArb({
      clusters: [A],
      seed: true,
      running: false,
      unknownForever: false,
      maxStart: 3,
      views: false,
      absent: true,
    });
    const twoPrimariesFound = (settle: (inputs: SettleInputs) => number): boolean =>
      fc.check(
        fc.property(seedWorlds, fc.integer({ min: 1, max: 3 }), fc.integer(), (world, maxDelay, seed) => {
          const result = simulate(
            world,
            {
              delivery: { kind: "bounded", maxDelay, slowest: true },
              forceRounds: 0,
              rounds: 30,
              seed,
              settle,
            },
            () => undefined,
          );
          assertOnePrimary(world, result);
        }),
        { numRuns: 2000, seed: 20261206 },
      ).failed;
    const contested = (i: SettleInputs): boolean => i.mode === "seed" || i.forceConfigured || i.fresh;
    const short = (length: (i: SettleInputs) => number) => (i: SettleInputs) =>
      contested(i) ? length(i) : i.decisionIntervalMs;
    assert.ok(
      twoPrimariesFound(short((i) => i.reportTtlMs + i.intervalMs)),
      "the report TTL plus one interval is too short",
    );
    assert.ok(twoPrimariesFound(short((i) => intentSettleMs(i) / 2)), "half the bound is too short");
    assert.ok(!twoPrimariesFound(intentSettleMs), "the documented bound holds in the same runs");
  });

  it("(liveness) one cluster, every node back and recovering its position, no force: exactly one primary, everyone in it", () => {
    fc.assert(
      fc.property(
        worldArb({
          clusters: [A],
          seed: false,
          running: false,
          unknownForever: false,
          maxStart: 4,
          views: true,
          absent: false,
        }),
        fc.integer({ min: 0, max: 2 }),
        fc.integer(),
        (world, maxDelay, seed) => {
          const result = simulate(
            world,
            { delivery: { kind: "bounded", maxDelay }, forceRounds: null, rounds: 45, seed },
            checkDecision,
          );
          const formed = result.bootstraps.length + result.restoredGroups.length;
          assert.equal(formed, 1, simFailure(world, result));
          assert.ok(
            result.runtimes.every((r) => r.inPrimary),
            `not everyone is in the primary\n${simFailure(world, result)}`,
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("(liveness) nodes that never come back, past the force deadline: exactly one primary, every returning node in it", () => {
    const world = worldArb({
      clusters: [A],
      seed: false,
      running: false,
      unknownForever: true,
      maxStart: 8,
      views: true,
      absent: true,
    }).filter((w) => w.some((t) => t.startRound !== Infinity && usableTruth(t)));
    fc.assert(
      fc.property(
        world,
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 0, max: 10 }),
        fc.integer(),
        (w, maxDelay, force, seed) => {
          const result = simulate(
            w,
            { delivery: { kind: "bounded", maxDelay }, forceRounds: force, rounds: 60, seed },
            checkDecision,
          );
          assert.equal(result.bootstraps.length + result.restoredGroups.length, 1, simFailure(w, result));
          const back = result.runtimes.filter((r) => r.truth.startRound !== Infinity);
          assert.ok(
            back.every((r) => r.inPrimary),
            `not everyone is in the primary\n${simFailure(w, result)}`,
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("(liveness) a brand-new cluster, with or without a seed: exactly one new cluster, everyone in it", () => {
    const allEmpty = worldArb({
      clusters: [A],
      seed: true,
      running: false,
      unknownForever: false,
      maxStart: 12,
      views: false,
      absent: false,
    }).map((world) =>
      world.map((t) => ({
        ...t,
        fresh: true,
        cluster: ZERO_UUID,
        position: { uuid: ZERO_UUID, seqno: -1 },
        safeToBootstrap: false,
        lastPrimaryView: null,
      })),
    );
    fc.assert(
      fc.property(allEmpty, fc.integer({ min: 0, max: 2 }), fc.integer(), (world, maxDelay, seed) => {
        const result = simulate(
          world,
          { delivery: { kind: "bounded", maxDelay }, forceRounds: null, rounds: 45, seed },
          checkDecision,
        );
        assert.equal(result.bootstraps.length, 1, simFailure(world, result));
        assert.ok(
          result.runtimes.every((r) => r.inPrimary),
          simFailure(world, result),
        );
      }),
      { numRuns: RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Single decisions over arbitrary facts, consistent or not.
// ---------------------------------------------------------------------------------------------

const GCOMM = ["g1", "g2", "g3", "g4", "g5"];
const NOW = 1_000_000;
const TTL = 5000;

const positionArb: fc.Arbitrary<Position | null> = fc.option(
  fc.record({ uuid: fc.constantFrom(A, A, A, B, ZERO_UUID), seqno: fc.integer({ min: -1, max: 8 }) }),
  { freq: 5 },
);

const reportArb = (names: readonly string[]): fc.Arbitrary<NodeReport> =>
  fc.record({
    name: fc.constantFrom(...names),
    inPrimary: fc.integer({ min: 0, max: 5 }).map((x) => x === 0),
    primaryUuid: fc.constantFrom(A, A, B, null),
    position: positionArb,
    safeToBootstrap: fc.boolean(),
    fresh: fc.integer({ min: 0, max: 4 }).map((x) => x === 0),
    running: fc.integer({ min: 0, max: 3 }).map((x) => x === 0),
    lastPrimaryView: fc.option(
      fc.record({
        myUuid: fc.constantFrom(...GCOMM),
        members: fc.uniqueArray(fc.constantFrom(...GCOMM), { minLength: 1, maxLength: 4 }),
      }),
    ),
    bootstrapIntentAt: fc.option(fc.integer({ min: NOW - 30_000, max: NOW }), { freq: 3 }),
    reportedAt: fc.integer({ min: NOW - 2 * TTL, max: NOW }),
  });

const factsArb: fc.Arbitrary<RecoveryFacts> = fc
  .uniqueArray(fc.constantFrom(...NAMES), { minLength: 2, maxLength: 7 })
  .chain((names) =>
    fc.record({
      self: reportArb(names.slice(0, 1)),
      peers: fc.array(reportArb(names.slice(1).concat(["stranger"])), { maxLength: 9 }),
      expected: fc.constant(names),
      mode: fc.constantFrom("seed" as const, "node" as const),
      now: fc.constant(NOW),
      waitingSince: fc.integer({ min: NOW - 60_000, max: NOW }),
      forceBootstrapAfterMs: fc.option(fc.integer({ min: 0, max: 60_000 })),
      reportTtlMs: fc.constant(TTL),
      intentSettleMs: fc.constantFrom(0, 11_000, 20_000),
    }),
  );

describe("decideRecovery properties: single decisions over arbitrary facts", () => {
  it("(b, c, d, f) a claim is never beside a primary, never from an unusable position, always the newest it knows; same facts, same decision", () => {
    fc.assert(
      fc.property(factsArb, (facts) => checkDecision(facts, decideRecovery(facts))),
      { numRuns: RUNS * 10 },
    );
  });

  it("(e) a report that never arrives (forged, unauthenticated) never turns a non-claim into a claim without force, except an empty seed's new cluster", () => {
    fc.assert(
      fc.property(factsArb, (facts) => {
        const before = decideRecovery(facts);
        if (forcedBy(facts) || CLAIMS.includes(before.action)) return;
        for (const name of new Set(facts.peers.map((p) => p.name))) {
          if (!facts.expected.includes(name)) continue;
          const without = { ...facts, peers: facts.peers.filter((p) => p.name !== name) };
          const after = decideRecovery(without);
          if (!CLAIMS.includes(after.action)) continue;
          // The seed post's first step: an empty seed that hears nobody forms the cluster (S5's caveat in docs/recovery.md).
          const emptySeedAlone =
            facts.mode === "seed" && facts.self.fresh && presentOf(without).every((p) => p.fresh);
          assert.ok(
            emptySeedAlone,
            `without ${name}: ${before.action} (${before.reason}) became ${after.action} (${after.reason})\n${JSON.stringify(facts)}`,
          );
        }
      }),
      { numRuns: RUNS * 10 },
    );
  });

  it("a node whose mariadbd runs decides as if no force were configured: it never forces, and never says it will", () => {
    fc.assert(
      fc.property(factsArb, (generated) => {
        const facts = { ...generated, self: { ...generated.self, running: true } };
        assert.deepEqual(
          decideRecovery(facts),
          decideRecovery({ ...facts, forceBootstrapAfterMs: null }),
          JSON.stringify(facts),
        );
      }),
      { numRuns: RUNS * 10 },
    );
  });

  it("only a node whose mariadbd runs bootstraps in place, and one that runs never restarts to bootstrap", () => {
    fc.assert(
      fc.property(factsArb, (facts) => {
        const d = decideRecovery(facts);
        if (d.action === "bootstrap-in-place") assert.equal(facts.self.running, true, d.reason);
        if (d.action === "bootstrap") assert.notEqual(facts.self.running, true, d.reason);
      }),
      { numRuns: RUNS * 10 },
    );
  });

  it("(e) in particular, a wait never becomes a bootstrap from a node older than the one whose report went missing", () => {
    fc.assert(
      fc.property(factsArb, (facts) => {
        if (forcedBy(facts) || decideRecovery(facts).action !== "wait") return;
        for (const removed of facts.peers) {
          if (!facts.expected.includes(removed.name) || !usable(removed)) continue;
          const without = { ...facts, peers: facts.peers.filter((p) => p.name !== removed.name) };
          const after = decideRecovery(without);
          if (!CLAIMS.includes(after.action)) continue;
          if (facts.mode === "seed" && facts.self.fresh && presentOf(without).every((p) => p.fresh)) continue;
          const mine = facts.self.position;
          assert.ok(
            mine !== null && mine.uuid === removed.position!.uuid && mine.seqno >= removed.position!.seqno,
            `without ${removed.name}: ${after.action} (${after.reason})\n${JSON.stringify(facts)}`,
          );
        }
      }),
      { numRuns: RUNS * 10 },
    );
  });
});
