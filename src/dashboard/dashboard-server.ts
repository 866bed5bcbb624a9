import { createServer, type Server } from "node:http";
import { healthCodes } from "./health-probe.js";
import { parseShowStat, type BackendServerState } from "../router/haproxy-stat.js";
import { timelineEvents, type TimelineEvent } from "./cluster-timeline.js";
import { dashboardPage } from "./dashboard-page.js";
import type { LocalNodeStatus } from "../model/local-node-status.js";

export const dashboardPort = 8088;
/** The timeline keeps this many events; older ones fall off. */
const timelineLength = 200;
const pollIntervalMs = 1000;

export interface DashboardNode extends LocalNodeStatus {
  /**
   * The node's health answers as a router sees them; null when its agent does not answer. An
   * agent's own page knows only /ready and /writer of the other members (from their reports).
   */
  health: Partial<Record<"/" | "/ready" | "/live" | "/writer", number>> | null;
}

/** GET /api/state: what the page draws. */
export interface DashboardState {
  updatedAt: string;
  nodes: DashboardNode[];
  backends: BackendServerState[];
  timeline: TimelineEvent[];
  /** The backups line (decide/backup-summary.ts), when this page knows a destination. */
  backups?: string | null;
}

export interface DashboardSources {
  status(): Promise<LocalNodeStatus[]>;
  /** HAProxy's `show stat`, or null when it is not running. */
  showStat(): Promise<string | null>;
  healthPort: number;
  /** One line about the backups (the last complete one, those running, failures since). */
  backups?: () => Promise<string | null>;
}

/**
 * The local runner's dashboard: one page and GET /api/state, fed by a poll of the cluster
 * every second (the same status `galera-pilot status` shows, the health answers, HAProxy's
 * backend states), with a timeline of what changed. Read-only: it has no control actions.
 */
export class Dashboard {
  #state: DashboardState = { updatedAt: new Date().toISOString(), nodes: [], backends: [], timeline: [] };
  #timer: NodeJS.Timeout | null = null;
  #server: Server | null = null;
  #onEvent: ((event: TimelineEvent) => void) | null = null;

  constructor(private readonly sources: DashboardSources) {}

  get state(): DashboardState {
    return this.#state;
  }

  /** Also tell someone (the runner's progress output) about each event. */
  onEvent(listener: (event: TimelineEvent) => void): void {
    this.#onEvent = listener;
  }

  async listen(address: string, port: number): Promise<string> {
    const server = createServer((req, res) => {
      if (req.method === "GET" && (req.url === "/" || req.url === "/index.html")) {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
        return res.end(dashboardPage);
      }
      if (req.method === "GET" && req.url === "/api/state") {
        res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
        return res.end(JSON.stringify(this.#state));
      }
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found\n");
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, address, () => resolve());
    });
    this.#server = server;
    return `http://${address}:${port}/`;
  }

  start(): void {
    const loop = async (): Promise<void> => {
      try {
        await this.refresh();
      } catch {
        // The next poll tries again; the page shows the time of the last good one.
      }
      if (this.#timer !== null) this.#timer = setTimeout(() => void loop(), pollIntervalMs);
    };
    this.#timer = setTimeout(() => void loop(), 0);
  }

  async refresh(): Promise<void> {
    const [nodes, stat, backups] = await Promise.all([
      this.sources.status(),
      this.sources.showStat().catch(() => null),
      this.sources.backups?.().catch(() => null) ?? Promise.resolve(null),
    ]);
    const withHealth = await Promise.all(
      nodes.map(async (n): Promise<DashboardNode> => {
        const host = new URL(n.healthUrl).hostname;
        const health = await healthCodes(host, this.sources.healthPort).then(
          ([root, ready, live, writer]) => ({ "/": root, "/ready": ready, "/live": live, "/writer": writer }),
          () => null,
        );
        return { ...n, health };
      }),
    );
    const at = new Date().toISOString();
    const events = timelineEvents(this.#state.nodes.length ? this.#state.nodes : null, withHealth, at);
    for (const event of events) this.#onEvent?.(event);
    this.#state = {
      updatedAt: at,
      nodes: withHealth,
      backends: stat === null ? [] : parseShowStat(stat),
      timeline: [...this.#state.timeline, ...events].slice(-timelineLength),
      backups,
    };
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#server?.close();
    this.#server?.closeAllConnections();
  }
}
