// `galera-pilot backup`: asks every agent for its /status, chooses the node by the pure rule
// (decide/backup-node.ts), asks that node's agent for a backup (POST /backup, signed), and
// follows it (GET /backup) until it ends. The agent takes it: it is the one process beside
// the datadir in every way galera-pilot runs (one machine, containers, Marathon, Kubernetes),
// and the one that can undo the desync whatever happens to this command.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { requireSecret } from "../config/read-secret.js";
import type { Secret } from "../config/secret.js";
import { chooseBackupNode, type BackupCandidate } from "../decide/backup-node.js";
import { BackupError, ExitCode, RefusedError, BadInputError } from "../errors.js";
import { controlRequest, type LocalClusterStatus } from "../local/control-server.js";
import { askForBackup, readBackupActivity } from "../peer-api/backup-client.js";
import { fetchNodeStatus } from "../peer-api/node-status-client.js";

type Env = Readonly<Record<string, string | undefined>>;

export interface TakeArgs {
  node: string | undefined;
  allowWriter: boolean;
  noWait: boolean;
  stateDir: string;
  /** --nodes: the agents to ask; null: the local cluster's. */
  nodes: { name: string; url: string }[] | null;
}

/** How long the command waits without news from the agent before it says so and leaves. */
const silenceLimitMs = 60_000;
/** How often the agent is asked (GET /backup answers from memory): an end is seen within this. */
const pollMs = 250;
const progressEveryMs = 5_000;

export async function takeBackup(args: TakeArgs, env: Env): Promise<number> {
  const { agents, secret } =
    args.nodes === null ? await localAgents(args.stateDir) : fromFlags(args.nodes, env);
  const reports = await Promise.all(
    agents.map(async (agent) => ({ agent, report: await fetchNodeStatus(agent.url, 3000) })),
  );
  const candidates: BackupCandidate[] = reports.map(
    ({ agent, report }) =>
      report ?? {
        node: agent.name,
        phase: "server-down",
        writer: false,
        syncedSince: null,
        writerEligibleSince: null,
      },
  );
  const choice = chooseBackupNode(candidates, { node: args.node, allowWriter: args.allowWriter });
  if ("refuse" in choice) throw new RefusedError(choice.refuse);
  const chosen = reports.find(({ agent, report }) => (report?.node ?? agent.name) === choice.node)!.agent;
  console.log(choice.reason);
  const asked = await askForBackup(chosen.url, secret, args.allowWriter);
  if (!asked.ok) {
    if ("refused" in asked) throw new RefusedError(asked.refused);
    throw new BackupError(`no backup is taken on ${choice.node}: ${asked.problem}; nothing was changed`);
  }
  console.log(`backup ${asked.id} started on ${choice.node}`);
  if (args.noWait) return ExitCode.ok;
  return follow(chosen.url, choice.node, asked.id);
}

/** Prints the progress every few seconds until the agent says the backup ended. */
async function follow(url: string, node: string, id: string): Promise<number> {
  let heardAt = Date.now();
  let saidAt = 0;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    const activity = await readBackupActivity(url);
    const now = Date.now();
    if (activity === null) {
      if (now - heardAt > silenceLimitMs) {
        throw new BackupError(
          `the agent of ${node} has not answered for ${silenceLimitMs / 1000} s during backup ${id}: it is marked failed when its agent starts again, and only a complete backup is ever restored; \`galera-pilot backup list\` shows its state`,
        );
      }
      continue;
    }
    heardAt = now;
    if (activity.running?.id !== id && activity.last?.id !== id) {
      // An agent that knows nothing of it is a new one: the one taking it stopped.
      throw new BackupError(
        `the agent of ${node} restarted during backup ${id}: the backup is marked failed by the new agent, and only a complete backup is ever restored; \`galera-pilot backup list\` shows its state; ask again once ${node} is synced`,
      );
    }
    if (activity.last?.id === id && activity.running?.id !== id) {
      if (activity.last.state === "complete") {
        console.log(`backup ${id} is complete (on ${node}, in ${activity.destination ?? "its destination"})`);
        return ExitCode.ok;
      }
      const marked =
        activity.last.recorded === false
          ? "its manifest could not be marked failed (the destination failed too): it stays running there and reads as abandoned once its progress is a minute old; it is never restored"
          : "it is marked failed and never restored";
      throw new BackupError(
        `backup ${id} failed on ${node}: ${activity.last.failure ?? "no reason given"}; ${marked}; ${node} is back in the pools`,
      );
    }
    if (activity.running?.id === id && now - saidAt >= progressEveryMs) {
      saidAt = now;
      console.log(activity.running.progress);
    }
  }
}

interface Agent {
  name: string;
  url: string;
}

function fromFlags(nodes: Agent[], env: Env): { agents: Agent[]; secret: Secret } {
  const secret = requireSecret(
    env,
    "GALERA_PILOT_CLUSTER_SECRET",
    "the cluster's shared secret, to ask an agent for a backup",
  );
  return { agents: nodes, secret };
}

/** The local cluster's agents, from its runner, and its secret from the state folder. */
async function localAgents(stateDir: string): Promise<{ agents: Agent[]; secret: Secret }> {
  const secretFile = join(stateDir, "secrets", "cluster.secret");
  if (!existsSync(secretFile)) {
    throw new BadInputError(
      `no local cluster in ${stateDir} (no secrets/cluster.secret); nothing was changed; start one with npm start, or name the agents with --nodes NAME=URL,…`,
    );
  }
  const secret = requireSecret(
    { GALERA_PILOT_CLUSTER_SECRET_FILE: secretFile },
    "GALERA_PILOT_CLUSTER_SECRET",
    "the local cluster secret",
  );
  let status: LocalClusterStatus;
  try {
    status = (await controlRequest(join(stateDir, "runner.sock"), "GET", "/status", 10_000))
      .body as LocalClusterStatus;
  } catch (error) {
    throw new BadInputError(
      `the local cluster in ${stateDir} is not running (its runner does not answer: ${error instanceof Error ? error.message : String(error)}); nothing was changed; start it with npm start`,
    );
  }
  return { agents: status.nodes.map((n) => ({ name: n.name, url: n.healthUrl })), secret };
}
