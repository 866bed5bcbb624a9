// `npm run soak [-- CYCLES]`: a local cluster of its own (127.0.70.2-4, router 127.0.70.1),
// `galera-pilot verify --profile soak` (50 fault cycles unless told otherwise), and
// RELIABILITY.md rewritten from the report. Takes about half an hour on 2 cores.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, rmSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { VerifyReport } from "../src/verify/verify-run.js";
import { clusterUpLine, localUpArgs, waitForOutput } from "./harness/local-runner.js";
import { agentEntry, newStateDir, repoRoot } from "./harness/paths.js";
import { lossesInLogs } from "./harness/primary-losses.js";
import { track } from "./harness/processes.js";
import { resultJsonPath } from "./harness/results-files.js";
import { reliabilityFile, reliabilitySection } from "./reliability-report.js";

const cycles = process.argv[2] ?? "50";
if (!/^[1-9]\d{0,3}$/.test(cycles)) {
  console.error(`soak: the number of cycles must be a whole number, got "${cycles}"`);
  process.exit(2);
}
const stateDir = newStateDir("soak");
const reportPath = resultJsonPath("soak");

const runner = track(
  spawn(process.execPath, localUpArgs(stateDir, "127.0.70.2", "127.0.70.1"), {
    stdio: ["ignore", "pipe", "inherit"],
  }),
);
let output = "";
runner.process.stdout!.on("data", (c: Buffer) => {
  output += c.toString();
  process.stdout.write(c);
});
try {
  await waitForOutput(runner.process, () => output, clusterUpLine, 300_000);
} catch {
  console.error("soak: the local cluster did not come up");
  runner.process.kill("SIGINT");
  process.exit(1);
}
const seed = String(Date.now() % 1_000_000);
// A report left by an earlier run must never be taken for this run's.
rmSync(reportPath, { force: true });
const verify = spawnSync(
  process.execPath,
  [
    agentEntry,
    "verify",
    "--profile",
    "soak",
    "--cycles",
    cycles,
    "--seed",
    seed,
    "--report",
    reportPath,
    "--state-dir",
    stateDir,
  ],
  { stdio: "inherit" },
);
runner.process.kill("SIGINT");
await runner.exited;

if (!existsSync(reportPath)) {
  console.error(`soak: verify wrote no report (exit ${verify.status}); RELIABILITY.md is left as it was`);
  process.exit(verify.status || 1);
}
const report = JSON.parse(readFileSync(reportPath, "utf8")) as VerifyReport;
const commit = spawnSync("git", ["-C", repoRoot, "describe", "--always", "--dirty"], {
  encoding: "utf8",
}).stdout.trim();
// Read from every node's log before the state folder goes.
const losses = lossesInLogs(stateDir, report.nodes);
const file = join(repoRoot, "RELIABILITY.md");
const previous = existsSync(file) ? readFileSync(file, "utf8") : "";
writeFileSync(file, reliabilityFile(reliabilitySection(report, losses, commit), previous));
// Close to 1 GB of datadirs: kept for a look when the run failed.
if (report.verdict === "pass") rmSync(stateDir, { recursive: true, force: true });
spawnSync("npx", ["prettier", "--write", file], { stdio: "ignore" });
console.log(`\nsoak: ${report.verdict}; RELIABILITY.md written`);
process.exit(verify.status ?? 1);
