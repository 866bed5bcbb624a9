/**
 * The command lines of the local cluster's commands (`local up`, `status`, `stop NODE`, …):
 * each command's flags and positional arguments, read into LocalFlags.
 */
import { backupIdPattern } from "../model/backup-manifest.js";
import { isIP } from "node:net";
import { resolve } from "node:path";
import { commandLineError } from "../config/flag-reader.js";
import { defaultStateDir } from "../local/cluster-layout.js";
import { parseCommandLine, type CommandGrammar } from "../options/command-line.js";

type Env = Readonly<Record<string, string | undefined>>;

export const localUsage = `local cluster (docs/local-cluster.md):
  galera-pilot local up [--nodes N] [--state-dir DIR]   run the cluster in the foreground (npm start)
  galera-pilot local up --restore-from ID               a new cluster from a backup in STATE/backups (every
                                                        datadir empty: n1 restores it, the others join by SST)
  galera-pilot status [--json]                          the local cluster's nodes
  galera-pilot stop|kill|start NODE                     stop cleanly, SIGKILL (it restarts), start
  galera-pilot drain NODE                               out of the routers' pools first, then stop cleanly
  galera-pilot scale N                                  grow or shrink the cluster (new nodes join, removed ones drain and leave)
  galera-pilot restart --rolling                        restart every node, one at a time, without client errors
  galera-pilot down [--no-wait] [--timeout S]           stop the whole cluster cleanly, and wait (up to S seconds,
                                                        default 600) until every node (agent and mariadbd) and HAProxy
                                                        stopped: exit 0 when all did, 1 naming what still runs;
                                                        --no-wait returns once the runner has begun
  GALERA_PILOT_STATE_DIR sets the state folder (default /var/lib/galera-pilot/local); each command also takes
  --state-dir DIR.`;

export type LocalCommand =
  "local up" | "status" | "stop" | "kill" | "start" | "drain" | "scale" | "restart" | "down";

const nodeCommand = { operands: ["NODE"] };
const nodeCommands: readonly LocalCommand[] = ["stop", "kill", "start", "drain"];

/** Each command's own flags; every one also takes --state-dir (else GALERA_PILOT_STATE_DIR). */
const grammars: Record<LocalCommand, Pick<CommandGrammar, "values" | "booleans" | "operands">> = {
  // --first-address, --router-address and --durability are for tests and benchmarks.
  "local up": { values: ["nodes", "first-address", "router-address", "durability", "restore-from"] },
  status: { booleans: ["json"] },
  stop: nodeCommand,
  kill: nodeCommand,
  start: nodeCommand,
  drain: nodeCommand,
  scale: { operands: ["N"] },
  restart: { booleans: ["rolling"] },
  down: { values: ["timeout"], booleans: ["no-wait"] },
};

export function localGrammar(command: LocalCommand): CommandGrammar {
  const own = grammars[command];
  return {
    ...own,
    name: command,
    usage: localUsage,
    values: ["state-dir", ...(own.values ?? [])],
    env: { "state-dir": "GALERA_PILOT_STATE_DIR" },
  };
}

export interface LocalFlags {
  stateDir: string;
  nodes: number;
  /** n1's address; the others follow. Tests use their own range so they never meet `npm start`. */
  firstAddress: string;
  /** Where HAProxy listens: writer on port 3306, readers on 3307. */
  routerAddress: string;
  json: boolean;
  /** Every agent's durability profile (GALERA_PILOT_DURABILITY); null: the agents' default. */
  durability: "strict" | "process" | "seed" | null;
  /** `down --no-wait`: return once the runner has begun stopping. */
  noWait: boolean;
  /** `down --timeout S`: how long `down` waits for everything to stop. */
  timeoutSeconds: number;
  /** `stop|kill|start|drain NODE`: the node; null for the other commands. */
  node: string | null;
  /** `scale N`: the node count; null for the other commands. */
  scaleTo: number | null;
  /** `local up --restore-from ID`: a new cluster from this backup; null: none. */
  restoreFrom: string | null;
}

const ipv4 = (text: string): string | undefined => (isIP(text) === 4 ? text : undefined);

export function parseLocalFlags(command: LocalCommand, argv: readonly string[], env: Env): LocalFlags {
  const { flags, operands } = parseCommandLine(localGrammar(command), argv, env);
  const durability = flags.has("durability")
    ? flags.choice("durability", ["strict", "process", "seed"] as const)
    : null;
  if (command === "restart" && !flags.flag("rolling")) {
    throw flags.error("rolling", "is required: restart restarts the whole local cluster, one node at a time");
  }
  return {
    // Absolute: the agents, HAProxy and the leftover check all name the folder by this path.
    stateDir: resolve(flags.string("state-dir") ?? defaultStateDir),
    nodes: flags.integer("nodes", 3, 1, 9),
    firstAddress: flags.value("first-address", "an IPv4 address", ipv4) ?? "127.0.0.2",
    routerAddress: flags.value("router-address", "an IPv4 address", ipv4) ?? "127.0.0.1",
    json: flags.flag("json"),
    durability,
    noWait: flags.flag("no-wait"),
    timeoutSeconds: flags.integer("timeout", 600, 1, 86_400, "seconds"),
    node: nodeCommands.includes(command) ? nodeOperand(command, operands[0]) : null,
    scaleTo: command === "scale" ? nodeCount(operands[0]) : null,
    restoreFrom:
      flags.value("restore-from", "a backup's id, like 20261206T210000Z-n2", (text) =>
        backupIdPattern.test(text) ? text : undefined,
      ) ?? null,
  };
}

function nodeOperand(command: LocalCommand, node: string | undefined): string {
  if (node === undefined)
    throw commandLineError(command, `NODE is required, e.g. galera-pilot ${command} n2`);
  return node;
}

function nodeCount(text: string | undefined): number {
  const example = "e.g. galera-pilot scale 5";
  if (text === undefined)
    throw commandLineError("scale", `N is required: a node count from 1 to 9, ${example}`);
  if (!/^[1-9]$/.test(text)) {
    throw commandLineError("scale", `N ${JSON.stringify(text)} is not a node count from 1 to 9, ${example}`);
  }
  return Number(text);
}
