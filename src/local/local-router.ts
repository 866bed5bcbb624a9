import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  renderHaproxyConfig,
  renderStartDownServerState,
  type RouterBackendNode,
} from "../router/haproxy-config.js";
import { HaproxyProcess } from "../router/haproxy-process.js";
import { parseShowStat } from "../router/haproxy-stat.js";
import type { LocalNode } from "./cluster-layout.js";

export const writerPort = 3306;
export const readerPort = 3307;
export const statsPagePort = 8404;

/**
 * HAProxy in front of the local cluster: writes to the node whose /writer answers 200,
 * reads over the nodes whose /ready answers 200. Membership changes (scale) reload it
 * seamlessly; planned stops put the node in MAINT first so its sessions finish.
 */
export class LocalRouter {
  readonly process: HaproxyProcess;
  readonly #options: { stateDir: string; address: string; healthPort: number };

  constructor(options: {
    stateDir: string;
    address: string;
    healthPort: number;
    layout: readonly LocalNode[];
    log: (line: string) => void;
    /** HAProxy stops when this process ends, even by SIGKILL; default true (false: tests of leftovers). */
    stopWithRunner?: boolean;
  }) {
    this.#options = options;
    this.process = new HaproxyProcess({
      stopWithParent: options.stopWithRunner ?? true,
      configPath: join(options.stateDir, "haproxy.cfg"),
      logPath: join(options.stateDir, "haproxy.log"),
      statsSocket: this.statsSocket,
      log: options.log,
      config: this.render(options.layout),
      serverState: { file: this.serverStateFile, startDown: this.#startDown(options.layout) },
    });
  }

  get statsSocket(): string {
    return join(this.#options.stateDir, "haproxy.sock");
  }

  get endpoints(): { writer: string; reader: string; stats: string } {
    return {
      writer: `${this.#options.address}:${writerPort}`,
      reader: `${this.#options.address}:${readerPort}`,
      stats: `http://${this.#options.address}:${statsPagePort}/`,
    };
  }

  get serverStateFile(): string {
    return join(this.#options.stateDir, "haproxy.state");
  }

  /** Every server DOWN: HAProxy's starting point (see renderStartDownServerState). */
  #startDown(layout: readonly LocalNode[]): string {
    return renderStartDownServerState(this.#backendNodes(layout));
  }

  #backendNodes(layout: readonly LocalNode[]): RouterBackendNode[] {
    return layout.map((n) => ({
      name: n.name,
      address: n.address,
      sqlPort: 3306,
      healthPort: this.#options.healthPort,
    }));
  }

  render(layout: readonly LocalNode[], enteringServers: readonly string[] = []): string {
    return renderHaproxyConfig({
      serverStateFile: this.serverStateFile,
      enteringServers,
      nodes: this.#backendNodes(layout),
      writer: { address: this.#options.address, port: writerPort },
      reader: { address: this.#options.address, port: readerPort },
      statsSocket: this.statsSocket,
      // HAProxy shares this machine with every node of the cluster.
      threads: 1,
      writerCheckPath: "/writer",
      readerCheckPath: "/ready",
      statsPage: { address: this.#options.address, port: statsPagePort },
    });
  }

  /** New nodes enter at weight 0; the cluster gives them traffic once synced (hooks.afterSynced). */
  async membershipChanged(layout: readonly LocalNode[], added: readonly string[]): Promise<void> {
    await this.process.reload(this.render(layout, added), this.#startDown(layout));
  }

  /** Hooks for LocalCluster's planned stops and starts. */
  get hooks(): { beforePlannedStop(name: string): Promise<void>; afterSynced(name: string): Promise<void> } {
    return {
      beforePlannedStop: (name) => this.process.setServerState(name, "drain"),
      afterSynced: async (name) => {
        await this.process.setServerState(name, "ready");
        await this.#waitUntilUp(name, 15_000);
      },
    };
  }

  /**
   * Waits until HAProxy serves: its admin socket answers and each of its backends has a
   * server UP. Returns null then, or, after `timeoutMs`, why not, with HAProxy's own last alert (a
   * HAProxy that cannot start, e.g. for want of file descriptors, is restarted with backoff and
   * says why only in its log).
   */
  async waitServing(timeoutMs: number): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    let answered = false;
    for (;;) {
      try {
        const rows = parseShowStat(await this.process.runtime("show stat"));
        answered = true;
        // Both backends start with every server DOWN: each serves once a server passed its checks.
        const up = (backend: string) => rows.some((r) => r.backend === backend && r.status.startsWith("UP"));
        if (up("galera_writer") && up("galera_readers")) return null;
      } catch {
        // Not running, or not yet listening on its admin socket.
      }
      if (Date.now() >= deadline) break;
      await sleep(250);
    }
    const logPath = join(this.#options.stateDir, "haproxy.log");
    let alert = "";
    try {
      const lines = readFileSync(logPath, "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "");
      alert = [...lines].reverse().find((l) => /ALERT|\[NOTICE\].*exit/i.test(l)) ?? lines.at(-1) ?? "";
    } catch {
      // No log yet.
    }
    const state = answered
      ? `HAProxy runs but has no writer or no reader UP after ${timeoutMs / 1000} s`
      : `HAProxy does not answer on its admin socket after ${timeoutMs / 1000} s`;
    return `${state}${alert ? `; its log (${logPath}) ends with: ${alert.trim()}` : ""}`;
  }

  /** Waits until HAProxy's checks have the node UP in the reader backend again. */
  async #waitUntilUp(name: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const stat = await this.process.runtime("show stat");
      const row = stat.split("\n").find((l) => l.startsWith(`galera_readers,${name},`));
      if (row?.split(",")[17] === "UP") return;
      await sleep(250);
    }
  }
}

/** The warning for a cluster size that loses fault tolerance, or null. */
export function sizeWarning(count: number): string | null {
  if (count < 3) {
    return `${count} node${count === 1 ? "" : "s"}: fewer than 3 nodes cannot lose one and keep a quorum`;
  }
  if (count % 2 === 0) {
    return `${count} nodes: an even size survives no more failures than ${count - 1} nodes, and can split into two equal halves without quorum`;
  }
  return null;
}
