/**
 * The recovery decision: how a node that is not in a primary component gets the cluster back
 * (rules S1–S6 of docs/recovery.md). Pure: no I/O, no clock (time is `facts.now`), no randomness — the same
 * facts always give the same decision, whatever order the peers' reports arrived in.
 *
 * The agent acts on the decision and publishes `bootstrapIntentAt` in its own report exactly
 * while `keepsBootstrapIntent(decision, name)` holds (the decision names this node as the
 * bootstrapper); any other decision withdraws the intent.
 */
import { ZERO_UUID } from "../model/galera-state.js";
import type { NodeReport } from "../model/peer-report.js";
import type { RecoveryAction } from "../model/node-status.js";
import type { RecoveryFacts } from "./recovery-facts.js";

export interface RecoveryDecision {
  action: RecoveryAction;
  /** One sentence a person can read, present tense; the agent logs it verbatim and shows it in /status. */
  reason: string;
  /** the node expected to bootstrap, when known */
  bootstrapper?: string;
}

// ---------------------------------------------------------------------------------------------
// What a report says about a node's data. Pure helpers, exported for the agent and the tests.
// ---------------------------------------------------------------------------------------------

/** A node that may be bootstrapped from: it holds a recovered seqno of a real cluster. */
export function isCandidate(node: NodeReport): boolean {
  return (
    !node.fresh && node.position !== null && node.position.uuid !== ZERO_UUID && node.position.seqno >= 0
  );
}

/** The cluster whose data the datadir holds, when known: null for empty, zero-UUID or unknown. */
export function clusterUuidOf(node: NodeReport): string | null {
  if (node.fresh || node.position === null || node.position.uuid === ZERO_UUID) return null;
  return node.position.uuid;
}

/** The node told what a bootstrap choice needs: its datadir is empty, never joined a cluster, or has a seqno. */
export function hasReportedPosition(node: NodeReport): boolean {
  if (node.fresh) return true;
  if (node.position === null) return false;
  return node.position.uuid === ZERO_UUID || node.position.seqno >= 0;
}

/** The datadir may hold a cluster's data; an unknown position counts, since it may. */
export function mayHoldData(node: NodeReport): boolean {
  return !node.fresh && node.position?.uuid !== ZERO_UUID;
}

/** Names compare by code unit, never by locale: every node must order them the same way. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Bootstrap order: highest seqno first; then safe_to_bootstrap (it left last, cleanly); then lowest name. */
export function compareRank(a: NodeReport, b: NodeReport): number {
  const seqnoA = a.position?.seqno ?? -1;
  const seqnoB = b.position?.seqno ?? -1;
  if (seqnoA !== seqnoB) return seqnoB - seqnoA;
  if (a.safeToBootstrap !== b.safeToBootstrap) return a.safeToBootstrap ? -1 : 1;
  return compareNames(a.name, b.name);
}

/** The candidates among `nodes`, best first. */
export function rankCandidates(nodes: readonly NodeReport[]): NodeReport[] {
  return nodes.filter(isCandidate).sort(compareRank);
}

/**
 * The peers' reports that count: one per name (the newest), not this node's own name, none
 * older than reportTtlMs. Sorted by name, so that nothing depends on the arrival order.
 */
export function presentPeers(facts: RecoveryFacts): NodeReport[] {
  const byName = new Map<string, NodeReport>();
  for (const peer of facts.peers) {
    if (peer.name === facts.self.name || facts.now - peer.reportedAt > facts.reportTtlMs) continue;
    const kept = byName.get(peer.name);
    if (kept === undefined || isNewer(peer, kept)) byName.set(peer.name, peer);
  }
  return [...byName.values()].sort((a, b) => compareNames(a.name, b.name));
}

/** Two reports of one name: the later one wins; equal times are settled by content, not by order. */
function isNewer(a: NodeReport, b: NodeReport): boolean {
  return (
    a.reportedAt > b.reportedAt || (a.reportedAt === b.reportedAt && JSON.stringify(a) > JSON.stringify(b))
  );
}

/** The operator's data-loss override (GALERA_PILOT_FORCE_BOOTSTRAP_AFTER) has come due. */
export function isForced(facts: RecoveryFacts): boolean {
  return (
    facts.forceBootstrapAfterMs !== null && facts.now - facts.waitingSince >= facts.forceBootstrapAfterMs
  );
}

/** What the length of a node's bootstrap-intent settle depends on. */
export interface SettleInputs {
  mode: "seed" | "node";
  /** GALERA_PILOT_FORCE_BOOTSTRAP_AFTER is set: this node may claim on partial knowledge. */
  forceConfigured: boolean;
  /** This node's datadir was empty at this start (a brand-new cluster may be claimed). */
  fresh: boolean;
  /** RecoveryFacts.reportTtlMs. */
  reportTtlMs: number;
  /** The agent's sampling interval. */
  intervalMs: number;
  /** How often the agent asks its peers and decides again while it waits. */
  decisionIntervalMs: number;
}

/**
 * How long this node's bootstrap intent stands before it acts (RecoveryFacts.intentSettleMs).
 *
 * Contested — a seed, a configured force deadline, an empty datadir — this node may claim on
 * partial knowledge, at about the time another node does. Then the intent stands longer than
 * twice the report TTL plus one interval: each claimant sees the other's intent before its own
 * has settled, and the lower-ranked one yields (the simulations in
 * test/unit/decide/recovery-properties.test.ts find two bootstraps with less).
 *
 * Otherwise the node claims only with every expected node's position in hand (S2), and every
 * node that holds the same complete set names the same winner, so nothing can outrank it;
 * a node with less waits for the missing reports, or for a contested claimant's long settle.
 * One decision round lets the intent be published before the bootstrap; the simulations run
 * with exactly that.
 */
export function intentSettleMs(inputs: SettleInputs): number {
  const contested = inputs.mode === "seed" || inputs.forceConfigured || inputs.fresh;
  return contested ? 2 * inputs.reportTtlMs + inputs.intervalMs : inputs.decisionIntervalMs;
}

/** Whether the node publishes (or keeps) its bootstrap intent after this decision. */
export function keepsBootstrapIntent(decision: RecoveryDecision, nodeName: string): boolean {
  return decision.bootstrapper === nodeName;
}

// ---------------------------------------------------------------------------------------------
// The situation: the facts, digested once.
// ---------------------------------------------------------------------------------------------

interface Situation {
  facts: RecoveryFacts;
  self: NodeReport;
  /** Present peers (rule 1), by name. */
  peers: NodeReport[];
  /** Self and the present peers, by name. */
  present: NodeReport[];
  byName: Map<string, NodeReport>;
  /** Expected names, self included, sorted, without duplicates. */
  expected: string[];
  expectedSet: Set<string>;
  /** Present nodes that configuration expects: the only ones a bootstrap choice is made among. */
  members: NodeReport[];
  forced: boolean;
  views: ViewAnalysis;
}

/** A report that holds a gvwstate.dat view. */
type Viewed = NodeReport & { lastPrimaryView: NonNullable<NodeReport["lastPrimaryView"]> };

interface ViewAnalysis {
  /** Members whose last primary view is back complete, every member holding that same view. */
  restoring: NodeReport[];
  /** Every member whose view is back complete, with why it must not be restored (restoreRisk), or null. */
  complete: { node: NodeReport; risk: string | null }[];
  /** Members of some node's last primary view that have not reported and no present node can stand for. */
  missing: { owners: string[]; members: string[] };
}

function digest(facts: RecoveryFacts): Situation {
  const self = facts.self;
  const peers = presentPeers(facts);
  const present = [self, ...peers].sort((a, b) => compareNames(a.name, b.name));
  const expected = [...new Set([...facts.expected, self.name])].sort(compareNames);
  const expectedSet = new Set(expected);
  const members = present.filter((node) => expectedSet.has(node.name));
  return {
    facts,
    self,
    peers,
    present,
    byName: new Map(present.map((node) => [node.name, node])),
    expected,
    expectedSet,
    members,
    // A node whose mariadbd runs never forces: outside a primary it may merely be cut off from
    // a primary that lives on, and a forced bootstrap there would make a second one. Restarted
    // nodes force; a running one is restarted by its operator for the override to apply.
    forced: isForced(facts) && self.running !== true,
    views: analyseViews(members, expected),
  };
}

const viewKey = (members: readonly string[]): string => [...new Set(members)].sort(compareNames).join(" ");

/**
 * Reads the members' gvwstate.dat views. Galera's pc.recovery restores a primary component when
 * every member of the saved view is back with that same view. A view member that no present
 * node claims (by its own gcomm UUID) may be a node that has not come back — it may hold the
 * newest writes — or a present node that lost its gvwstate.dat or restarted since (its UUID
 * changed, or its view was void: a join cut short). Only as many unclaimed members as there are
 * present nodes outside the view that have been in a cluster (not fresh) can be the latter; any
 * beyond that are missing.
 */
function analyseViews(members: readonly NodeReport[], expected: readonly string[]): ViewAnalysis {
  const byGcomm = new Map<string, Viewed["lastPrimaryView"]>();
  for (const node of members) {
    if (node.lastPrimaryView) byGcomm.set(node.lastPrimaryView.myUuid, node.lastPrimaryView);
  }

  const restores = (node: NodeReport): node is Viewed => {
    const view = node.lastPrimaryView;
    if (view === null || !view.members.includes(view.myUuid)) return false;
    const key = viewKey(view.members);
    return view.members.every((uuid) => {
      const holder = byGcomm.get(uuid);
      return holder !== undefined && viewKey(holder.members) === key;
    });
  };
  // A complete view is restored only from a real position, and only when nobody outside it
  // holds newer data of the same cluster (restoreRisk): pc.recovery would drop that data.
  const complete = members.filter(restores);
  const judged = complete.map((node) => ({ node, risk: restoreRisk(node, complete, members, expected) }));
  const restoring: NodeReport[] = judged.flatMap(({ node, risk }) => (risk === null ? [node] : []));

  const owners = new Set<string>();
  const missing = new Set<string>();
  for (const node of members) {
    const view = node.lastPrimaryView;
    if (view === null || restoring.includes(node)) continue;
    const unclaimed = [...new Set(view.members)].filter((uuid) => !byGcomm.has(uuid));
    const outside = members.filter(
      (other) =>
        !other.fresh && !(other.lastPrimaryView && view.members.includes(other.lastPrimaryView.myUuid)),
    ).length;
    if (unclaimed.length > outside) {
      owners.add(node.name);
      for (const uuid of unclaimed) missing.add(uuid);
    }
  }
  return {
    restoring,
    complete: judged,
    // owners come in members' order, which is by name
    missing: { owners: [...owners], members: [...missing].sort(compareNames) },
  };
}

/**
 * Why the complete view `node` holds must not be restored by Galera's pc.recovery, or null.
 * - No member of it holds a real position: Galera would restore the primary from the zero
 *   position, which starts a new cluster (the joiner left alone in the primary).
 * - An expected node outside it has not reported its position: it may hold newer data. Both
 *   sides then decide on the same complete set of reports, so a view member never restores
 *   while the node outside, seeing the view blocked, bootstraps beside it.
 * - A node outside it holds a newer position of the same cluster: the restored primary would
 *   be older, and that node's newer writes would be replaced by a state transfer when it
 *   joined. The newest node bootstraps instead (S2).
 */
function restoreRisk(
  node: Viewed,
  complete: readonly Viewed[],
  members: readonly NodeReport[],
  expected: readonly string[],
): string | null {
  const key = viewKey(node.lastPrimaryView.members);
  const group = complete.filter((m) => viewKey(m.lastPrimaryView.members) === key);
  const best = rankCandidates(group)[0];
  const names = list(group.map((m) => m.name));
  if (best === undefined) {
    return `the last primary component (${names}) holds no position of a cluster, and Galera would restore it from the zero position as a new cluster`;
  }
  const reported = new Map(members.map((m) => [m.name, m]));
  const inGroup = new Set(group.map((m) => m.name));
  const unreported = expected.filter((name) => {
    const m = reported.get(name);
    return !inGroup.has(name) && (m === undefined || !hasReportedPosition(m));
  });
  if (unreported.length > 0) {
    const they = unreported.length > 1;
    return `${list(unreported)} ${they ? "are" : "is"} outside the last primary component (${names}) and ${they ? "have" : "has"} not reported ${they ? "their positions" : "a position"} yet; ${they ? "they" : "it"} may hold newer data than ${best.name} (seqno ${seqnoText(best)})`;
  }
  const newer = members.filter(
    (m) => !inGroup.has(m.name) && clusterUuidOf(m) === clusterUuidOf(best) && seqnoOf(m) > seqnoOf(best),
  );
  if (newer.length > 0) {
    const held = newer.map((m) => `${m.name} seqno ${seqnoText(m)}`);
    return `${list(held)} outside the last primary component (${names}) ${newer.length > 1 ? "hold" : "holds"} newer data than ${best.name} (seqno ${seqnoText(best)}), which Galera's pc.recovery would drop`;
  }
  return null;
}

// Stryker disable next-line OptionalChaining,UnaryOperator: every caller passes a node that holds a position (a candidate, or one of a candidate's cluster)
const seqnoOf = (node: NodeReport): number => node.position?.seqno ?? -1;

// ---------------------------------------------------------------------------------------------
// The decision.
// ---------------------------------------------------------------------------------------------

/**
 * Decides what a node that is not in a primary component does. The rules, in order; the first
 * that applies decides:
 * 1. Reports older than reportTtlMs are absent; empty (fresh) nodes count as reported but hold no data.
 * 2. S1: a reachable primary is joined, never bootstrapped beside — unless it is another cluster.
 * 3. Datadirs of different clusters refuse: no rule may pick a side.
 * 4. S3: a published bootstrap intent is followed, unless this node outranks it.
 * 5. S4: Galera's own pc.recovery, when the last primary component is back; missing members wait.
 *    Never from a view with no real position, nor one that a newer node outside it would lose.
 * 6. A brand-new cluster (every node empty) starts from the first name, or from a lone seed.
 * 7. S2: otherwise bootstrap from the best-ranked node, once every expected node has reported.
 * 8. GALERA_PILOT_FORCE_BOOTSTRAP_AFTER lifts "every node has reported" (rules 5 and 7), loudly.
 * 9. Nothing to bootstrap from: wait, saying so.
 */
export function decideRecovery(facts: RecoveryFacts): RecoveryDecision {
  const s = digest(facts);
  const early = primaryRule(s) ?? differentClustersRule(s) ?? intentRule(s) ?? pcRecoveryRule(s);
  if (early !== null) return early;
  const decision = newClusterRule(s) ?? bootstrapRule(s);
  // This node's own view is back complete but must not be restored: say why it is not used.
  const risk = s.views.complete.find((c) => c.node === s.self)?.risk;
  return risk
    ? { ...decision, reason: `${decision.reason}; not awaiting Galera's pc.recovery: ${risk}` }
    : decision;
}

/** Rule 2 (S1). */
function primaryRule(s: Situation): RecoveryDecision | null {
  // Already in a primary component: there is nothing to recover.
  if (s.self.inPrimary) {
    const of = s.self.primaryUuid ? ` of cluster ${s.self.primaryUuid}` : "";
    return { action: "join", reason: `no recovery needed: this node is in the primary component${of}` };
  }
  const primaries = s.peers.filter((peer) => peer.inPrimary);
  if (primaries.length === 0) return null;
  const mine = clusterUuidOf(s.self);

  if (mine === null) {
    // An empty or unknown datadir loses nothing by joining, but two primaries of different clusters is a side to pick.
    const clusters = groupBy(
      primaries.filter((p): p is NodeReport & { primaryUuid: string } => p.primaryUuid !== null),
      (p) => p.primaryUuid,
    );
    if (clusters.size > 1) {
      return {
        action: "refuse",
        reason: `refusing to join: the reachable primary components belong to different clusters (${describeGroups(clusters)}); joining either would pick a side. Stop the wrong cluster, then restart this node`,
      };
    }
    return { action: "join", reason: `joining the primary component that ${namesBeing(primaries)} in` };
  }

  // Joining our own cluster's primary is the normal way back (IST or SST from it).
  const same = primaries.filter((p) => p.primaryUuid === mine);
  if (same.length > 0) {
    return { action: "join", reason: `joining the primary component that ${namesBeing(same)} in` };
  }
  // Joining another cluster would replace this datadir with that cluster's data by a full SST.
  const other = primaries.filter((p) => p.primaryUuid !== null);
  const here = `this datadir holds cluster ${mine} (seqno ${seqnoText(s.self)})`;
  if (other.length > 0) {
    const clusters = [...new Set(other.map((p) => p.primaryUuid))].join(" and ");
    return {
      action: "refuse",
      reason: `refusing to join: ${namesBeing(other)} in a primary component of cluster ${clusters}, but ${here}; joining would replace it with the other cluster's data by a full state transfer. Move this datadir aside to join that cluster, or start this node with its own cluster's nodes`,
    };
  }
  // A primary that does not say which cluster it is cannot be checked: neither join nor bootstrap.
  return {
    action: "wait",
    reason: `waiting: ${namesBeing(primaries)} in a primary component but ${primaries.length > 1 ? "report" : "reports"} no cluster UUID, and ${here}; joining an unknown cluster could replace this data`,
  };
}

/** Rule 3. */
function differentClustersRule(s: Situation): RecoveryDecision | null {
  // Two clusters' data among the present nodes: bootstrapping or joining either discards the other.
  const clusters = groupBy(
    s.present.filter((node) => clusterUuidOf(node) !== null),
    // Stryker disable next-line StringLiteral: only nodes with a cluster UUID are grouped, so "" is never a key
    (node) => clusterUuidOf(node) ?? "",
  );
  if (clusters.size <= 1) return null;
  return {
    action: "refuse",
    reason: `refusing: the datadirs belong to different clusters (${describeGroups(clusters)}); bootstrapping or joining would discard one cluster's data. Keep the right cluster's datadirs, move the others aside, and restart`,
  };
}

/** Rule 4 (S3). */
function intentRule(s: Situation): RecoveryDecision | null {
  const announcers = s.peers.filter((peer) => peer.bootstrapIntentAt !== null);
  if (announcers.length === 0) return null;
  const self = s.self;

  // A node outside our configuration cannot be ranked against ours: follow nobody, bootstrap nothing.
  const stranger = announcers.find((peer) => !s.expectedSet.has(peer.name));
  if (stranger !== undefined) {
    return {
      action: "wait",
      reason: `waiting: ${stranger.name} announced it bootstraps but is not an expected node (${list(s.expected)}); neither following it nor bootstrapping beside it`,
    };
  }
  // Zero UUID or unknown position never bootstraps; following such a node could empty this datadir.
  const unfit = announcers.find((peer) => !peer.fresh && !isCandidate(peer));
  if (unfit !== undefined) {
    return {
      action: "wait",
      reason: `waiting: ${unfit.name} announced it bootstraps but holds no usable position (${positionState(unfit)}); not joining it`,
    };
  }
  // Galera restores this node's last primary once started: starting now could form a second primary beside the bootstrap.
  if (s.views.restoring.includes(self)) {
    return {
      action: "wait",
      reason: `waiting: ${list(announcers.map((a) => a.name))} announced a bootstrap while this node's last primary component (${list(groupOf(s, self))}) is back; starting it now could form a second primary`,
    };
  }

  const top = rankCandidates(announcers)[0];
  if (top !== undefined) {
    // Not knowing our own position we cannot know whether we outrank the claim: recover it first.
    if (!hasReportedPosition(self)) {
      return {
        action: "wait",
        reason: `waiting: ${top.name} announced it bootstraps (seqno ${seqnoText(top)}), but this node has not recovered its own position yet (${positionState(self)}); not joining before it knows whether it holds newer data`,
      };
    }
    // Ranked first of the two, this node is a candidate too.
    const outranks = rankCandidates([self, top])[0] === self;
    // The best-ranked claim wins: a node that cannot outrank it follows it, starting only once
    // its primary exists (S1 then says join): a joiner started earlier sits in a non-primary
    // component with the other followers, which Galera's pc.recovery could even restore.
    if (!outranks) {
      const newer =
        isCandidate(self) || self.bootstrapIntentAt !== null
          ? ` and outranks this node (seqno ${seqnoText(self)})`
          : "";
      return {
        action: "wait",
        reason: `${top.name} announced it bootstraps (seqno ${seqnoText(top)})${newer}: waiting for its primary component to join it`,
        bootstrapper: top.name,
      };
    }
    // Newer data than a standing claim: let the announcer see us and yield, rather than race it.
    if (self.bootstrapIntentAt === null) {
      return {
        action: "wait",
        reason: `waiting: ${top.name} announced it bootstraps, but this node (seqno ${seqnoText(self)}) ranks before it (seqno ${seqnoText(top)}${seqnoText(self) === seqnoText(top) ? ", the same: the first name wins the tie" : ", older data"}); not joining it, and not bootstrapping until it withdraws`,
      };
    }
    // Both announced and this node ranks higher: the announcer yields to us; carry on.
  }

  // The peers come sorted by name: the first empty announcer is the first by name.
  const first = announcers.find((peer) => peer.fresh);
  if (first === undefined) return null;
  // A new cluster starts empty: a datadir with data joining it would be wiped.
  if (mayHoldData(self)) {
    return {
      action: "wait",
      reason: `waiting: ${first.name} announced it bootstraps a new cluster, but this node holds data (${positionState(self)}); never joining an empty cluster`,
    };
  }
  // Two empty nodes announced: the first name wins (a peer never has this node's name: -1 or 1).
  if (self.bootstrapIntentAt !== null && compareNames(self.name, first.name) === -1) return null;
  return {
    action: "wait",
    reason: `${first.name} announced it bootstraps a new cluster: waiting for its primary component to join it`,
    bootstrapper: first.name,
  };
}

/** Rule 5 (S4). */
function pcRecoveryRule(s: Situation): RecoveryDecision | null {
  // Galera restores the primary from gvwstate.dat by itself when its whole last view is back: prefer its own mechanism.
  if (s.views.restoring.includes(s.self)) {
    const group = groupOf(s, s.self);
    return {
      action: "await-pc-recovery",
      reason: `awaiting Galera's pc.recovery: all ${group.length} members of the last primary component (${list(group)}) are back, so Galera restores the primary by itself`,
    };
  }
  // Other nodes restore their primary: a bootstrap beside them would form a second one.
  if (s.views.restoring.length > 0) {
    const names = s.views.restoring.map((node) => node.name);
    return {
      action: "wait",
      reason: `waiting: ${list(names)} ${names.length > 1 ? "restore their" : "restores its"} last primary component through Galera's pc.recovery; this node joins it once it is primary`,
    };
  }
  // A member of the last primary component is missing: it may hold the newest acknowledged writes.
  const { owners, members } = s.views.missing;
  if (members.length > 0 && !s.forced) {
    // Name the expected nodes that have not reported too: a person knows them by name, not by Galera UUID.
    const presentNames = new Set(s.present.map((n) => n.name));
    const absent = s.expected.filter((name) => !presentNames.has(name));
    const whom = absent.length > 0 ? `; waiting for ${list(absent)}` : "";
    return {
      action: "wait",
      reason: `waiting: ${members.length} ${members.length > 1 ? "members" : "member"} of the last primary component (${list(members)}, in ${possessive(owners)} gvwstate.dat) ${members.length > 1 ? "have" : "has"} not reported and may hold the newest writes${whom}${countdown(s)}`,
    };
  }
  return null;
}

/** Rule 6. */
function newClusterRule(s: Situation): RecoveryDecision | null {
  // Only when no present datadir holds anything: a new cluster beside existing data forks it.
  if (!s.present.every((node) => node.fresh)) return null;
  const self = s.self;
  const allHere = s.expected.every((name) => s.byName.has(name));
  const n = s.expected.length;
  const everyoneEmpty = `all ${n} expected nodes (${list(s.expected)}) are present with empty datadirs`;

  // A standing new-cluster claim stays (rule 4 let it stand): empty nodes that saw it have joined it.
  // Only while the claim's own grounds hold: every expected node here, or a seed (which started alone).
  if (self.bootstrapIntentAt !== null && (allHere || s.facts.mode === "seed")) {
    const why = allHere
      ? everyoneEmpty
      : s.peers.length === 0
        ? `seed mode, an empty datadir, and no peer reporting`
        : `seed mode: it announced first, and the nodes present (${list(s.present.map((p) => p.name))}) are empty`;
    return settleOrAct(
      s,
      "bootstrap-new-cluster",
      `bootstrapping a new cluster from ${self.name}`,
      why,
      null,
    );
  }
  if (allHere) {
    const first = s.expected[0] ?? self.name;
    // Every node computes the same first name from the same complete set, so one node claims.
    if (first !== self.name) {
      return {
        action: "wait",
        reason: `waiting for ${first} to bootstrap a new cluster: ${everyoneEmpty} and ${first} is first by name`,
        bootstrapper: first,
      };
    }
    return {
      action: "announce-bootstrap",
      reason: `announcing a new-cluster bootstrap from ${self.name}: ${everyoneEmpty} and ${self.name} is first by name; bootstrapping once the intent has stood ${seconds(s.facts.intentSettleMs)} s unchallenged`,
      bootstrapper: self.name,
    };
  }
  // The seed post's first step: the seed starts the cluster alone. A seed that sees peers follows the other rules (S5).
  if (s.facts.mode === "seed" && s.peers.length === 0) {
    return {
      action: "announce-bootstrap",
      reason: `announcing a new-cluster bootstrap from ${self.name}: seed mode, an empty datadir, and no peer reporting; bootstrapping if none reports within ${seconds(s.facts.intentSettleMs)} s`,
      bootstrapper: self.name,
    };
  }
  return null;
}

/** Rules 7, 8 and 9 (S2, S3 and the force override). */
function bootstrapRule(s: Situation): RecoveryDecision {
  const unreported = s.expected.filter((name) => {
    const node = s.byName.get(name);
    return node === undefined || !hasReportedPosition(node);
  });
  // S2: a node that has not reported its position may hold the newest writes; wait for it (unless forced).
  if (unreported.length > 0 && !s.forced) return progress(s, unreported);

  const ranked = rankCandidates(s.members);
  const best = ranked[0];
  // Rule 9: empty, zero-UUID and unknown datadirs never bootstrap; with nothing else there is nothing safe to start from.
  if (best === undefined) return noUsablePosition(s);
  // A node outside the expected set is never ranked (nodes that do not expect it could not rank
  // it alike), but newer data of this cluster on it is not dropped either: it must be added.
  // (Only a node outside the expected set can be newer than the best expected candidate.)
  const newerStranger = s.present.find(
    (node) => clusterUuidOf(node) === clusterUuidOf(best) && seqnoOf(node) > seqnoOf(best),
  );
  if (newerStranger !== undefined && !s.forced) {
    return {
      action: "wait",
      reason: `waiting: ${newerStranger.name} is not an expected node (${list(s.expected)}) but holds newer data of this cluster (seqno ${seqnoText(newerStranger)}) than ${best.name} (seqno ${seqnoText(best)}); bootstrapping without it would drop that data: add ${newerStranger.name} to every node's peers, or move its datadir aside`,
    };
  }

  const overridden = [...unreported, ...s.views.missing.members];
  const forcedPrefix =
    overridden.length > 0
      ? `FORCED after ${seconds(s.facts.forceBootstrapAfterMs ?? 0)} s: ${forcedGaps(s, unreported)}; `
      : null;
  const loss = `may lose ${lossOf(s, unreported)} newer writes`;
  const bestText = `${best.name}, seqno ${seqnoText(best)}`;

  // S2/S3: highest seqno, then safe_to_bootstrap, then lowest name; every node ranks the same complete set alike.
  if (best.name !== s.self.name) {
    // Forced, the newest node would bootstrap too, but one whose mariadbd runs never forces.
    if (forcedPrefix !== null && best.running === true) {
      return {
        action: "wait",
        reason: `${forcedPrefix}${bestText} holds the newest data and its mariadbd runs outside a primary component; a running node never forces a bootstrap, since it may only be cut off from a primary that lives on: restart ${best.name} for the override to act there, or bring the missing nodes back`,
        bootstrapper: best.name,
      };
    }
    return {
      action: "wait",
      reason:
        forcedPrefix === null
          ? `${best.name} holds the newest data (seqno ${seqnoText(best)}${tieText(best, ranked[1])}); waiting for it to bootstrap`
          : `${forcedPrefix}waiting for the newest reporting node (${bestText}) to bootstrap, which ${loss}`,
      bootstrapper: best.name,
    };
  }
  const evidence = `it holds the newest data (seqno ${seqnoText(best)}${tieText(best, ranked[1])}; ${othersText(ranked)})`;
  // S3: announce first; the intent is the record other nodes see and follow.
  if (s.self.bootstrapIntentAt === null) {
    return {
      action: "announce-bootstrap",
      reason:
        forcedPrefix === null
          ? `announcing a bootstrap from ${best.name}: ${evidence}; bootstrapping once the intent has stood ${seconds(s.facts.intentSettleMs)} s unchallenged`
          : `${forcedPrefix}announcing a bootstrap from the newest reporting node (${bestText}), which ${loss}`,
      bootstrapper: best.name,
    };
  }
  return settleOrAct(
    s,
    "bootstrap",
    forcedPrefix === null
      ? `bootstrapping from ${best.name}`
      : `bootstrapping from the newest reporting node`,
    forcedPrefix === null ? evidence : `${bestText}`,
    forcedPrefix === null ? null : { prefix: forcedPrefix, loss },
  );
}

/** S3: an announced intent acts only after it stood intentSettleMs, time enough for every node to see it. */
function settleOrAct(
  s: Situation,
  action: "bootstrap" | "bootstrap-new-cluster",
  doing: string,
  why: string,
  forced: { prefix: string; loss: string } | null,
): RecoveryDecision {
  const self = s.self.name;
  const settle = s.facts.intentSettleMs;
  const remaining = settle - (s.facts.now - (s.self.bootstrapIntentAt ?? s.facts.now));
  if (remaining > 0) {
    const more = `waiting ${Math.ceil(remaining / 1000)} s more before ${doing}`;
    return {
      action: "wait",
      reason:
        forced === null
          ? `${more}: the intent stands ${seconds(settle)} s so that every node sees it`
          : `${forced.prefix}${more} (${why}), which ${forced.loss}`,
      bootstrapper: self,
    };
  }
  // A node whose mariadbd runs is made primary where it stands: restarting it would only
  // throw away the position it holds live, and its peers are connected to it already.
  if (action === "bootstrap" && s.self.running === true) {
    return {
      action: "bootstrap-in-place",
      reason: `${doing} in place (pc.bootstrap=YES; its mariadbd runs outside a primary component): ${why}, and the intent stood ${seconds(settle)} s unchallenged`,
      bootstrapper: self,
    };
  }
  return {
    action,
    reason:
      forced === null
        ? `${doing}: ${why}, and the intent stood ${seconds(settle)} s unchallenged`
        : `${forced.prefix}${doing} (${why}) ${forced.loss}`,
    bootstrapper: self,
  };
}

/** Rule 7's wait, in the words /status shows: "waiting: 2 of 3 members reported; newest seqno 1841 on n2; waiting for n3". */
function progress(s: Situation, unreported: string[]): RecoveryDecision {
  const best = rankCandidates(s.members)[0];
  const newest = best ? `newest seqno ${seqnoText(best)} on ${best.name}` : "no reported node holds data yet";
  const waitingFor = unreported.map((name) =>
    s.byName.has(name) ? `${name} (present, position not recovered yet)` : name,
  );
  return {
    action: "wait",
    reason: `waiting: ${s.expected.length - unreported.length} of ${s.expected.length} members reported; ${newest}; waiting for ${list(waitingFor)}${countdown(s)}`,
  };
}

/** Rule 9. */
function noUsablePosition(s: Situation): RecoveryDecision {
  const states = s.members.map((node) => `${node.name}: ${positionState(node)}`);
  const strangers = s.present.filter((node) => !s.expectedSet.has(node.name) && mayHoldData(node));
  const stranger = strangers.length
    ? `; ${list(strangers.map((node) => `${node.name} (${positionState(node)})`))} ${strangers.length > 1 ? "hold" : "holds"} data but ${strangers.length > 1 ? "are not expected nodes" : "is not an expected node"}`
    : "";
  return {
    action: "wait",
    reason: `waiting: no node holds a usable position (${states.join(", ")}); only a node with a recovered seqno of a real cluster may bootstrap${stranger}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Words.
// ---------------------------------------------------------------------------------------------

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

/** "A on n1 and n2; B on n3", clusters in UUID order; the groups come from name-sorted lists, so in name order. */
function describeGroups(groups: Map<string, NodeReport[]>): string {
  return [...groups.entries()]
    .sort(([a], [b]) => compareNames(a, b))
    .map(([uuid, nodes]) => `${uuid} on ${list(nodes.map((node) => node.name))}`)
    .join("; ");
}

/** The present members whose gcomm UUID is in the node's last primary view, by name. */
function groupOf(s: Situation, node: NodeReport): string[] {
  // Stryker disable next-line OptionalChaining,ArrayDeclaration: only called for a node in views.restoring, which holds a view
  const members = node.lastPrimaryView?.members ?? [];
  return s.members
    .filter((m) => m.lastPrimaryView !== null && members.includes(m.lastPrimaryView.myUuid))
    .map((m) => m.name);
}

/** "n1", "n1 and n2", "n1, n2 and n3". */
function list(items: readonly string[]): string {
  // Stryker disable next-line StringLiteral: no caller lists nothing, and one item joins alike with any separator
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/** "n2 is", "n2 and n3 are". */
function namesBeing(nodes: readonly NodeReport[]): string {
  return `${list(nodes.map((node) => node.name))} ${nodes.length > 1 ? "are" : "is"}`;
}

/** "n1's", "n1's and n2's". */
function possessive(names: readonly string[]): string {
  return list(names.map((name) => `${name}'s`));
}

const seqnoText = (node: NodeReport): string =>
  node.position === null || node.position.seqno < 0 ? "unknown" : String(node.position.seqno);

function positionState(node: NodeReport): string {
  if (node.fresh) return "empty datadir";
  if (node.position === null) return "position unknown";
  if (node.position.uuid === ZERO_UUID) return "zero UUID";
  if (node.position.seqno < 0) return `${node.position.uuid}, seqno unknown`;
  return `${node.position.uuid}:${node.position.seqno}`;
}

/** Why the best won when the next candidate has the same seqno. */
function tieText(best: NodeReport, next: NodeReport | undefined): string {
  if (next === undefined || seqnoOf(best) !== seqnoOf(next)) return "";
  return best.safeToBootstrap && !next.safeToBootstrap
    ? ", marked safe_to_bootstrap"
    : `, tied with ${next.name}, first by name`;
}

function othersText(ranked: readonly NodeReport[]): string {
  const others = ranked.slice(1).map((node) => `${node.name} ${seqnoText(node)}`);
  return others.length ? others.join(", ") : "no other node holds data";
}

/** "n3 never reported, n4 reported no position, member X of the last primary component never reported". */
function forcedGaps(s: Situation, unreported: readonly string[]): string {
  const absent = unreported.filter((name) => !s.byName.has(name));
  const unknown = unreported.filter((name) => s.byName.has(name));
  const gaps: string[] = [];
  if (absent.length) gaps.push(`${list(absent)} never reported`);
  if (unknown.length) gaps.push(`${list(unknown)} reported no position`);
  // A missing view member is most likely one of the absent nodes: name it only when no expected node is absent.
  const members = unreported.length ? [] : s.views.missing.members;
  if (members.length) {
    gaps.push(
      `${members.length > 1 ? "members" : "member"} ${list(members)} of the last primary component never reported`,
    );
  }
  return gaps.join(", ");
}

function lossOf(s: Situation, unreported: readonly string[]): string {
  const members = unreported.length ? [] : s.views.missing.members;
  return possessive([...unreported, ...members.map((uuid) => `member ${uuid}`)]);
}

function countdown(s: Situation): string {
  const after = s.facts.forceBootstrapAfterMs;
  if (after === null || s.self.running === true) return "";
  const left = Math.max(0, after - (s.facts.now - s.facts.waitingSince));
  return `; forcing a bootstrap in ${Math.ceil(left / 1000)} s (GALERA_PILOT_FORCE_BOOTSTRAP_AFTER)`;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? String(ms / 1000) : (ms / 1000).toFixed(1);
}
