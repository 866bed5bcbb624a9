import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { NodeStatusReport } from "../../../src/model/node-status.js";
import type { HealthAnswers } from "../../../src/health/health-policy.js";
import { AgentMetrics } from "../../../src/http/metrics.js";
import { unreachableSample } from "../../../src/probe/wsrep-sample.js";

function metrics(phase: string): AgentMetrics {
  return new AgentMetrics({
    status: () => ({ phase, sampleAgeMs: 250 }) as unknown as NodeStatusReport,
    sample: () => unreachableSample(0, "ENOENT"),
    answers: () => ({ ready: 503, writer: 503 }) as unknown as HealthAnswers,
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
});
