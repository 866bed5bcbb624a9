import type { NodeStatusReport } from "../model/node-status.js";
import { decideRecovery, type RecoveryDecision } from "./recovery-decision.js";
import type { NodeReport } from "../model/peer-report.js";

/** What `galera-pilot doctor` learned about one expected node. */
export interface DoctorNode {
  name: string;
  /** Where its agent was asked (for the "start it" advice). */
  url: string;
  /** Its /status answer; null when the agent did not answer. */
  status: NodeStatusReport | null;
  /** Its authenticated /peer/state answer; null with `problem` saying why. */
  state: NodeReport | null;
  problem: string | null;
  /** Its /status answer came but was not a status: what was wrong with it. */
  statusProblem?: string;
  /**
   * What its datadir says when no agent runs (the local runner can read it): the saved
   * position. null: not known.
   */
  saved: { uuid: string; seqno: number; safeToBootstrap: boolean } | null;
}

export interface Diagnosis {
  /** healthy: every expected node synced and one writer; degraded: serving, but not all is well; down: no primary. */
  verdict: "healthy" | "degraded" | "down";
  /** One headline sentence. */
  headline: string;
  /** The explanation, one fact or piece of advice per line. */
  lines: string[];
}

/**
 * Says what the cluster is doing and would do now, and why, from what every node answered.
 * Pure. With a primary component it reports who serves, who writes, who is joining and who
 * is missing. Without one it runs the agents' own recovery rule (decideRecovery) for each
 * node that answered, from the same reports, so the prediction is the agents' decision and
 * not a second opinion that could disagree with it.
 */
export function diagnoseCluster(nodes: readonly DoctorNode[], now: number): Diagnosis {
  const names = nodes.map((n) => n.name);
  const inPrimary = nodes.filter((n) => n.state?.inPrimary ?? n.status?.clusterStatus === "Primary");
  return inPrimary.length > 0 ? diagnoseServing(nodes, inPrimary) : diagnoseDown(nodes, names, now);
}

function diagnoseServing(nodes: readonly DoctorNode[], inPrimary: readonly DoctorNode[]): Diagnosis {
  const lines: string[] = [];
  // A member whose cluster UUID did not come through is not evidence of a second cluster.
  const uuids = new Set(
    inPrimary
      .map((n) => n.state?.primaryUuid ?? n.status?.clusterStateUuid ?? null)
      .filter((uuid): uuid is string => uuid !== null),
  );
  const synced = nodes.filter((n) => n.status?.phase === "synced");
  const writers = nodes.filter((n) => n.status?.writer === true);
  const problems: string[] = [];

  const seqnos = inPrimary.map((n) => n.status?.seqno).filter((s): s is number => typeof s === "number");
  lines.push(
    `primary component: ${inPrimary.map((n) => n.name).join(", ")} (${inPrimary.length} of ${nodes.length} nodes` +
      `${seqnos.length ? `, seqno ${Math.max(...seqnos)}` : ""})`,
  );
  if (uuids.size > 1) {
    problems.push(
      `two primary components of different clusters (${[...uuids].join(", ")}): the nodes were started with different data; keep the one with your data and re-create the others' datadirs`,
    );
  }
  if (writers.length === 1)
    lines.push(`writer: ${writers[0]!.name} (its /writer answers 200; HAProxy sends writes there)`);
  else if (writers.length === 0) {
    problems.push(
      "no writer elected right now: writes through the router fail until one is (see /status of each node)",
    );
  } else {
    problems.push(
      `${writers.length} nodes claim the writer role (${writers.map((n) => n.name).join(", ")}): this is a bug, please report it with their /status`,
    );
  }
  for (const node of nodes) {
    (node.status?.phase === "synced" ? lines : problems).push(describeServingMember(node));
  }
  // Every node that is not synced added a problem, and so did any writer count but one: no
  // problem means every node is synced and one writes.
  const verdict = problems.length === 0 ? "healthy" : "degraded";
  const headline =
    verdict === "healthy"
      ? `healthy: ${synced.length} of ${nodes.length} nodes synced, writes go to ${writers[0]!.name}`
      : `serving with ${synced.length} of ${nodes.length} nodes synced${writers.length === 1 ? `, writes go to ${writers[0]!.name}` : ""}`;
  return { verdict, headline, lines: [...lines, ...problems] };
}

function describeServingMember(node: DoctorNode): string {
  const s = node.status;
  if (!s) return unanswered(node);
  const seqno = s.seqno === null ? "" : `, seqno ${s.seqno}`;
  switch (s.phase) {
    case "synced":
      return `${node.name}: synced${seqno}${s.ready ? "" : " but not ready (read-only or draining)"}`;
    case "donor":
      return `${node.name}: donor (sending a state transfer to a joiner); out of the read pool until done`;
    case "starting":
      return `${node.name}: joining (state transfer or catching up); it serves once synced`;
    case "waiting":
    case "preparing":
      return `${node.name}: ${s.phase}${s.lastDecision ? ` — ${s.lastDecision.action}: ${s.lastDecision.reason}` : ""}`;
    case "non-primary":
      return `${node.name}: cut off from the primary component (non-Primary): check the network between it and the others`;
    case "refused":
      return `${node.name}: refused to start — ${s.lastDecision?.reason ?? "see its log"}`;
    default:
      return `${node.name}: ${s.phase}${seqno}`;
  }
}

/** A node whose agent left a question unanswered: not running at all, or running but not fully readable. */
function unanswered(node: DoctorNode): string {
  const problem = node.problem ?? "unreachable";
  // An answer that came but could not be read is another version's (or a bug), not a secret.
  const sameVersion = "run the same version of galera-pilot on every node";
  if (node.status) {
    const advice = problem.startsWith("malformed answer")
      ? sameVersion
      : "check that it was given the same cluster secret as this command";
    return `${node.name}: its agent runs (phase ${node.status.phase}) but its /peer/state could not be read (${problem}): ${advice}`;
  }
  if (node.state) {
    return node.statusProblem === undefined
      ? `${node.name}: its agent answers /peer/state but not /status: see its log`
      : `${node.name}: its agent answers /peer/state but its /status could not be read (${node.statusProblem}): ${sameVersion}`;
  }
  return `${node.name}: no answer from its agent at ${node.url} (${problem}): start it`;
}

function diagnoseDown(nodes: readonly DoctorNode[], names: readonly string[], now: number): Diagnosis {
  const lines: string[] = [];
  const reported = nodes.filter((n): n is DoctorNode & { state: NodeReport } => n.state !== null);
  // Positions: from the agents, or from a stopped node's grastate.dat; an unknown seqno (-1) is no position.
  const positions = nodes
    .map((n) => {
      const p = n.state?.position ?? n.saved;
      return p ? { name: n.name, uuid: p.uuid, seqno: p.seqno } : null;
    })
    .filter((p): p is { name: string; uuid: string; seqno: number } => p !== null && p.seqno >= 0);
  const clusters = [...new Set(positions.map((p) => p.uuid))];
  if (clusters.length > 1) {
    // Seqnos of different clusters do not compare: no node's data is "newest" across them.
    const holders = clusters.map(
      (cluster) =>
        `${cluster} on ${positions
          .filter((p) => p.uuid === cluster)
          .map((p) => p.name)
          .join(", ")}`,
    );
    lines.push(`the datadirs hold data of ${clusters.length} different clusters (${holders.join("; ")})`);
  } else if (positions.length > 0) {
    const newest = Math.max(...positions.map((p) => p.seqno));
    const holders = positions.filter((p) => p.seqno === newest).map((p) => p.name);
    lines.push(
      `${holders.join(" and ")} ${holders.length > 1 ? "have" : "has"} the newest data known (seqno ${newest})` +
        `${positions.length < nodes.length ? `; ${nodes.length - positions.length} node(s) not known yet` : ""}`,
    );
  } else {
    lines.push("no node's position is known yet");
  }
  for (const node of nodes) {
    if (node.state) {
      const p = node.state.position;
      lines.push(
        `${node.name}: answered; ${p ? `seqno ${p.seqno}` : "position unknown"}${node.state.fresh ? " (empty datadir)" : ""}`,
      );
    } else if (node.saved) {
      lines.push(
        `${node.name}: stopped; its grastate.dat says seqno ${node.saved.seqno}${node.saved.safeToBootstrap ? ", safe_to_bootstrap 1" : ""}: start it`,
      );
    } else {
      lines.push(unanswered(node));
    }
  }
  if (reported.length === 0) {
    return {
      verdict: "down",
      headline: "down: no agent answered; start the nodes and they recover by themselves",
      lines,
    };
  }
  const decisions = reported.map((node) => ({
    name: node.name,
    decision: decideRecovery({
      self: node.state,
      // Its own report among them is ignored: decideRecovery takes no peer report of its own name.
      peers: reported.map((p) => p.state),
      expected: names,
      // Stryker disable next-line StringLiteral: decideRecovery only asks whether mode is "seed"
      mode: node.status?.mode ?? "node",
      now,
      waitingSince: now,
      forceBootstrapAfterMs: null,
      reportTtlMs: 60_000,
      intentSettleMs: 0,
    }),
  }));
  for (const { name, decision } of decisions) {
    // A wait's reason already starts with "waiting…"; other reasons explain an action.
    lines.push(
      decision.action === "wait"
        ? `${name}: ${decision.reason}`
        : `${name} would ${describeAction(decision)}: ${decision.reason}`,
    );
  }
  // An announcement is the first step of a bootstrap: it goes ahead unless another node objects.
  const bootstrapper = decisions.find((d) =>
    ["bootstrap", "bootstrap-in-place", "bootstrap-new-cluster", "announce-bootstrap"].includes(
      d.decision.action,
    ),
  );
  const waiting = decisions.find((d) => d.decision.action === "wait");
  const headline = bootstrapper
    ? `down: ${bootstrapper.name} bootstraps the cluster now; the others join it`
    : decisions.some((d) => d.decision.action === "await-pc-recovery")
      ? "down: every member of the last primary view is back; Galera's own pc.recovery restores it"
      : waiting
        ? `down, ${waiting.decision.reason.startsWith("waiting") ? "" : "waiting: "}${waiting.decision.reason}`
        : `down: ${decisions[0]!.name} would ${describeAction(decisions[0]!.decision)}: ${decisions[0]!.decision.reason}`;
  return { verdict: "down", headline, lines };
}

function describeAction(decision: RecoveryDecision): string {
  const words: Record<RecoveryDecision["action"], string> = {
    // Stryker disable next-line StringLiteral: no node joins without a primary component, and diagnoseDown runs without one
    join: "join",
    "await-pc-recovery": "await Galera's pc.recovery",
    "announce-bootstrap": "bootstrap (announcing it first)",
    bootstrap: "bootstrap",
    "bootstrap-in-place": "bootstrap in place (pc.bootstrap=YES on its running mariadbd)",
    "bootstrap-new-cluster": "bootstrap a new cluster",
    // Stryker disable next-line StringLiteral: a wait is told by its reason alone, never by these words
    wait: "wait",
    refuse: "refuse to start",
  };
  return words[decision.action];
}
