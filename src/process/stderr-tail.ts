/**
 * A child's stderr as it runs: its last 16 KiB, for the one-line error that names what failed,
 * each whole line handed to `onLine` when given (mariabackup's position lines may be anywhere
 * in its long log), and when the stream ended (what a child says last may come after its exit).
 */
import type { ChildProcess } from "node:child_process";

export interface StderrTail {
  /** The last 16 KiB received. */
  text(): string;
  /** Resolves once the child's stderr closed (at once when it has none). */
  ended: Promise<void>;
}

export function stderrTail(child: ChildProcess, onLine?: (line: string) => void): StderrTail {
  let text = "";
  let partial = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    const received = chunk.toString("utf8");
    text = (text + received).slice(-16_384);
    if (!onLine) return;
    const lines = (partial + received).split("\n");
    partial = lines.pop()!.slice(-65_536);
    for (const line of lines) onLine(line);
  });
  const ended = new Promise<void>((resolve) => {
    if (!child.stderr) return resolve();
    child.stderr.once("close", () => {
      if (onLine && partial !== "") onLine(partial);
      partial = "";
      resolve();
    });
  });
  return { text: () => text, ended };
}
