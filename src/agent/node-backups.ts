// Everything the agent does about backups, in one place: the backups it takes of its node
// when asked (backup-taking.ts), the schedule's slots (backup-schedule-watch.ts), and a new
// cluster restored from a backup (restore-new-cluster.ts). node-agent.ts only sequences:
// it calls these at its start, on each sample, and at its end.
import { statSync } from "node:fs";
import { join } from "node:path";
import type { BackupCandidate } from "../decide/backup-node.js";
import type { Logger } from "../logger.js";
import type { NodeStatusReport } from "../model/node-status.js";
import type { OsUser } from "../mysqld/os-user.js";
import type { AgentOptions } from "../options/agent-options.js";
import type { PeerStatusPoller } from "../peer-api/peer-status-poller.js";
import { serverFacts, setDesync } from "../probe/server-sql.js";
import type { WsrepSample } from "../probe/wsrep-sample.js";
import { folderBytes } from "../system/byte-sizes.js";
import { BackupScheduleWatch } from "./backup-schedule-watch.js";
import { BackupTaking } from "./backup-taking.js";
import { restoreForNewCluster, restorePointForNewCluster } from "./restore-new-cluster.js";
import { runPaths } from "./run-paths.js";

/** A member as the rules of backups and of the binlog archive read its report. */
export type Member = BackupCandidate & Pick<NodeStatusReport, "archive">;

export interface NodeBackupsDeps {
  options: AgentOptions;
  selfAddress: string;
  socket: string;
  latest(): WsrepSample;
  peers: PeerStatusPoller;
  /** This node's own /status report now. */
  self(now: number): Member;
  /** The agent is leaving: no scheduled backup starts. */
  stopping(): boolean;
  /** The node's phase changed (backing-up, and back): the health answers are posted again. */
  changed(): void;
  log: Logger;
}

export class NodeBackups {
  readonly taking: BackupTaking;
  /** The schedule's slots (GALERA_PILOT_BACKUP_SCHEDULE), when there is one. */
  readonly schedule: BackupScheduleWatch | null;
  readonly #deps: NodeBackupsDeps;

  constructor(deps: NodeBackupsDeps) {
    this.#deps = deps;
    const { options, socket, log } = deps;
    this.taking = new BackupTaking({
      nodeName: options.nodeName,
      destinationSpec: options.backupDestination,
      env: process.env,
      runDir: options.runDir,
      configFile: runPaths(options.runDir).config,
      socket,
      cpu: options.backupCpu,
      members: () => this.members(),
      server: { facts: () => serverFacts(socket), setDesync: (on) => setDesync(socket, on) },
      datadirBytes: () => Promise.resolve(backupEstimate(options.datadir)),
      changed: deps.changed,
      log,
    });
    this.schedule =
      options.backupSchedule === null
        ? null
        : new BackupScheduleWatch({
            schedule: options.backupSchedule,
            nodeName: options.nodeName,
            members: () => this.members(),
            backups: this.taking,
            stopping: deps.stopping,
            log,
          });
  }

  get backingUp(): boolean {
    return this.taking.backingUp;
  }

  /** POST /backup and GET /backup (health-server.ts). */
  get http(): {
    request: (allowWriter: boolean) => ReturnType<BackupTaking["request"]>;
    activity: () => unknown;
  } {
    return {
      request: (allowWriter) => this.taking.request(allowWriter),
      activity: () => this.taking.activity(this.schedule?.activity() ?? null),
    };
  }

  /** What /metrics counts. */
  counts(): BackupTaking["counts"] & { slotsMissed: number } {
    return { ...this.taking.counts, slotsMissed: this.schedule?.missedCount ?? 0 };
  }

  /**
   * At the agent's start, once the datadir was read: a backup a killed agent left under way
   * is marked failed (its desync lifted later), and a restore setting over data is said to be
   * ignored.
   */
  started(datadirEmpty: boolean): void {
    const { options, log } = this.#deps;
    if (options.restoreFrom !== null && !datadirEmpty) {
      log.info(
        `GALERA_PILOT_RESTORE_FROM=${options.restoreFrom} is not acted on: the datadir holds data (a backup is restored only to start a new cluster, never over data)`,
      );
    }
    void this.taking.settleLeftover();
  }

  /** A sample of mariadbd came in: a desync a killed agent's backup left is lifted once it answers. */
  sampled(sample: WsrepSample): void {
    if (sample.error === null) this.taking.liftLeftoverDesync();
  }

  /**
   * The recovery driver's hook for GALERA_PILOT_RESTORE_FROM (recovery-driver.ts), or
   * undefined without the setting. `fresh` is read when the hook runs.
   */
  restoreHook(fresh: () => boolean): ((serverUser: OsUser) => Promise<void>) | undefined {
    const { options, log } = this.#deps;
    const { restoreFrom: id, restoreTo: point, backupDestination: destinationSpec } = options;
    if (destinationSpec === null) return undefined;
    if (point !== null) {
      return (serverUser) =>
        restorePointForNewCluster({
          point,
          from: id,
          destinationSpec,
          env: process.env,
          datadir: options.datadir,
          serverUser,
          mysqldPath: options.mysqldPath,
          fresh: fresh(),
          log,
        });
    }
    if (id === null) return undefined;
    return (serverUser) =>
      restoreForNewCluster({
        id,
        destinationSpec,
        env: process.env,
        datadir: options.datadir,
        serverUser,
        fresh: fresh(),
        log,
      });
  }

  /**
   * The members as a backup's rule reads them (decide/backup-node.ts): this node, and each
   * other member of its view by its last report; a member not heard from within three
   * sampling intervals counts as down, never as synced.
   */
  members(now = Date.now()): Member[] {
    const { options, selfAddress, peers } = this.#deps;
    const staleAfterMs = 3 * options.sampleIntervalMs;
    const others = this.#deps
      .latest()
      .incomingAddresses.filter((address) => address !== selfAddress)
      .map((address): Member => {
        const got = peers.get(address);
        if (got && now - got.receivedAt <= staleAfterMs) return got.report;
        return {
          node: address,
          phase: "server-down",
          writer: false,
          syncedSince: null,
          writerEligibleSince: null,
        };
      });
    return [this.#deps.self(now), ...others];
  }
}

/**
 * What a backup of this datadir reads, about: its files but Galera's ring buffer (gcache),
 * which mariabackup does not copy, and the redo log, of which it copies only what is new.
 */
function backupEstimate(datadir: string): number {
  const size = (name: string): number => {
    try {
      return statSync(join(datadir, name)).size;
    } catch {
      return 0;
    }
  };
  return Math.max(0, folderBytes(datadir) - size("galera.cache") - size("ib_logfile0"));
}
