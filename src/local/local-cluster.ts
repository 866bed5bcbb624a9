import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, openSync, closeSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { LocalNodeStatus } from "../model/local-node-status.js";
import { archiveLine } from "../decide/archive-summary.js";
import type { NodeStatusReport } from "../model/node-status.js";
import { fetchNodeStatus } from "../peer-api/node-status-client.js";
import { localLayout, type LocalNode } from "./cluster-layout.js";
import { schedulerBackoff, type BackoffPolicy } from "../decide/restart-backoff.js";
import { SupervisedChild } from "../process/supervised-child.js";
import { ensureLocalSecrets, localAppUser, type LocalSecretFiles } from "./local-secrets.js";
import { stopLeftovers } from "./leftovers.js";
import { describeProcesses } from "./state-dir-processes.js";
import { RefusedError } from "../errors.js";

export interface LocalClusterOptions {
  stateDir: string;
  nodeCount: number;
  firstAddress: string;
  healthPort: number;
  /** The CLI entry (dist/src/cli/main.js) the agents run from. */
  agentEntry: string;
  /** Extra environment for every agent, e.g. GALERA_PILOT_DURABILITY. */
  agentEnv?: Record<string, string>;
  /** Extra environment for one node's agent, by node name (wins over agentEnv). */
  nodeEnv?: Record<string, Record<string, string>>;
  log: (line: string) => void;
  /**
   * Nodes started as `seed` instead of `node` (with the peer list in GALERA_PILOT_PEERS), as
   * the 2015 post's layout runs one: tests show a restarted seed joins instead of forking.
   */
  seedNodes?: readonly string[];
  /** The HOST argument of `node`; default: every node's address. Tests pass a DNS name. */
  peerArgument?: string;
  /**
   * The router's side of planned work: take a node out of the pools before it is stopped,
   * and back in once it is synced again after a start. Crashes need no call: the routers'
   * health checks see them.
   */
  router?: {
    beforePlannedStop(name: string): Promise<void>;
    afterSynced(name: string): Promise<void>;
  };
  /** First restart delay after an agent exits; doubles up to maxRestartDelayMs. */
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
  /**
   * Each agent gets an IPC channel from this process and leaves the cluster cleanly when it
   * closes: when this runner dies, even by SIGKILL (src/agent/runner-watch.ts). Default true;
   * false only for tests that need leftovers, as a runner of an older version left them.
   */
  stopWithRunner?: boolean;
}

interface ManagedNode {
  layout: LocalNode;
  /**
   * Its agent, kept running (process/supervised-child.ts); held, so not restarted, when
   * `stop NODE`, `down` or a kill without restart asked for it, until startNode.
   */
  agent: SupervisedChild;
}

/**
 * The local runner: N agents on loopback addresses, supervised like a scheduler would
 * (restart with backoff, by SupervisedChild), with clean stop, kill, start and status. Each
 * agent runs in its own process group so `kill` takes mariadbd and its SST helpers with it.
 */
export class LocalCluster {
  readonly options: LocalClusterOptions;
  #layout: LocalNode[];
  readonly secrets: LocalSecretFiles;
  readonly #nodes = new Map<string, ManagedNode>();
  readonly #nodeEnv = new Map<string, Record<string, string>>();
  #shuttingDown = false;
  /** When an agent that exited is started again. */
  readonly #backoff: BackoffPolicy;

  constructor(options: LocalClusterOptions) {
    this.options = options;
    this.#backoff = {
      ...schedulerBackoff,
      initialMs: options.restartDelayMs ?? schedulerBackoff.initialMs,
      maxMs: options.maxRestartDelayMs ?? schedulerBackoff.maxMs,
    };
    mkdirSync(options.stateDir, { recursive: true, mode: 0o755 });
    this.#layout = localLayout(options);
    this.secrets = ensureLocalSecrets(options.stateDir);
    // Where the local cluster's backups go by default (`galera-pilot backup`, docs/backups.md).
    mkdirSync(localBackupFolder(options.stateDir), { recursive: true, mode: 0o750 });
    for (const layout of this.#layout) this.#manage(layout);
  }

  /** The nodes of the cluster, in order (n1 first). */
  get layout(): readonly LocalNode[] {
    return this.#layout;
  }

  #manage(layout: LocalNode): void {
    mkdirSync(layout.dir, { recursive: true, mode: 0o755 });
    const agent = new SupervisedChild({
      name: `${layout.name}: agent`,
      spawn: () => this.#spawn(layout),
      policy: this.#backoff,
      log: this.options.log,
      // The agent stops its mariadbd with timeouts of its own (a drain, a joiner's transfer):
      // SIGTERM, then as long as it takes.
      stopTimeoutMs: null,
      processGroup: true,
      restartLine: (_exit, waitMs) => `${layout.name}: restarting in ${waitMs / 1000} s`,
      mayRestart: () => !this.#shuttingDown,
      onExit: (exit) => {
        rmSync(join(layout.dir, "agent.pid"), { force: true });
        this.options.log(`${layout.name}: agent exited (${exit.signal ?? `status ${exit.exitCode}`})`);
      },
    });
    this.#nodes.set(layout.name, { layout, agent });
  }

  /**
   * Grows or shrinks the cluster to `count` nodes, as a scheduler scales an app. New nodes
   * join (they enter the routers' pools when their /ready says so); removed nodes, the last
   * ones first, drain and leave cleanly, so the quorum forgets them. Calls onMembership
   * with the new layout before starting nodes and after removing them, so the router
   * knows the nodes it may route to.
   */
  async scale(
    count: number,
    onMembership: (layout: readonly LocalNode[], added: readonly string[]) => Promise<void>,
  ): Promise<void> {
    if (!Number.isInteger(count) || count < 1 || count > 9) {
      throw new Error(`the local cluster runs 1 to 9 nodes, not ${count}`);
    }
    const current = this.#layout.length;
    if (count > current) {
      const grown = localLayout({ ...this.options, nodeCount: count });
      for (const layout of grown.slice(current)) this.#manage(layout);
      this.#layout = grown;
      const added = grown.slice(current).map((l) => l.name);
      await onMembership(this.#layout, added);
      for (const name of added) {
        this.#node(name).agent.start();
        void this.#returnToRouterWhenSynced(name);
      }
      return;
    }
    for (const layout of [...this.#layout.slice(count)].reverse()) {
      await this.stopNode(layout.name);
      this.#nodes.delete(layout.name);
    }
    this.#layout = this.#layout.slice(0, count);
    await onMembership(this.#layout, []);
  }

  /**
   * Restarts every node, one at a time: drain and leave, start, wait until it is synced and
   * ready again with the full cluster, then the next. Clients of the router see no error.
   */
  async restartRolling(timeoutPerNodeMs = 300_000, say: (line: string) => void = () => {}): Promise<void> {
    const size = this.#layout.length;
    for (const layout of this.#layout) {
      say(`${layout.name}: draining and leaving`);
      await this.stopNode(layout.name);
      this.startNode(layout.name);
      await this.waitFor(
        (nodes) => nodes.every((n) => n.phase === "synced" && n.clusterSize === size),
        timeoutPerNodeMs,
        `${layout.name} back and ${size} of ${size} synced`,
      );
      say(`${layout.name}: back, ${size} of ${size} synced`);
    }
  }

  #node(name: string): ManagedNode {
    const node = this.#nodes.get(name);
    if (!node) {
      throw new Error(
        `no node named "${name}" in the local cluster; nodes: ${[...this.#nodes.keys()].join(", ")}`,
      );
    }
    return node;
  }

  /**
   * Starts every node as `node` with the full peer list. The agents decide among themselves
   * (docs/recovery.md): a brand-new cluster, a rejoin, Galera's pc.recovery after a crash of all, or a
   * bootstrap from the newest node after a clean stop of all.
   */
  async up(): Promise<void> {
    const stuck = await stopLeftovers(this.options.stateDir, {
      kinds: ["agent", "mariadbd"],
      log: this.options.log,
    });
    if (stuck.length > 0) {
      throw new RefusedError(
        `processes of this state folder left by an earlier runner did not stop after SIGTERM: ${describeProcesses(stuck)}; none was killed and no node was started, so no data is at risk; see their agent.log, stop them (kill PID), then start again`,
      );
    }
    for (const node of this.#nodes.values()) {
      if (!node.agent.held) node.agent.start();
    }
  }

  /** After down(): let crashed agents be restarted again (tests reuse one runner). */
  resume(): void {
    this.#shuttingDown = false;
  }

  /** Replaces one node's extra environment; it applies from the agent's next start. */
  setNodeEnv(name: string, env: Record<string, string>): void {
    this.#node(name);
    this.#nodeEnv.set(name, env);
  }

  /** Starts a node that was stopped (as `node`: it joins the running cluster). */
  startNode(name: string): void {
    this.#node(name).agent.start();
    void this.#returnToRouterWhenSynced(name);
  }

  /** Puts a started node back into the router's pools once it is synced (its checks then decide). */
  async #returnToRouterWhenSynced(name: string): Promise<void> {
    const router = this.options.router;
    if (!router) return;
    try {
      await this.waitFor(
        (s) => s.find((n) => n.name === name)?.phase === "synced",
        600_000,
        `${name} synced`,
      );
      await router.afterSynced(name);
    } catch {
      // Not synced in time, or stopped again: the node stays out of the pools until its next start.
    }
  }

  /** Stops a node cleanly (it leaves the cluster) and keeps it stopped until startNode. */
  async stopNode(name: string): Promise<void> {
    const { agent } = this.#node(name);
    agent.hold();
    if (!agent.child) return;
    await this.options.router?.beforePlannedStop(name).catch(() => undefined);
    await agent.stop();
  }

  /**
   * SIGKILL of the node's whole process group (agent, mariadbd, SST helpers): a crash. It is
   * restarted, unless `restart: false` keeps it down (as a lost host would stay down).
   */
  async killNode(name: string, { restart = true }: { restart?: boolean } = {}): Promise<void> {
    await this.#node(name).agent.kill({ restart });
  }

  /** Stops every node cleanly, one by one, the first node last (so it is safe to bootstrap from). */
  async down(): Promise<void> {
    this.#shuttingDown = true;
    for (const node of this.#nodes.values()) node.agent.hold();
    for (const node of [...this.#nodes.values()].reverse()) await this.stopNode(node.layout.name);
  }

  /**
   * Every node's status, from each agent's /status (the agents elect the single writer).
   */
  async status(): Promise<LocalNodeStatus[]> {
    return Promise.all(
      this.#layout.map(async (layout) => {
        const node = this.#node(layout.name);
        const report: NodeStatusReport | null = node.agent.child
          ? await fetchNodeStatus(layout.healthUrl)
          : null;
        const phase =
          report?.phase ?? (node.agent.child ? "agent-starting" : node.agent.held ? "stopped" : "restarting");
        return {
          name: layout.name,
          address: layout.address,
          healthUrl: layout.healthUrl,
          socket: layout.socket,
          pid: report?.pid ?? null,
          phase,
          state: report?.state ?? null,
          clusterStatus: report?.clusterStatus ?? null,
          clusterSize: report?.clusterSize ?? null,
          seqno: report?.seqno ?? null,
          writer: report?.writer ?? false,
          agentPid: node.agent.pid,
          restarts: node.agent.restarts,
          lastDecision: report?.lastDecision
            ? `${report.lastDecision.action}: ${report.lastDecision.reason}`
            : null,
          archive: archiveLine(report?.archive),
        };
      }),
    );
  }

  /** Polls status until the predicate holds; throws after timeoutMs naming what it waited for. */
  async waitFor(
    predicate: (s: LocalNodeStatus[]) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<LocalNodeStatus[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await this.status();
      if (predicate(status)) return status;
      if (Date.now() > deadline) {
        throw new Error(
          `timed out after ${timeoutMs / 1000} s waiting for ${what}; phases: ${status.map((n) => `${n.name}=${n.phase}`).join(", ")}`,
        );
      }
      await sleep(250);
    }
  }

  /** Environment of an agent: its settings and the secrets as _FILE paths (never values). */
  agentEnv(layout: LocalNode): NodeJS.ProcessEnv {
    return {
      PATH: process.env["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin",
      MYSQL_ROOT_PASSWORD_FILE: this.secrets.rootPassword,
      XTRABACKUP_PASSWORD_FILE: this.secrets.sstPassword,
      MYSQL_USER: localAppUser,
      MYSQL_PASSWORD_FILE: this.secrets.appPassword,
      GALERA_PILOT_CLUSTER_SECRET_FILE: this.secrets.clusterSecret,
      GALERA_PILOT_NAME: layout.name,
      GALERA_PILOT_ADDRESS: layout.address,
      GALERA_PILOT_HEALTH_ADDRESS: layout.address,
      GALERA_PILOT_HEALTH_PORT: String(this.options.healthPort),
      GALERA_PILOT_DATADIR: layout.datadir,
      GALERA_PILOT_RUN_DIR: layout.runDir,
      GALERA_PILOT_CLUSTER_NAME: "local",
      GALERA_PILOT_BACKUP_DESTINATION: localBackupFolder(this.options.stateDir),
      ...this.options.agentEnv,
      ...this.options.nodeEnv?.[layout.name],
      ...this.#nodeEnv.get(layout.name),
    };
  }

  /** One run of a node's agent. */
  #spawn(layout: LocalNode): ChildProcess {
    const peers = this.options.peerArgument ?? this.#layout.map((n) => n.address).join(",");
    const seed = this.options.seedNodes?.includes(layout.name) ?? false;
    const args = seed ? [this.options.agentEntry, "seed"] : [this.options.agentEntry, "node", peers];
    const logFd = openSync(layout.agentLog, "a");
    const agent = spawn(process.execPath, args, {
      env: { ...this.agentEnv(layout), ...(seed ? { GALERA_PILOT_PEERS: peers } : {}) },
      // The IPC channel (fd 3) is the agent's lifeline: see stopWithRunner.
      stdio: ["ignore", logFd, logFd, ...(this.options.stopWithRunner === false ? [] : ["ipc" as const])],
      detached: true,
    });
    closeSync(logFd);
    // The channel must not keep this process alive by itself; nothing is ever sent on it.
    agent.channel?.unref();
    try {
      if (agent.pid) writeFileSync(join(layout.dir, "agent.pid"), `${agent.pid}\n`);
    } catch (error) {
      // For people looking for the agent; leftovers are found by proof, not by this file
      // (state-dir-processes.ts). Not worth losing the runner over (a full disk made this
      // throw once, from a timer, and ended the whole runner).
      this.options.log(
        `${layout.name}: could not write agent.pid (${(error as Error).message}); the node runs anyway`,
      );
    }
    this.options.log(
      `${layout.name}: agent started${seed ? " as seed" : ""} (pid ${agent.pid ?? "?"}), log ${layout.agentLog}`,
    );
    return agent;
  }
}

/** The local cluster's backup folder: STATE/backups. */
export function localBackupFolder(stateDir: string): string {
  return join(stateDir, "backups");
}
