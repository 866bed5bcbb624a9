import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ArchiveReport, NodeStatusReport } from "../../../src/model/node-status.js";
import type { HealthAnswers } from "../../../src/health/health-policy.js";
import { AgentMetrics, type BackupMetrics } from "../../../src/http/metrics.js";
import { unreachableSample } from "../../../src/probe/wsrep-sample.js";

const noBackups: BackupMetrics = { running: false, lastCompleteAtMs: null, failures: 0, slotsMissed: 0 };

function metrics(
  phase: string,
  backups: () => BackupMetrics = () => noBackups,
  archive: () => ArchiveReport | undefined = () => undefined,
): AgentMetrics {
  return new AgentMetrics({
    status: () => ({ phase, sampleAgeMs: 250, archive: archive() }) as unknown as NodeStatusReport,
    sample: () => unreachableSample(0, "ENOENT"),
    answers: () => ({ ready: 503, writer: 503 }) as unknown as HealthAnswers,
    backups,
  });
}

const line = (text: string, name: string): string | undefined =>
  text.split("\n").find((l) => l.startsWith(name));

void describe("AgentMetrics: prom-client loaded at the first scrape", () => {
  void it("counts the decisions taken before the first scrape, and after it", async () => {
    const m = metrics("waiting");
    m.countDecision("wait");
    m.countDecision("wait");
    m.countDecision("await-pc-recovery");
    const first = await m.text();
    assert.equal(
      line(first, 'galera_pilot_decisions_total{action="wait"}'),
      'galera_pilot_decisions_total{action="wait"} 2',
    );
    assert.equal(
      line(first, 'galera_pilot_decisions_total{action="await-pc-recovery"}'),
      'galera_pilot_decisions_total{action="await-pc-recovery"} 1',
    );
    m.countDecision("wait");
    const second = await m.text();
    assert.equal(
      line(second, 'galera_pilot_decisions_total{action="wait"}'),
      'galera_pilot_decisions_total{action="wait"} 3',
    );
  });

  void it("fills the gauges from the source at scrape time", async () => {
    const text = await metrics("waiting").text();
    assert.equal(line(text, 'galera_pilot_phase{phase="waiting"}'), 'galera_pilot_phase{phase="waiting"} 1');
    assert.equal(line(text, 'galera_pilot_phase{phase="synced"}'), 'galera_pilot_phase{phase="synced"} 0');
    assert.equal(line(text, "galera_pilot_sample_ok "), "galera_pilot_sample_ok 0");
    assert.equal(line(text, "galera_pilot_sample_age_seconds "), "galera_pilot_sample_age_seconds 0.25");
    assert.equal(line(text, "galera_pilot_decisions_total{"), undefined);
  });

  void it("says whether a backup runs, when the last one completed, and counts failures and missed slots", async () => {
    let backups = noBackups;
    const m = metrics("synced", () => backups);
    const before = await m.text();
    assert.equal(line(before, "galera_pilot_backup_running "), "galera_pilot_backup_running 0");
    assert.equal(
      line(before, "galera_pilot_backup_last_complete_timestamp_seconds "),
      "galera_pilot_backup_last_complete_timestamp_seconds 0",
    );
    assert.equal(line(before, "galera_pilot_backup_failures_total "), "galera_pilot_backup_failures_total 0");
    assert.equal(
      line(before, "galera_pilot_backup_slots_missed_total "),
      "galera_pilot_backup_slots_missed_total 0",
    );
    backups = {
      running: true,
      lastCompleteAtMs: Date.parse("2026-12-07T02:00:41.500Z"),
      failures: 2,
      slotsMissed: 3,
    };
    const after = await m.text();
    assert.equal(line(after, "galera_pilot_backup_running "), "galera_pilot_backup_running 1");
    assert.equal(
      line(after, "galera_pilot_backup_last_complete_timestamp_seconds "),
      "galera_pilot_backup_last_complete_timestamp_seconds 1796608841.5",
    );
    assert.equal(line(after, "galera_pilot_backup_failures_total "), "galera_pilot_backup_failures_total 2");
    assert.equal(
      line(after, "galera_pilot_backup_slots_missed_total "),
      "galera_pilot_backup_slots_missed_total 3",
    );
  });

  void it("says whether this agent archives the binlog, its lag, when it last stored, its gaps and failure", async () => {
    let archive: ArchiveReport = {
      able: true,
      archiving: false,
      reason: "archiving the binlog on n3: …",
      archivedSeqno: null,
      waitingTransactions: 0,
      waitingMs: 0,
      lastStoredAt: null,
      segmentsStored: 0,
      gaps: [],
      failure: null,
    };
    const m = metrics(
      "synced",
      () => noBackups,
      () => archive,
    );
    const idle = await m.text();
    assert.equal(line(idle, "galera_pilot_archive_archiving "), "galera_pilot_archive_archiving 0");
    assert.equal(
      line(idle, "galera_pilot_archive_last_stored_timestamp_seconds "),
      "galera_pilot_archive_last_stored_timestamp_seconds 0",
    );
    assert.equal(line(idle, "galera_pilot_archive_failing "), "galera_pilot_archive_failing 0");
    archive = {
      ...archive,
      archiving: true,
      archivedSeqno: 4211,
      waitingTransactions: 12,
      waitingMs: 230,
      lastStoredAt: "2026-12-07T02:00:41.500Z",
      segmentsStored: 7,
      gaps: [{ first: 5, last: 9 }],
      failure: "storing archive segment … failed: ENOSPC",
    };
    const busy = await m.text();
    assert.equal(line(busy, "galera_pilot_archive_archiving "), "galera_pilot_archive_archiving 1");
    assert.equal(line(busy, "galera_pilot_archive_lag_seconds "), "galera_pilot_archive_lag_seconds 0.23");
    assert.equal(
      line(busy, "galera_pilot_archive_waiting_transactions "),
      "galera_pilot_archive_waiting_transactions 12",
    );
    assert.equal(
      line(busy, "galera_pilot_archive_last_stored_timestamp_seconds "),
      "galera_pilot_archive_last_stored_timestamp_seconds 1796608841.5",
    );
    assert.equal(line(busy, "galera_pilot_archive_gaps "), "galera_pilot_archive_gaps 1");
    assert.equal(line(busy, "galera_pilot_archive_failing "), "galera_pilot_archive_failing 1");
  });
});
