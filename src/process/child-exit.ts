import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";

/** A child's exit as data (execa's model): the caller decides what it means. */
export interface ChildExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** We sent SIGKILL because SIGTERM did not end it within the stop timeout. */
  forcedKill: boolean;
  durationMs: number;
}

export interface RunResult extends ChildExit {
  stdout: string;
  stderr: string;
}

/** Resolves when the child exits; never rejects (a spawn failure becomes exit code 127). */
export function waitForExit(child: ChildProcess, startedAt: number): Promise<ChildExit> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (exitCode: number | null, signal: NodeJS.Signals | null): void => {
      if (settled) return;
      settled = true;
      resolve({ exitCode, signal, forcedKill: false, durationMs: Date.now() - startedAt });
    };
    child.once("exit", done);
    child.once("error", () => done(127, null));
  });
}

/** How long a child's output may still arrive after its exit. */
export const outputDrainMs = 2000;

/**
 * Runs a command to completion, collecting its output, with optional stdin text.
 * Output is capped so a chatty child cannot exhaust memory.
 */
export async function runToCompletion(
  command: string,
  args: readonly string[],
  options: SpawnOptions & { input?: string } = {},
): Promise<RunResult> {
  const startedAt = Date.now();
  const { input, ...spawnOptions } = options;
  const child = spawn(command, args, { ...spawnOptions, stdio: ["pipe", "pipe", "pipe"] });
  const cap = 4 * 1024 * 1024;
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    if (stdout.length < cap) stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    if (stderr.length < cap) stderr += chunk.toString();
  });
  child.stdin?.on("error", () => {
    // The child may exit before reading stdin; its exit status tells what happened.
  });
  child.stdin?.end(input ?? "");
  const spawnError = new Promise<Error>((resolve) => child.once("error", resolve));
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const exit = await waitForExit(child, startedAt);
  // "exit" may come before the pipes have delivered the child's last lines ("close" comes
  // after them): a child that printed its answer and exited at once was read as silent, one
  // run in ten when two ran side by side. Bounded: a grandchild may keep a pipe open.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([closed, new Promise((resolve) => (timer = setTimeout(resolve, outputDrainMs)))]);
  clearTimeout(timer);
  if (exit.exitCode === 127 && child.pid === undefined) {
    stderr += String(await spawnError);
  }
  return { ...exit, stdout, stderr };
}

/** SIGTERM, then SIGKILL after `timeoutMs`: the stop every supervisor needs. */
export async function stopChild(
  child: ChildProcess,
  exited: Promise<ChildExit>,
  timeoutMs: number,
): Promise<ChildExit> {
  if (child.exitCode !== null || child.signalCode !== null) return exited;
  child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  const first = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  if (first !== "timeout") return first;
  child.kill("SIGKILL");
  return { ...(await exited), forcedKill: true };
}

/** The end of a child's output, on one line, for an error message. */
export function lastLines(text: string, count = 3): string {
  const lines = text
    .trim()
    .split("\n")
    .filter((l) => !/Could not increase number of max_open_files/.test(l));
  // mariadb-install-db ends with a generic "check all of the above" banner; the cause is the
  // first error line above it.
  const cause = lines.find((l) => /\[ERROR\]|^ERROR|Can't|cannot|denied|No such file/i.test(l));
  const tail = lines.slice(-count);
  return (cause && !tail.includes(cause) ? [cause, ...tail] : tail).join(" | ");
}
