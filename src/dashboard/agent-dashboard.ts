import type { NodeStatusReport } from "../model/node-status.js";
import type { HealthAnswers } from "../health/health-policy.js";
import { archiveLine } from "../decide/archive-summary.js";
import { timelineEvents, type TimelineEvent } from "./cluster-timeline.js";
import type { DashboardNode, DashboardState } from "./dashboard-server.js";

/** What the agent knows when the page asks: itself, and its view's members as they last reported. */
export interface AgentView {
  self: NodeStatusReport;
  selfAnswers: HealthAnswers;
  /** The other members' last /status answers (from the writer election's poller). */
  peers: readonly NodeStatusReport[];
}

const timelineLength = 200;

/**
 * The dashboard an agent serves when asked (GALERA_PILOT_DASHBOARD=yes): the same page as the
 * local runner's, drawn from what this agent already holds in memory — its own status and
 * the reports of its view's members — so a scheduler's node shows the cluster as that node
 * sees it. It knows no router: HAProxy's pools are shown by the local runner only. The
 * health answers of other members are the ones their reports imply (/ready, /writer); the
 * others show as unknown.
 */
export class AgentDashboard {
  #nodes: DashboardNode[] = [];
  #timeline: TimelineEvent[] = [];

  constructor(private readonly view: () => AgentView) {}

  state(now = new Date()): DashboardState {
    const { self, selfAnswers, peers } = this.view();
    const nodes = [
      toNode(self, {
        "/": selfAnswers.root,
        "/ready": selfAnswers.ready,
        "/live": selfAnswers.live,
        "/writer": selfAnswers.writer,
      }),
      ...peers.map((p) => toNode(p, { "/ready": p.ready ? 200 : 503, "/writer": p.writer ? 200 : 503 })),
    ].sort((a, b) => a.name.localeCompare(b.name, "en", { numeric: true }));
    const at = now.toISOString();
    const events = timelineEvents(this.#nodes.length ? this.#nodes : null, nodes, at);
    this.#nodes = nodes;
    this.#timeline = [...this.#timeline, ...events].slice(-timelineLength);
    return { updatedAt: at, nodes, backends: [], timeline: this.#timeline };
  }
}

function toNode(report: NodeStatusReport, health: Partial<DashboardNode["health"] & object>): DashboardNode {
  return {
    name: report.node,
    address: report.address,
    healthUrl: "",
    socket: "",
    pid: report.pid,
    phase: report.phase,
    state: report.state,
    clusterStatus: report.clusterStatus,
    clusterSize: report.clusterSize,
    seqno: report.seqno,
    writer: report.writer,
    agentPid: null,
    restarts: 0,
    lastDecision: report.lastDecision ? `${report.lastDecision.action}: ${report.lastDecision.reason}` : null,
    archive: archiveLine(report.archive),
    health: health as DashboardNode["health"],
  };
}
