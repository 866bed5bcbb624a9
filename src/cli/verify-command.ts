import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BadInputError, ExitCode, GaleraPilotError } from "../errors.js";
import { controlRequest, type LocalClusterStatus } from "../local/control-server.js";
import { allFaultKinds } from "../verify/fault-schedule.js";
import { requireSecret } from "../config/read-secret.js";
import type { Secret } from "../config/secret.js";
import { ExternalVerifyCluster } from "../verify/external-verify-cluster.js";
import { LocalVerifyCluster } from "../verify/local-verify-cluster.js";
import type { VerifyCluster } from "../verify/verify-cluster.js";
import { runVerify, type VerifyReport, type VerifySettings } from "../verify/verify-run.js";
import type { Endpoint } from "../verify/workloads.js";
import { parseVerifyArgs, type VerifyArgs, type VerifyProfile } from "./verify-options.js";

type Env = Readonly<Record<string, string | undefined>>;

/** Found lost writes, divergence, or a cluster that did not recover. */
export const verifyFailedExit = ExitCode.verifyFoundProblems;

const profiles: Record<VerifyProfile, Omit<VerifySettings, "seed">> = {
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
  const args = parseVerifyArgs(argv, env);
  const { stateDir, kinds, faultCommand, durationS, json } = args;
  let reportPath = args.reportPath;
  const base = profiles[args.profile];
  const settings: VerifySettings = {
    ...base,
    kinds: kinds ?? base.kinds,
    cycles: args.cycles ?? (kinds ? kinds.length : base.cycles),
    seed: args.seed,
  };
  let cluster: VerifyCluster;
  if (args.writer !== null || args.nodes !== null) {
    cluster = externalCluster(args, env);
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

function endpointOf(text: string, user: string, password: Secret): Endpoint {
  const at = text.lastIndexOf(":");
  return { host: text.slice(0, at), port: Number(text.slice(at + 1)), user, password };
}

function externalCluster(args: VerifyArgs, env: Env): VerifyCluster {
  const { writer, reader, nodes, faultCommand, kinds } = args;
  if (!writer || !nodes) {
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
  return new ExternalVerifyCluster(
    endpointOf(writer, user, password),
    reader ? endpointOf(reader, user, password) : null,
    nodes.map((node) => ({ name: node.name, endpoint: endpointOf(node.hostPort, user, password) })),
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
