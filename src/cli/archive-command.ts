// `galera-pilot archive status` (docs/point-in-time.md): the binlog archive at the backup
// destination, and its archiver's lag from the agents' /status. Reads only.
import { join, resolve } from "node:path";
import { archiveCoverages } from "../decide/archive-coverage.js";
import { archiveSummary } from "../decide/archive-summary.js";
import { BadInputError, ExitCode } from "../errors.js";
import { controlRequest } from "../local/control-server.js";
import { defaultStateDir } from "../local/cluster-layout.js";
import { namedSegments } from "../model/archive-segment-name.js";
import type { NodeStatusReport } from "../model/node-status.js";
import { HelpRequested, isHelpFlag, parseCommandLine, type CommandGrammar } from "../options/command-line.js";
import { readNodeStatus } from "../peer-api/node-status-client.js";
import { parseAgentUrls } from "./agent-urls.js";
import { destinationFrom, readCatalog } from "./backup-catalog.js";

type Env = Readonly<Record<string, string | undefined>>;

export const archiveUsage = `the binlog archive (docs/point-in-time.md):
  galera-pilot archive status [--json]   what the archive holds (contiguous or its gaps, the oldest and newest
                                         restorable points) and its archiver's lag; a line per problem
  Agents: the local cluster's (--state-dir, GALERA_PILOT_STATE_DIR), or --nodes NAME=URL[,NAME=URL…].
  Destination: --destination (a folder or s3://bucket/prefix), else GALERA_PILOT_BACKUP_DESTINATION,
  else the local cluster's STATE/backups.`;

const grammar: CommandGrammar = {
  name: "archive status",
  usage: archiveUsage,
  values: ["nodes", "state-dir", "destination"],
  booleans: ["json"],
  env: { "state-dir": "GALERA_PILOT_STATE_DIR" },
  operands: [],
  outcome: "nothing was changed",
};

export async function archiveCommand(argv: readonly string[], env: Env): Promise<number> {
  if (isHelpFlag(argv[0])) throw new HelpRequested(archiveUsage);
  if (argv[0] !== "status") {
    throw new BadInputError(
      `archive: say "archive status"; nothing was changed; see galera-pilot archive --help`,
    );
  }
  const { flags } = parseCommandLine(grammar, argv.slice(1), env);
  const stateDir = resolve(flags.string("state-dir") ?? defaultStateDir);
  const destination = await destinationFrom(flags.string("destination"), env, stateDir);
  const spans = namedSegments(await destination.listArchiveSegments()).map((s) => s.span);
  const coverages = archiveCoverages(spans);
  const catalog = await readCatalog(destination);
  const backups = catalog.manifests.filter((m) => m.state === "complete");
  const agents = flags.has("nodes") ? parseAgentUrls(flags) : await localAgents(stateDir);
  const reports = agents === null ? null : await Promise.all(agents.map((a) => statusOf(a.name, a.url)));
  const summary = archiveSummary(coverages, backups, reports);
  console.log(
    flags.flag("json")
      ? JSON.stringify({ destination: destination.description, ...summary, lines: undefined }, null, 2)
      : summary.lines.join("\n"),
  );
  return ExitCode.ok;
}

/** The local cluster's agents, or null when none runs in the state folder. */
async function localAgents(stateDir: string): Promise<{ name: string; url: string }[] | null> {
  try {
    const answer = await controlRequest(join(stateDir, "runner.sock"), "GET", "/status", 5_000);
    const nodes = (answer.body as { nodes?: { name: string; healthUrl: string }[] }).nodes ?? [];
    return nodes.map((n) => ({ name: n.name, url: n.healthUrl }));
  } catch {
    return null;
  }
}

/** An agent's /status (checked against its schema), or what stands for a silent one. */
async function statusOf(
  name: string,
  url: string,
): Promise<{ node: string; archive?: NodeStatusReport["archive"] }> {
  const report = await readNodeStatus(`${url}/status`, 3000).catch(() => null);
  return report === null ? { node: name } : { node: report.node, archive: report.archive };
}
