import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BadInputError, ExitCode, GaleraPilotError } from "../errors.js";
import { defaultStateDir } from "../local/cluster-layout.js";
import { controlRequest, type LocalClusterStatus } from "../local/control-server.js";
import { allFaultKinds, type FaultKind } from "../verify/fault-schedule.js";
import { requireSecret } from "../config/read-secret.js";
import type { Secret } from "../config/secret.js";
import { ExternalVerifyCluster } from "../verify/external-verify-cluster.js";
import { LocalVerifyCluster } from "../verify/local-verify-cluster.js";
import type { VerifyCluster } from "../verify/verify-cluster.js";
import { runVerify, type VerifyReport, type VerifySettings } from "../verify/verify-run.js";
import type { Endpoint } from "../verify/workloads.js";

type Env = Readonly<Record<string, string | undefined>>;

export const verifyUsage = `verify (a data-loss checker; docs/verify.md):
  galera-pilot verify [--profile ci|standard|soak] [--cycles N] [--faults K1,K2…] [--seed N]
                      [--report FILE] [--json] [--state-dir DIR]       the local cluster
  galera-pilot verify --writer HOST:PORT [--reader HOST:PORT] --nodes n1=HOST:PORT,…
                      [--fault-command CMD --faults K1,… | --duration S]  any cluster; user and password from
                      GALERA_PILOT_VERIFY_USER and GALERA_PILOT_VERIFY_PASSWORD (or _FILE)
  Faults: ${allFaultKinds.join(", ")}.
  Exit code: 0 nothing lost and every node equal, 7 a problem was found (see the report).`;

/** Found lost writes, divergence, or a cluster that did not recover. */
export const verifyFailedExit = ExitCode.verifyFoundProblems;

const profiles: Record<string, Omit<VerifySettings, "seed">> = {
  // CI: one of each fault family that matters most, kept under five minutes.
  ci: {
    profile: "ci",
    cycles: 4,
    kinds: ["kill-one", "isolate-one", "kill-all", "restart-random"],
    settleMs: 4000,
    recoveryTimeoutMs: 180_000,
    durationMs: 0,
  },
  standard: {
    profile: "standard",
    cycles: allFaultKinds.length,
    kinds: allFaultKinds,
    settleMs: 5000,
    recoveryTimeoutMs: 180_000,
    durationMs: 0,
  },
  soak: {
    profile: "soak",
    cycles: 50,
    kinds: allFaultKinds,
    settleMs: 5000,
    recoveryTimeoutMs: 300_000,
    durationMs: 0,
  },
};

export async function verifyCommand(argv: readonly string[], env: Env): Promise<number> {
  let stateDir = env["GALERA_PILOT_STATE_DIR"] ?? defaultStateDir;
  let profileName = "standard";
  let cycles: number | null = null;
  let kinds: FaultKind[] | null = null;
  let seed = Date.now() % 1_000_000;
  let reportPath: string | null = null;
  let json = false;
  // A user's cluster: the router's endpoints, each node's, and the user's fault command.
  let writer: string | null = null;
  let reader: string | null = null;
  let nodesFlag: string | null = null;
  let faultCommand: string | null = null;
  let durationS: number | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new BadInputError(`verify: ${arg} needs a value`);
      return v;
    };
    if (arg === "--state-dir") stateDir = value();
    else if (arg === "--profile") {
      profileName = value();
      if (!profiles[profileName])
        throw new BadInputError(`verify --profile must be ci, standard or soak, got "${profileName}"`);
    } else if (arg === "--cycles") {
      const raw = value();
      if (!/^[1-9]\d{0,3}$/.test(raw))
        throw new BadInputError(`verify --cycles must be a whole number from 1 to 9999, got "${raw}"`);
      cycles = Number(raw);
    } else if (arg === "--faults") {
      const list = value().split(",").filter(Boolean);
      const unknown = list.filter((k) => !allFaultKinds.includes(k as FaultKind));
      if (unknown.length || list.length === 0) {
        throw new BadInputError(
          `verify --faults: unknown fault "${unknown.join(",")}"; choose from ${allFaultKinds.join(", ")}`,
        );
      }
      kinds = list as FaultKind[];
    } else if (arg === "--seed") {
      const raw = value();
      if (!/^\d{1,9}$/.test(raw))
        throw new BadInputError(`verify --seed must be a whole number, got "${raw}"`);
      seed = Number(raw);
    } else if (arg === "--writer") writer = hostPort(arg, value());
    else if (arg === "--reader") reader = hostPort(arg, value());
    else if (arg === "--nodes") nodesFlag = value();
    else if (arg === "--fault-command") faultCommand = value();
    else if (arg === "--duration") {
      const raw = value();
      if (!/^[1-9]\d{0,5}$/.test(raw))
        throw new BadInputError(`verify --duration must be a whole number of seconds, got "${raw}"`);
      durationS = Number(raw);
    } else if (arg === "--report") reportPath = value();
    else if (arg === "--json") json = true;
    else throw new BadInputError(`verify: unknown argument "${arg}"; see galera-pilot --help`);
  }
  const base = profiles[profileName]!;
  const settings: VerifySettings = {
    ...base,
    kinds: kinds ?? base.kinds,
    cycles: cycles ?? (kinds ? kinds.length : base.cycles),
    seed,
  };
  let cluster: VerifyCluster;
  if (writer !== null || nodesFlag !== null) {
    cluster = externalCluster(writer, reader, nodesFlag, faultCommand, kinds, env);
    if (!faultCommand) {
      settings.cycles = 0;
      settings.durationMs = (durationS ?? 60) * 1000;
    }
    reportPath ??= "verify-report.json";
  } else {
    if (faultCommand || durationS !== null) {
      throw new BadInputError(
        "verify: --fault-command and --duration are for a cluster given by --writer and --nodes",
      );
    }
    cluster = await localCluster(stateDir);
  }
  let report: VerifyReport;
  try {
    report = await runVerify(cluster, settings, (line) =>
      json ? undefined : console.log(`[verify] ${line}`),
    );
  } catch (error) {
    if (error instanceof GaleraPilotError) throw error;
    // The cluster was not usable (not healthy at the start, the router refused every
    // connection): nothing was checked, which is a failed verification, not a bug.
    throw new GaleraPilotError(
      `verify stopped before its checks: ${(error as Error).message}; no report was written`,
      verifyFailedExit,
      { cause: error },
    );
  }
  const path = reportPath ?? join(stateDir, "verify-report.json");
  writeFileSync(path, JSON.stringify(report, null, 2) + "\n");
  console.log(json ? JSON.stringify(report, null, 2) : formatVerifySummary(report, path));
  return report.verdict === "pass" ? ExitCode.ok : verifyFailedExit;
}

async function localCluster(stateDir: string): Promise<VerifyCluster> {
  const controlSocket = join(stateDir, "runner.sock");
  let status: LocalClusterStatus;
  try {
    const answer = await controlRequest(controlSocket, "GET", "/status");
    status = answer.body as LocalClusterStatus;
  } catch (error) {
    throw new GaleraPilotError(
      `verify needs the local cluster running (no runner at ${controlSocket}); start it with npm start`,
      ExitCode.badInput,
      { cause: error },
    );
  }
  if (!status.proxy)
    throw new BadInputError("verify needs the local cluster's router (HAProxy); it has none");
  return new LocalVerifyCluster(controlSocket, status);
}

function hostPort(flag: string, text: string): string {
  if (!/^[A-Za-z0-9_.-]+:\d{1,5}$/.test(text)) {
    throw new BadInputError(`verify ${flag} must be HOST:PORT, got "${text}"`);
  }
  return text;
}

function endpointOf(text: string, user: string, password: Secret): Endpoint {
  const at = text.lastIndexOf(":");
  return { host: text.slice(0, at), port: Number(text.slice(at + 1)), user, password };
}

function externalCluster(
  writer: string | null,
  reader: string | null,
  nodesFlag: string | null,
  faultCommand: string | null,
  kinds: FaultKind[] | null,
  env: Env,
): VerifyCluster {
  if (!writer || !nodesFlag) {
    throw new BadInputError(
      "verify on your cluster needs both --writer HOST:PORT (the router) and --nodes n1=HOST:PORT,…",
    );
  }
  if (kinds && !faultCommand) {
    throw new BadInputError(
      "verify --faults on your cluster needs --fault-command CMD to inject them (or leave --faults out and inject faults by hand during --duration)",
    );
  }
  const user = env["GALERA_PILOT_VERIFY_USER"];
  if (!user)
    throw new BadInputError(
      "GALERA_PILOT_VERIFY_USER is not set (the SQL user the workloads write as); nothing was run",
    );
  const password = requireSecret(env, "GALERA_PILOT_VERIFY_PASSWORD", "that user's password");
  const nodes = nodesFlag
    .split(",")
    .filter((p) => p.trim() !== "")
    .map((part) => {
      const match = /^([A-Za-z0-9_.-]+)=([A-Za-z0-9_.-]+:\d{1,5})$/.exec(part.trim());
      if (!match) throw new BadInputError(`verify --nodes: "${part}" is not NAME=HOST:PORT`);
      return { name: match[1]!, endpoint: endpointOf(match[2]!, user, password) };
    });
  if (nodes.length === 0) throw new BadInputError("verify --nodes needs at least one NAME=HOST:PORT");
  return new ExternalVerifyCluster(
    endpointOf(writer, user, password),
    reader ? endpointOf(reader, user, password) : null,
    nodes,
    faultCommand,
  );
}

export function formatVerifySummary(r: VerifyReport, path: string): string {
  const lines = [
    `${r.verdict === "pass" ? "PASS" : "FAIL"}: ${r.profile} profile, seed ${r.seed}, ${r.faults.length} faults on ${r.nodes.join(", ")} in ${(r.durationMs / 1000).toFixed(0)} s`,
    `appends: ${r.appends.acknowledged} acknowledged, ${r.appends.indeterminate} indeterminate (${r.appends.indeterminateCommitted} of them committed), ${r.appends.rejected} refused; lost ${r.appends.lost}`,
    `bank: ${r.bank.acknowledged} of ${r.bank.transfers} transfers acknowledged; ${r.bank.reads} reads of the total, ${r.bank.wrongTotals.length} wrong`,
    "faults:",
    ...r.faults.map(
      (f) =>
        `  ${f.at}  ${f.kind.padEnd(14)} ${f.targets.join(",").padEnd(10)} writer ${(f.writerBefore ?? "-").padEnd(4)} ${f.recoveredAfterMs === null ? "did not recover" : `recovered in ${(f.recoveredAfterMs / 1000).toFixed(1)} s`}`,
    ),
    ...(r.problems.length
      ? ["problems:", ...r.problems.map((p) => `  - ${p}`)]
      : ["no acknowledged write lost; every node holds the same data"]),
    `report: ${path}`,
  ];
  return lines.join("\n");
}
