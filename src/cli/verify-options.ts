/**
 * The command line of `galera-pilot verify` (docs/verify.md), read and checked; what the
 * flags mean together (a profile, a user's cluster) is verify-command.ts's.
 */
import type { FlagReader } from "../config/flag-reader.js";
import { defaultStateDir } from "../local/cluster-layout.js";
import { allFaultKinds, type FaultKind } from "../verify/fault-schedule.js";
import { parseCommandLine, type CommandGrammar } from "../options/command-line.js";

type Env = Readonly<Record<string, string | undefined>>;

export const verifyUsage = `verify (a data-loss checker; docs/verify.md):
  galera-pilot verify [--profile ci|standard|soak] [--cycles N] [--faults K1,K2…] [--seed N]
                      [--report FILE] [--json] [--state-dir DIR]       the local cluster
  galera-pilot verify --writer HOST:PORT [--reader HOST:PORT] --nodes n1=HOST:PORT,…
                      [--fault-command CMD --faults K1,… | --duration S]  any cluster; user and password from
                      GALERA_PILOT_VERIFY_USER and GALERA_PILOT_VERIFY_PASSWORD (or _FILE)
  Faults: ${allFaultKinds.join(", ")}.
  Exit code: 0 nothing lost and every node equal, 7 a problem was found (see the report).`;

export const verifyProfiles = ["ci", "standard", "soak"] as const;
export type VerifyProfile = (typeof verifyProfiles)[number];

const verifyGrammar: CommandGrammar = {
  name: "verify",
  usage: verifyUsage,
  values: [
    "state-dir",
    "profile",
    "cycles",
    "faults",
    "seed",
    "writer",
    "reader",
    "nodes",
    "fault-command",
    "duration",
    "report",
  ],
  booleans: ["json"],
  env: { "state-dir": "GALERA_PILOT_STATE_DIR" },
};

export interface VerifyArgs {
  stateDir: string;
  profile: VerifyProfile;
  cycles: number | null;
  kinds: FaultKind[] | null;
  seed: number;
  reportPath: string | null;
  json: boolean;
  /** A user's cluster: the router's endpoints (HOST:PORT), each node's, and the fault command. */
  writer: string | null;
  reader: string | null;
  nodes: { name: string; hostPort: string }[] | null;
  faultCommand: string | null;
  durationS: number | null;
}

const hostPortPattern = /^[A-Za-z0-9_.-]+:\d{1,5}$/;
const hostPort = (text: string): string | undefined => (hostPortPattern.test(text) ? text : undefined);

export function parseVerifyArgs(argv: readonly string[], env: Env): VerifyArgs {
  const { flags } = parseCommandLine(verifyGrammar, argv, env);
  return {
    stateDir: flags.string("state-dir") ?? defaultStateDir,
    profile: flags.choice("profile", verifyProfiles, "standard"),
    cycles: flags.has("cycles") ? flags.integer("cycles", 0, 1, 9999) : null,
    kinds: flags.has("faults") ? faultKinds(flags) : null,
    seed: flags.integer("seed", Date.now() % 1_000_000, 0, 999_999_999),
    reportPath: flags.string("report") ?? null,
    json: flags.flag("json"),
    writer: flags.value("writer", "HOST:PORT", hostPort) ?? null,
    reader: flags.value("reader", "HOST:PORT", hostPort) ?? null,
    nodes: flags.has("nodes") ? nodeEndpoints(flags) : null,
    faultCommand: flags.string("fault-command") ?? null,
    durationS: flags.has("duration") ? flags.integer("duration", 0, 1, 999_999, "seconds") : null,
  };
}

/** `K1,K2…`, each one of allFaultKinds. */
function faultKinds(flags: FlagReader): FaultKind[] {
  const text = flags.string("faults") ?? "";
  const kinds = text.split(",").filter(Boolean);
  const choices = `one of ${allFaultKinds.join(", ")}`;
  const unknown = kinds.find((kind) => !allFaultKinds.includes(kind as FaultKind));
  if (unknown !== undefined) throw flags.error("faults", `item ${JSON.stringify(unknown)} is not ${choices}`);
  if (kinds.length === 0)
    throw flags.error("faults", `${JSON.stringify(text)} names no fault; give ${choices}`);
  return kinds as FaultKind[];
}

/** `NAME=HOST:PORT,…`: each node's SQL endpoint. */
function nodeEndpoints(flags: FlagReader): { name: string; hostPort: string }[] {
  const text = flags.string("nodes") ?? "";
  const nodes = text
    .split(",")
    .filter((part) => part.trim() !== "")
    .map((part) => {
      const match = /^([A-Za-z0-9_.-]+)=([A-Za-z0-9_.-]+:\d{1,5})$/.exec(part.trim());
      if (!match) throw flags.error("nodes", `item ${JSON.stringify(part)} is not NAME=HOST:PORT`);
      return { name: match[1]!, hostPort: match[2]! };
    });
  if (nodes.length === 0) {
    throw flags.error("nodes", `${JSON.stringify(text)} names no node; give NAME=HOST:PORT[,…]`);
  }
  return nodes;
}
