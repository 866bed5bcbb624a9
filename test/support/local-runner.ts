import type { ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { spawnCli } from "./run-cli.js";

/** `galera-pilot local up` in the foreground, as `npm start` runs it, with its output kept. */
export interface LocalRunner {
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr interleaved. */
  output(): string;
  /** Resolves once the output matches; throws with the output if the runner exits or time runs out. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** Ctrl-C, as a person would press it, and waits for the exit; its exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `galera-pilot local up ARGS` and resolves once it printed "3 of 3 nodes synced after",
 * within 240 s. The process is killed after lifetimeMs whatever happens.
 */
export async function startLocalRunner(
  args: readonly string[],
  { env = {}, lifetimeMs = 1_200_000 }: { env?: Record<string, string>; lifetimeMs?: number } = {},
): Promise<LocalRunner> {
  const { child } = spawnCli(["local", "up", ...args], env, lifetimeMs);
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
  const runner: LocalRunner = {
    child,
    output: () => output,
    async waitForOutput(pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (Date.now() > deadline || child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`no ${pattern} in the runner's output:\n${output}`);
        }
        await sleep(200);
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      child.kill("SIGINT");
      return exited;
    },
  };
  await runner.waitForOutput(/3 of 3 nodes synced after/, 240_000);
  return runner;
}
