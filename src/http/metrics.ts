import type { Registry } from "prom-client";
import type { NodeStatusReport } from "../model/node-status.js";
import { phases } from "../model/phase.js";
import type { WsrepSample } from "../probe/wsrep-sample.js";
import type { HealthAnswers } from "../health/health-policy.js";

export interface MetricsSource {
  status(): NodeStatusReport;
  sample(): WsrepSample;
  answers(): HealthAnswers;
  backups(): BackupMetrics;
}

/** The backups of this agent, since it started (agent/backup-taking.ts, backup-schedule-watch.ts). */
export interface BackupMetrics {
  running: boolean;
  /** When the last backup this agent took completed (ms since the epoch), or null: none yet. */
  lastCompleteAtMs: number | null;
  /** Backups this agent took that failed, and scheduled slots it claimed but could not start. */
  failures: number;
  /** Scheduled slots this agent reported missed. */
  slotsMissed: number;
}

/**
 * Prometheus metrics (prom-client), filled from the last sample at scrape time: a scrape
 * costs no SQL. Names follow Prometheus conventions: galera_pilot_*, base units.
 * prom-client is loaded at the first scrape, not at the agent's start (about 0.1 s of CPU
 * that a recovering node spends better on its peers); decisions are counted until then.
 */
export class AgentMetrics {
  readonly #source: MetricsSource;
  readonly #decisions = new Map<string, number>();
  #registry: Promise<Registry> | null = null;

  constructor(source: MetricsSource) {
    this.#source = source;
  }

  countDecision(action: string): void {
    this.#decisions.set(action, (this.#decisions.get(action) ?? 0) + 1);
  }

  async text(): Promise<string> {
    this.#registry ??= this.#build();
    return (await this.#registry).metrics();
  }

  async #build(): Promise<Registry> {
    const { Counter, Gauge, Registry } = (await import("prom-client")).default;
    const source = this.#source;
    const decisions = this.#decisions;
    const r = new Registry();
    const gauge = (name: string, help: string, read: () => number | null, labelNames: string[] = []) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers: [r],
        collect() {
          const v = read();
          if (v !== null) this.set(v);
        },
      });
    gauge(
      "galera_pilot_wsrep_local_state",
      "wsrep_local_state: 1 Joining, 2 Donor/Desynced, 3 Joined, 4 Synced",
      () => source.sample().localState,
    );
    gauge(
      "galera_pilot_wsrep_cluster_size",
      "wsrep_cluster_size: members of the component this node is in",
      () => source.sample().clusterSize,
    );
    gauge("galera_pilot_wsrep_cluster_primary", "1 when wsrep_cluster_status is Primary", () =>
      source.sample().clusterStatus === null ? null : source.sample().clusterStatus === "Primary" ? 1 : 0,
    );
    gauge("galera_pilot_wsrep_ready", "1 when wsrep_ready is ON", () => {
      const ready = source.sample().ready;
      return ready === null ? null : ready ? 1 : 0;
    });
    gauge(
      "galera_pilot_wsrep_last_committed",
      "wsrep_last_committed (seqno)",
      () => source.sample().lastCommitted,
    );
    gauge(
      "galera_pilot_wsrep_flow_control_paused_ratio",
      "wsrep_flow_control_paused: fraction of time paused by flow control",
      () => source.sample().flowControlPaused,
    );
    gauge(
      "galera_pilot_wsrep_local_recv_queue",
      "wsrep_local_recv_queue: write-sets waiting to be applied",
      () => source.sample().localRecvQueue,
    );
    gauge(
      "galera_pilot_sample_age_seconds",
      "age of the state the answers come from",
      () => source.status().sampleAgeMs / 1000,
    );
    gauge("galera_pilot_sample_ok", "1 when the last sample reached mariadbd", () =>
      source.sample().error === null ? 1 : 0,
    );
    gauge("galera_pilot_writer", "1 when this node is the cluster's single writer", () =>
      source.answers().writer === 200 ? 1 : 0,
    );
    gauge("galera_pilot_ready", "1 when /ready answers 200", () => (source.answers().ready === 200 ? 1 : 0));
    new Gauge({
      name: "galera_pilot_phase",
      help: "1 for the agent's current phase, 0 for the others",
      labelNames: ["phase"],
      registers: [r],
      collect() {
        const current = source.status().phase;
        for (const phase of phases) this.set({ phase }, phase === current ? 1 : 0);
      },
    });
    gauge("galera_pilot_backup_running", "1 while this agent takes a backup of its node", () =>
      source.backups().running ? 1 : 0,
    );
    gauge(
      "galera_pilot_backup_last_complete_timestamp_seconds",
      "when the last backup this agent took completed (unix time), of those since it started; 0: none yet",
      () => (source.backups().lastCompleteAtMs ?? 0) / 1000,
    );
    // The binlog archive (docs/point-in-time.md): read from the agent's own /status report.
    const archive = () => source.status().archive;
    gauge("galera_pilot_archive_archiving", "1 while this agent archives the cluster's binlog", () =>
      archive() === undefined ? null : archive()!.archiving ? 1 : 0,
    );
    gauge(
      "galera_pilot_archive_lag_seconds",
      "how long the oldest transaction read from the binlog has waited to be stored (0: none waits), while archiving",
      () => (archive()?.archiving ? archive()!.waitingMs / 1000 : null),
    );
    gauge(
      "galera_pilot_archive_waiting_transactions",
      "transactions read from the binlog and not stored yet, while archiving",
      () => (archive()?.archiving ? archive()!.waitingTransactions : null),
    );
    gauge(
      "galera_pilot_archive_last_stored_timestamp_seconds",
      "when this agent last stored an archive segment (unix time); 0: never since it started",
      () =>
        archive()?.lastStoredAt
          ? Date.parse(archive()!.lastStoredAt!) / 1000
          : archive() === undefined
            ? null
            : 0,
    );
    gauge(
      "galera_pilot_archive_gaps",
      "gaps this agent's archiver found since it started: transactions no binlog of its node held any more",
      () => archive()?.gaps.length ?? null,
    );
    gauge(
      "galera_pilot_archive_failing",
      "1 while this agent's archiver fails to store or read (see /status)",
      () => (archive() === undefined ? null : archive()!.failure === null ? 0 : 1),
    );
    const counter = (name: string, help: string, read: () => number) =>
      new Counter({
        name,
        help,
        registers: [r],
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    counter(
      "galera_pilot_backup_failures_total",
      "backups this agent took that failed, and scheduled slots it claimed but could not start",
      () => source.backups().failures,
    );
    counter(
      "galera_pilot_backup_slots_missed_total",
      "scheduled backup slots that no agent took within their grace, as this agent saw them",
      () => source.backups().slotsMissed,
    );
    new Counter({
      name: "galera_pilot_decisions_total",
      help: "decisions taken by the agent, by action",
      labelNames: ["action"],
      registers: [r],
      collect() {
        this.reset();
        for (const [action, count] of decisions) this.inc({ action }, count);
      },
    });
    return r;
  }
}
