// `npm run soak [-- CYCLES]`: a local cluster of its own (127.0.70.2-4, router 127.0.70.1),
// `galera-pilot verify --profile soak` (50 fault cycles unless told otherwise), and
// RELIABILITY.md rewritten from the report. Takes about half an hour on 2 cores.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { VerifyReport } from "../src/verify/verify-run.js";
import { formatSpread, markdownTable } from "./harness/report.js";
import { spread } from "./harness/statistics.js";
import { lossesOutsideFaults, primaryLosses } from "../src/mysqld/primary-losses.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const cli = join(root, "dist", "src", "cli", "main.js");
const cycles = process.argv[2] ?? "50";
if (!/^[1-9]\d{0,3}$/.test(cycles)) {
  console.error(`soak: the number of cycles must be a whole number, got "${cycles}"`);
  process.exit(2);
}
const stateDir = mkdtempSync(join(tmpdir(), "gp-soak-"));
// mkdtemp makes it 0700; mariadbd runs as mysql and must reach its datadir below.
chmodSync(stateDir, 0o755);
const reportPath = join(root, "bench-results", "soak.json");
mkdirSync(join(root, "bench-results"), { recursive: true });

const runner = spawn(
  process.execPath,
  [
    cli,
    "local",
    "up",
    "--state-dir",
    stateDir,
    "--first-address",
    "127.0.70.2",
    "--router-address",
    "127.0.70.1",
  ],
  { stdio: ["ignore", "pipe", "inherit"] },
);
let output = "";
runner.stdout.on("data", (c: Buffer) => {
  output += c.toString();
  process.stdout.write(c);
});
const deadline = Date.now() + 300_000;
while (!/3 of 3 nodes synced after/.test(output)) {
  if (Date.now() > deadline || runner.exitCode !== null) {
    console.error("soak: the local cluster did not come up");
    runner.kill("SIGINT");
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 500));
}
const seed = String(Date.now() % 1_000_000);
// A report left by an earlier run must never be taken for this run's.
rmSync(reportPath, { force: true });
const verify = spawnSync(
  process.execPath,
  [
    cli,
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
const exited = new Promise((resolve) => runner.once("exit", resolve));
runner.kill("SIGINT");
await exited;

if (!existsSync(reportPath)) {
  console.error(`soak: verify wrote no report (exit ${verify.status}); RELIABILITY.md is left as it was`);
  process.exit(verify.status || 1);
}
const report = JSON.parse(readFileSync(reportPath, "utf8")) as VerifyReport;
const commit = spawnSync("git", ["-C", root, "describe", "--always", "--dirty"], {
  encoding: "utf8",
}).stdout.trim();
const kinds = [...new Set(report.faults.map((f) => f.kind))].sort();
const rows = kinds.map((kind) => {
  const runs = report.faults.filter((f) => f.kind === kind);
  const times = runs.map((f) => f.recoveredAfterMs).filter((t): t is number => t !== null);
  return [
    kind,
    String(runs.length),
    String(runs.length - times.length),
    times.length ? formatSpread(spread(times.map((t) => t / 1000)), 1) : "-",
  ];
});
// Losses of the primary component that no injected fault explains: false suspicions under
// the soak's load. Read from every node's log before the state folder goes.
const losses = report.nodes.flatMap((node) => {
  try {
    return primaryLosses(readFileSync(join(stateDir, node, "agent.log"), "utf8")).map((l) => ({
      ...l,
      node,
    }));
  } catch {
    return [];
  }
});
const unexplained = lossesOutsideFaults(losses, report.faults);
const a = report.appends;
const text = `# Reliability

What \`npm run soak\` found the last time it ran: a local 3-node cluster under two workloads
through HAProxy (unique appends, bank transfers; see [docs/verify.md](docs/verify.md)) while
\`galera-pilot verify\` injected faults one after another, each healed and recovered from
before the next; then every node was read directly and compared.

Reproduce with \`npm run soak\` (\`npm run soak -- 100\` for more cycles). Raw report:
\`bench-results/soak.json\` (not committed).

- **When**: ${report.startedAt}, ${(report.durationMs / 60_000).toFixed(0)} minutes, on commit ${commit || "unknown"}; durability profile \`strict\` (the default); seed ${report.seed}
- **Verdict**: **${report.verdict.toUpperCase()}**${report.problems.length ? `: ${report.problems.join("; ")}` : ": no acknowledged write lost, every node equal at the end"}
- **Fault cycles**: ${report.faults.length} (${report.faults.filter((f) => f.recoveredAfterMs !== null).length} recovered)
- **Appends**: ${a.acknowledged} acknowledged, ${a.indeterminate} indeterminate (${a.indeterminateCommitted} of them committed), ${a.rejected} refused by the server; **lost: ${a.lost}**
- **Bank**: ${report.bank.acknowledged} of ${report.bank.transfers} transfers acknowledged; ${report.bank.reads} reads of the total through the readers, ${report.bank.wrongTotals.length} wrong
- **Primary component**: ${unexplained.length} losses outside the faults' windows (a member logging a non-primary component without being asked to stop, more than 2 s from any fault's start to its recovery: a false suspicion under load)${unexplained.length ? ` — ${unexplained.map((l) => `${l.node} at ${l.at.trim()}`).join(", ")}` : ""}; ${losses.length - unexplained.length} during faults, which cause them

Recovery per fault kind (seconds from the fault's start until 3 of 3 synced with one writer;
median, min–max; a pause or isolation counts its hold time of 3–8 s; a killed node comes back
after the local runner's restart delay, which doubles, as a scheduler's does, when the same
node fails again within a minute — up to 30 s — so the kill rows measure that policy more
than the agents):

${markdownTable(["fault", "cycles", "did not recover", "recovered after s"], rows)}

The same checker fails when it should: a test (\`test/integration/verify/verify.test.ts\`) runs
it on a cluster with the \`seed\` durability profile (the 2015 post's
\`innodb_flush_log_at_trx_commit=0\`) and a kill -9 of every node under load, and asserts that
it reports the lost writes.
`;
// The sections after this run's (mutation testing, findings) are written by people and other
// tools: kept as they are, from the first second-level heading on.
const previous = existsSync(join(root, "RELIABILITY.md"))
  ? readFileSync(join(root, "RELIABILITY.md"), "utf8")
  : "";
const kept = previous.indexOf("\n## ");
writeFileSync(join(root, "RELIABILITY.md"), text + (kept >= 0 ? previous.slice(kept) : ""));
// Close to 1 GB of datadirs: kept for a look when the run failed.
if (report.verdict === "pass") rmSync(stateDir, { recursive: true, force: true });
spawnSync("npx", ["prettier", "--write", join(root, "RELIABILITY.md")], { stdio: "ignore" });
console.log(`\nsoak: ${report.verdict}; RELIABILITY.md written`);
process.exit(verify.status ?? 1);
