// RELIABILITY.md as `npm run soak` writes it: the findings of `galera-pilot verify`'s soak
// report, followed by the sections people and other tools wrote below them.
import { lossesOutsideFaults, type PrimaryLoss } from "../src/mysqld/primary-losses.js";
import type { VerifyReport } from "../src/verify/verify-run.js";
import { formatSpread, markdownTable } from "./harness/report.js";
import { spread } from "./harness/statistics.js";

/**
 * The soak run's section, from its report, the losses of the primary component in the nodes'
 * logs, and the commit it ran on ("" when unknown).
 */
export function reliabilitySection(
  report: VerifyReport,
  losses: readonly (PrimaryLoss & { node: string })[],
  commit: string,
): string {
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
  // the soak's load.
  const unexplained = lossesOutsideFaults(losses, report.faults);
  const a = report.appends;
  return `# Reliability

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
}

/**
 * The new RELIABILITY.md: this run's section, then the sections after the previous run's
 * (mutation testing, findings), written by people and other tools and kept as they are, from
 * the first second-level heading on.
 */
export function reliabilityFile(section: string, previous: string): string {
  const kept = previous.indexOf("\n## ");
  return section + (kept >= 0 ? previous.slice(kept) : "");
}
