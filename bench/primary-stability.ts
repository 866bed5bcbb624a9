// Issue F's stability benchmark: how often a running member loses its primary component
// (a non-primary view) in normal operation on this 2-core machine, with our evs timings and
// with the short LAN timeouts they replaced, side by side in one run. Normal operation: a cluster's first start
// (a bootstrap and two joins by SST), then writes while one node restarts cleanly and
// rejoins by IST. No fault is injected: every loss is a false suspicion.
import { setTimeout as sleep } from "node:timers/promises";
import { failoverProviderOptions } from "../src/mysqld/server-config.js";
import type { PrimaryLoss } from "../src/mysqld/primary-losses.js";
import type { BenchmarkOutput } from "./harness/benchmark.js";
import {
  allSynced,
  electedWriter,
  localRunnerAgentEnv,
  providerOptionsEnv,
  withBenchCluster,
} from "./harness/bench-cluster.js";
import type { Machine } from "./harness/machine.js";
import { lossesInLogs } from "./harness/primary-losses.js";
import { progress } from "./harness/progress.js";
import { markdownTable, measuredOn, reproduceWith } from "./harness/report.js";
import { countFromEnv, reproduceCommand, rotated } from "./harness/rounds.js";
import { sqlOn } from "./harness/sql.js";

const startsEnv = "GALERA_PILOT_BENCH_STARTS";
const defaultStarts = 6;
const firstAddress = "127.0.64.2";

/** The short timeouts of our defaults until 2026-12 (suspect 1 s), with today's periods. */
export const formerLanTimeouts: Readonly<Record<string, string>> = {
  "evs.suspect_timeout": "PT1S",
  "evs.inactive_timeout": "PT3S",
  "evs.install_timeout": "PT3S",
};

type Side = "ours" | "former";
const sides: Record<Side, { label: string; options: Readonly<Record<string, string>> | null }> = {
  ours: { label: "our timings (the default)", options: null },
  former: { label: "the former LAN timeouts", options: formerLanTimeouts },
};

export interface StabilityRun {
  side: Side;
  start: number;
  /** Losses from the first start until 3 of 3 synced. */
  startLosses: PrimaryLoss[];
  /** Losses while writes ran and one node restarted and rejoined. */
  rejoinLosses: PrimaryLoss[];
  startSeconds: number;
}

/** Every node's losses so far, each at "NODE TIME". */
function lossesOf(stateDir: string): PrimaryLoss[] {
  return lossesInLogs(stateDir, ["n1", "n2", "n3"]).map(({ node, ...l }) => ({
    ...l,
    at: `${node} ${l.at}`,
  }));
}

async function runOnce(side: Side, start: number): Promise<StabilityRun> {
  const options = sides[side].options;
  const began = Date.now();
  return withBenchCluster(
    `stability-${side}`,
    firstAddress,
    options ? { ...localRunnerAgentEnv, ...providerOptionsEnv(options) } : localRunnerAgentEnv,
    async (b) => {
      const startSeconds = (Date.now() - began) / 1000;
      const startLosses = lossesOf(b.stateDir);
      const writer = await electedWriter(b.cluster);
      const socket = b.cluster.layout.find((n) => n.name === writer)!.socket;
      await sqlOn(
        socket,
        "CREATE DATABASE IF NOT EXISTS gp_bench",
        "CREATE TABLE IF NOT EXISTS gp_bench.stability (id BIGINT AUTO_INCREMENT PRIMARY KEY, pad VARCHAR(200))",
      );
      let writing = true;
      const writes = (async () => {
        while (writing) {
          await sqlOn(socket, "INSERT INTO gp_bench.stability (pad) VALUES (REPEAT('x', 200))").catch(
            () => undefined,
          );
          await sleep(5);
        }
      })();
      const other = b.cluster.layout.find((n) => n.name !== writer)!.name;
      await sleep(2000);
      await b.cluster.stopNode(other);
      b.cluster.startNode(other);
      await b.cluster.waitFor(allSynced, 300_000, `${other} rejoined, 3 of 3 synced`);
      await sleep(2000);
      writing = false;
      await writes;
      const rejoinLosses = lossesOf(b.stateDir).slice(startLosses.length);
      return { side, start, startLosses, rejoinLosses, startSeconds };
    },
  );
}

export interface PrimaryStabilityResult {
  starts: number;
  runs: StabilityRun[];
}

/** Each side's cluster started `starts` times, the side going first alternating. */
export async function benchPrimaryStability(): Promise<PrimaryStabilityResult> {
  const starts = countFromEnv(startsEnv, defaultStarts);
  const runs: StabilityRun[] = [];
  for (let start = 1; start <= starts; start++) {
    for (const side of rotated(["ours", "former"] as const, start - 1)) {
      const run = await runOnce(side, start);
      runs.push(run);
      progress(
        `start ${start}/${starts} ${side}: ${run.startLosses.length} losses of the primary component while starting, ${run.rejoinLosses.length} while a node rejoined`,
      );
    }
  }
  return { starts, runs };
}

export async function primaryStabilityBenchmark(m: Machine): Promise<BenchmarkOutput> {
  return renderPrimaryStability(await benchPrimaryStability(), m);
}

/** The section, summary and JSON of a run's measurements; its JSON holds no date, so the section says when it was written. */
export function renderPrimaryStability(
  { starts, runs }: PrimaryStabilityResult,
  m: Machine,
  date = new Date(),
): BenchmarkOutput {
  const total = (side: Side, key: "startLosses" | "rejoinLosses") =>
    runs.filter((r) => r.side === side).reduce((sum, r) => sum + r[key].length, 0);
  const withLoss = (side: Side) =>
    runs.filter((r) => r.side === side && r.startLosses.length + r.rejoinLosses.length > 0).length;
  const summaryTable = markdownTable(
    ["", sides.ours.label, sides.former.label],
    [
      ["cluster starts (bootstrap + 2 joins by SST)", String(starts), String(starts)],
      [
        "losses of the primary component while starting",
        String(total("ours", "startLosses")),
        String(total("former", "startLosses")),
      ],
      [
        "losses while a node restarted and rejoined (IST) under writes",
        String(total("ours", "rejoinLosses")),
        String(total("former", "rejoinLosses")),
      ],
      ["runs with any loss", `${withLoss("ours")} of ${starts}`, `${withLoss("former")} of ${starts}`],
    ],
  );
  const runsTable = markdownTable(
    ["start", "side", "seconds to 3 of 3 synced", "losses while starting", "losses while rejoining"],
    runs.map((r) => [
      String(r.start),
      r.side,
      r.startSeconds.toFixed(1),
      r.startLosses.map((l) => `${l.at} (${l.members} left)`).join("; ") || "0",
      r.rejoinLosses.map((l) => `${l.at} (${l.members} left)`).join("; ") || "0",
    ]),
  );
  const goal = {
    goal: "no loss of the primary component in normal operation (our timings)",
    met: withLoss("ours") === 0,
    detail: `${total("ours", "startLosses") + total("ours", "rejoinLosses")} losses in ${starts} runs`,
  };
  const command = reproduceCommand("primary-stability", [{ env: startsEnv, value: starts }]);
  const evs = Object.keys(formerLanTimeouts)
    .map(
      (k) =>
        `\`${k}\` ${failoverProviderOptions[k as keyof typeof failoverProviderOptions]} vs ${formerLanTimeouts[k]}`,
    )
    .join(", ");
  const section = `## Primary component in normal operation (issue F)

${measuredOn(date.toISOString(), m)}.
${reproduceWith(command)}

A fresh 3-node cluster of the local runner (127.0.64.2–4) is started ${starts} times with each
side's evs timeouts (ours vs the former: ${evs}; the same periods), alternating which side goes first: a bootstrap
and two joins by SST, then writes on the writer while another node stops cleanly, starts
again and rejoins by IST. No fault is injected. A loss is a member that was in a primary
component logging a non-primary one without being asked to stop (Galera's \`New COMPONENT:
primary = no\` in its log): writes stall on it until a new primary forms.

${summaryTable}

${runsTable}

Goal: ${goal.goal}: **${goal.met ? "met" : "not met"}**, ${goal.detail}.
`;
  return {
    summary: [summaryTable, runsTable, `${goal.met ? "met" : "NOT MET"}: ${goal.goal} (${goal.detail})`].join(
      "\n\n",
    ),
    section,
    json: { machine: m, starts, runs, goals: [goal] },
  };
}
