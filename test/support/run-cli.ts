import { spawn, type ChildProcess } from "node:child_process";
import { agentEntry } from "./local-cluster-harness.js";

export interface CliResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `galera-pilot ARGS` with exactly the given environment (plus PATH); kills it after timeoutMs. */
export function runCli(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<CliResult> {
  return spawnCli(args, env, timeoutMs).result;
}

/** Starts `galera-pilot ARGS` and gives its process, for a test that stops it itself. */
export function spawnCli(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 600_000,
): { child: ChildProcess; result: Promise<CliResult> } {
  const child = spawn(process.execPath, [agentEntry, ...args], {
    env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const result = new Promise<CliResult>((resolve) => {
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, stdout, stderr });
    });
  });
  return { child, result };
}

/** The `galera-pilot: …` error lines of a run (the agent's info lines carry a timestamp instead). */
export function errorLines(result: CliResult): string[] {
  return result.stderr.split("\n").filter((l) => l.startsWith("galera-pilot:"));
}
