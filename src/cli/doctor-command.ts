import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { requireSecret } from "../config/read-secret.js";
import { diagnoseCluster, type Diagnosis, type DoctorNode } from "../decide/cluster-diagnosis.js";
import { BadInputError, ExitCode } from "../errors.js";
import { parseAgentUrls } from "./agent-urls.js";
import { parseCommandLine, type CommandGrammar } from "../options/command-line.js";
import { defaultStateDir } from "../local/cluster-layout.js";
import { controlRequest, type LocalClusterStatus } from "../local/control-server.js";
import { parseGrastate } from "../mysqld/grastate.js";
import { fetchNodeStatus } from "../peer-api/node-status-client.js";
import { fetchPeerState } from "../peer-api/peer-state-client.js";
import { readCatalog } from "../backup/backup-catalog.js";
import { backupSummary, backupSummaryLine } from "../decide/backup-summary.js";
import { openDestination } from "../destination/open-destination.js";
import { localBackupFolder } from "../local/local-cluster.js";
import type { Secret } from "../config/secret.js";

type Env = Readonly<Record<string, string | undefined>>;

export const doctorUsage = `doctor (asks every node and says what the cluster does now, and why):
  galera-pilot doctor [--json] [--state-dir DIR]       the local cluster (GALERA_PILOT_STATE_DIR)
  galera-pilot doctor --nodes NAME=URL[,NAME=URL…]     any cluster: each agent's health URL, e.g.
                                                       n1=http://10.0.0.2:8080; the cluster secret from
                                                       GALERA_PILOT_CLUSTER_SECRET or _FILE
  --destination D (or GALERA_PILOT_BACKUP_DESTINATION): a line on its backups (the local cluster's
                                                       STATE/backups by default)
  Exit code: 0 healthy, 5 serving but degraded, 6 down (no primary component).`;

const verdictExit = { healthy: ExitCode.ok, degraded: 5, down: 6 } as const;

const doctorGrammar: CommandGrammar = {
  name: "doctor",
  usage: doctorUsage,
  values: ["nodes", "state-dir", "destination"],
  booleans: ["json"],
  env: { "state-dir": "GALERA_PILOT_STATE_DIR" },
};

export interface DoctorArgs {
  json: boolean;
  stateDir: string;
  /** --nodes: the agents to ask; null: the local cluster's. */
  nodes: { name: string; url: string }[] | null;
}

export function parseDoctorArgs(argv: readonly string[], env: Env): DoctorArgs {
  const { flags } = parseCommandLine(doctorGrammar, argv, env);
  return {
    json: flags.flag("json"),
    stateDir: flags.string("state-dir") ?? defaultStateDir,
    nodes: flags.has("nodes") ? parseAgentUrls(flags) : null,
  };
}

/** `galera-pilot doctor`: I/O only; the reasoning is diagnoseCluster (pure). */
export async function doctorCommand(argv: readonly string[], env: Env): Promise<number> {
  const { json, stateDir, nodes: given } = parseDoctorArgs(argv, env);
  const nodes = given === null ? await askLocalCluster(stateDir) : await askNodes(given, env);
  const diagnosis = diagnoseCluster(nodes, Date.now());
  const backups = await backupsLine(argvDestination(argv, env, given === null ? stateDir : null));
  console.log(
    json
      ? JSON.stringify({ ...diagnosis, nodes: nodes.map(publicView), backups }, null, 2)
      : [formatDiagnosis(diagnosis), ...(backups === null ? [] : [backups])].join("\n"),
  );
  return verdictExit[diagnosis.verdict];
}

export function formatDiagnosis(d: Diagnosis): string {
  return [d.headline, ...d.lines.map((l) => `  - ${l}`)].join("\n");
}

async function askNodes(nodes: readonly { name: string; url: string }[], env: Env): Promise<DoctorNode[]> {
  const secret = requireSecret(
    env,
    "GALERA_PILOT_CLUSTER_SECRET",
    "the cluster's shared secret, to read the peer state API",
  );
  return Promise.all(nodes.map((n) => askNode(n.name, n.url, secret, null)));
}

async function askNode(
  name: string,
  url: string,
  secret: Secret,
  datadir: string | null,
): Promise<DoctorNode> {
  // What was wrong with an answer that came but could not be read, in the clients' words.
  let statusMalformed: string | null = null;
  let stateMalformed: string | null = null;
  const [status, state] = await Promise.all([
    fetchNodeStatus(url, 2000, (line) => (statusMalformed = line)),
    fetchPeerState(url, secret, 2000, (line) => (stateMalformed = line)),
  ]);
  return {
    name,
    url,
    status,
    ...(statusMalformed === null ? {} : { statusProblem: statusMalformed }),
    state: state.ok ? state.report : null,
    problem: state.ok
      ? null
      : stateMalformed === null
        ? state.problem
        : `malformed answer: ${stateMalformed}`,
    saved: status === null && datadir !== null ? readSaved(datadir) : null,
  };
}

/** The local cluster: its node list from the runner, or from the state folder when it is not running. */
async function askLocalCluster(stateDir: string): Promise<DoctorNode[]> {
  const secretFile = join(stateDir, "secrets", "cluster.secret");
  if (!existsSync(secretFile)) {
    throw new BadInputError(
      `no local cluster in ${stateDir} (no secrets/cluster.secret); start one with npm start`,
    );
  }
  const secret = requireSecret(
    { GALERA_PILOT_CLUSTER_SECRET_FILE: secretFile },
    "GALERA_PILOT_CLUSTER_SECRET",
    "the local cluster secret",
  );
  let status: LocalClusterStatus | null = null;
  try {
    const answer = await controlRequest(join(stateDir, "runner.sock"), "GET", "/status");
    if (answer.code === 200) status = answer.body as LocalClusterStatus;
  } catch {
    // Not running: read what the datadirs say.
  }
  if (status) {
    return Promise.all(
      status.nodes.map((n) => askNode(n.name, n.healthUrl, secret, join(stateDir, n.name, "data"))),
    );
  }
  const names = readdirSync(stateDir)
    .filter((entry) => /^n\d+$/.test(entry))
    .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
  return names.map((name) => ({
    name,
    url: "(the local runner is not running: npm start)",
    status: null,
    state: null,
    problem: "the local runner is not running",
    saved: readSaved(join(stateDir, name, "data")),
  }));
}

function readSaved(datadir: string): DoctorNode["saved"] {
  try {
    const g = parseGrastate(readFileSync(join(datadir, "grastate.dat"), "utf8"));
    return { uuid: g.uuid, seqno: g.seqno, safeToBootstrap: g.safeToBootstrap };
  } catch {
    return null;
  }
}

/** What --json shows of each node: no secret is in these reports, but keep it to the useful part. */
function publicView(n: DoctorNode): object {
  return {
    name: n.name,
    url: n.url,
    phase: n.status?.phase ?? null,
    seqno: n.status?.seqno ?? n.state?.position?.seqno ?? n.saved?.seqno ?? null,
    writer: n.status?.writer ?? false,
    problem: n.problem,
    lastDecision: n.status?.lastDecision ?? null,
  };
}

/** The backup destination doctor reports on: --destination, the variable, or the local cluster's. */
function argvDestination(argv: readonly string[], env: Env, localStateDir: string | null): string | null {
  const { flags } = parseCommandLine(doctorGrammar, argv, env);
  return (
    flags.string("destination") ??
    env["GALERA_PILOT_BACKUP_DESTINATION"] ??
    (localStateDir === null ? null : localBackupFolder(localStateDir))
  );
}

/** One line on the backups there (decide/backup-summary.ts), or what kept them from being read. */
async function backupsLine(spec: string | null): Promise<string | null> {
  if (spec === null) return null;
  try {
    const destination = await openDestination(spec, process.env);
    const { manifests } = await readCatalog(destination);
    return backupSummaryLine(backupSummary(manifests, Date.now()), Date.now(), destination.description);
  } catch (error) {
    return `backups: ${spec} could not be read: ${error instanceof Error ? error.message : String(error)}`;
  }
}
