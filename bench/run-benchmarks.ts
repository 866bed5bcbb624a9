// `npm run bench [-- NAME…]`: runs the registered benchmarks (all, or those named), prints
// each one's summary, writes bench-results/NAME.json and rewrites NAME's section of
// BENCHMARKS.md between its markers. Performance claims of this project come only from here.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { benchHealthEndpoint, type HealthBenchResult, type LoadRun } from "./health-endpoint.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

export interface Machine {
  cores: number;
  cpuModel: string;
  node: string;
  mariadb: string;
}

export interface BenchmarkOutput {
  /** Printed to the terminal. */
  summary: string;
  /** BENCHMARKS.md's section for this benchmark, markdown, without the markers. */
  section: string;
  /** Written to bench-results/NAME.json. */
  json: unknown;
}

/** Add a benchmark here: its name selects it on the command line and names its outputs. */
const benchmarks: Record<string, (machine: Machine) => Promise<BenchmarkOutput>> = {
  "health-endpoint": healthEndpoint,
};

function machine(): Machine {
  const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1];
  const mariadbd = spawnSync("/usr/sbin/mariadbd", ["--version"], { encoding: "utf8" });
  return {
    cores: availableParallelism(),
    cpuModel: model ?? cpus()[0]?.model ?? "unknown",
    node: process.version,
    mariadb: /Ver\s+(\S+)/.exec(mariadbd.stdout ?? "")?.[1] ?? "unknown",
  };
}

/**
 * A markdown table padded as prettier pads one, so BENCHMARKS.md stays as prettier writes
 * it. Cells must not contain "|".
 */
export function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** Replaces NAME's section between its markers, or appends markers and section. */
function writeSection(name: string, section: string): void {
  const file = join(root, "BENCHMARKS.md");
  const begin = `<!-- bench:${name}:begin -->`;
  const end = `<!-- bench:${name}:end -->`;
  const text = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
  const block = `${begin}\n\n${section.trim()}\n\n${end}`;
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  const next =
    from >= 0 && to > from
      ? text.slice(0, from) + block + text.slice(to + end.length)
      : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
}

const ms = (n: number): string => n.toFixed(3);
const rps = (n: number): string => Math.round(n).toString();
const mib = (kib: number): string => (kib / 1024).toFixed(1);

async function healthEndpoint(m: Machine): Promise<BenchmarkOutput> {
  const r: HealthBenchResult = await benchHealthEndpoint();
  const bare = r.runs.bare.requestsPerSec;
  const pct = (n: number): string => `${((n / bare) * 100).toFixed(1)} %`;
  const perRequest = (c: { statements: number; requests: number; perRequest: number }): string =>
    `${c.perRequest.toPrecision(2)} (${c.statements} / ${c.requests})`;
  const cpu = (run: LoadRun): string => {
    const c = run.cpuUsPerRequest;
    if (!c) return "";
    // mariadbd's share only matters where requests reach it; elsewhere it is background noise.
    return c.mariadbd >= 1
      ? `${c.server.toFixed(1)} + ${c.mariadbd.toFixed(1)} mariadbd`
      : c.server.toFixed(1);
  };
  const row = (run: LoadRun, sql: string): string[] => [
    run.target,
    rps(run.requestsPerSec),
    ms(run.p50Ms),
    ms(run.p99Ms),
    pct(run.requestsPerSec),
    sql,
    cpu(run),
  ];
  const table = markdownTable(
    [
      "target",
      "requests/s",
      "p50 ms",
      "p99 ms",
      "% of bare",
      "SQL statements per request",
      "CPU µs per request",
    ],
    [
      row({ ...r.runs.bare, target: "bare node:http (ceiling)" }, "0 (no database)"),
      row(r.runs.agent1, perRequest(r.statements.agent1)),
      row(r.runs.agent2, perRequest(r.statements.agent2)),
      [
        "**agent (mean of both runs)**",
        `**${rps(r.agentMean.requestsPerSec)}**`,
        `**${ms(r.agentMean.p50Ms)}**`,
        `**${ms(r.agentMean.p99Ms)}**`,
        `**${pct(r.agentMean.requestsPerSec)}**`,
        "",
        "",
      ],
      row(
        { ...r.runs.sql, target: "SQL per request (galera-healthcheck's way)" },
        perRequest(r.statements.sql),
      ),
    ],
  );
  const runs = Object.values(r.runs);
  const troubled = runs.filter((run) => run.non2xx > 0 || run.socketErrors > 0);
  const errors =
    troubled.length === 0
      ? "Every answer was a 2xx and wrk saw no socket error."
      : `Not every answer was clean: ${troubled.map((t) => `${t.target}: ${t.non2xx} non-2xx answers, ${t.socketErrors} socket errors`).join("; ")}.`;
  const goals = r.goals
    .map((g) => `- ${g.goal}: ${g.met ? "**met**" : "**NOT met**"}, ${g.detail}.`)
    .join("\n");
  const section = `## Health endpoint: \`GET /ready\` (issue H)

Measured ${r.date} on ${m.cores} cores (${m.cpuModel}), Node ${m.node}, mariadbd ${m.mariadb}.
Reproduce with \`npm run bench\` (this benchmark alone: \`npm run bench -- health-endpoint\`).

Each target in its own process on its own loopback address, loaded by \`${r.wrkCommand}\`
after a 2 s warm-up of the same target, in the order bare, agent, SQL per request, agent,
so a drift of the machine touches every target. wrk and the server under load share the
machine's cores; the agent is a real \`galera-pilot seed\` with its mariadbd running.

- **bare node:http**: answers 200 with the agent's headers and body, nothing else: the ceiling.
- **agent**: \`GET /ready\` of the agent, answered from its last background sample.
- **SQL per request**: galera-healthcheck's way: a mysql2 pool of 8 over the unix socket,
  \`SHOW GLOBAL STATUS LIKE 'wsrep_local_state'\` on every request, 200 when it is 4.

${table}

SQL statements per request: mariadbd's \`Questions\` counter read right before and right
after the measured run, over wrk's request count. The agent's statements are its sampler's
(two a second, whatever the load), not its requests'. ${errors}

CPU µs per request: the user + system CPU time of the server's process during the measured
run (/proc/PID/stat), over its requests; for the SQL server, mariadbd's too: the work a
request costs rather than a rate, though it also moves with what else runs on the machine.

Agent RSS (VmRSS of the agent process, not mariadbd): ${mib(r.agentRssKiB.beforeLoad)} MiB
before the load, ${mib(r.agentRssKiB.afterLoad)} MiB after both agent runs.

Goals:

${goals}
`;
  const summary = [
    table,
    "",
    `agent RSS: ${mib(r.agentRssKiB.beforeLoad)} MiB before the load, ${mib(r.agentRssKiB.afterLoad)} MiB after`,
    errors,
    ...r.goals.map((g) => `${g.met ? "met    " : "NOT MET"}  ${g.goal}: ${g.detail}`),
  ].join("\n");
  return { summary, section, json: { machine: m, ...r } };
}

async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !(name in benchmarks));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown benchmark ${unknown.join(", ")}; known: ${Object.keys(benchmarks).join(", ")}\n`,
    );
    return 2;
  }
  const m = machine();
  for (const name of wanted.length > 0 ? wanted : Object.keys(benchmarks)) {
    process.stdout.write(`bench: ${name}…\n`);
    const output = await benchmarks[name]!(m);
    process.stdout.write(`${output.summary}\n`);
    mkdirSync(join(root, "bench-results"), { recursive: true });
    writeFileSync(join(root, "bench-results", `${name}.json`), JSON.stringify(output.json, null, 2) + "\n");
    writeSection(name, output.section);
    process.stdout.write(`bench: wrote bench-results/${name}.json and its section of BENCHMARKS.md\n`);
  }
  return 0;
}

process.exitCode = await main();
