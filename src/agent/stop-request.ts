// Why the agent is leaving, once it is, and the waits a stop request cuts short.

import { ExitCode } from "../errors.js";

export class StopRequest {
  /** A failure that ends the agent (its health listener down for good), once there is one. */
  #failure: Error | null = null;
  /** Why the agent is leaving (a signal, or a failure of its health listener), or null. */
  #reason: string | null = null;
  /** Everyone waiting for a stop: a run of mariadbd and a pause may wait at once. */
  readonly #waiting = new Set<() => void>();

  get requested(): boolean {
    return this.#reason !== null;
  }

  /**
   * A failure that makes the agent leave cleanly and exit non-zero for its supervisor (the
   * scheduler, or the local runner) to start it again, however cleanly mariadbd leaves.
   */
  fail(error: Error, reason: string): void {
    this.#failure ??= error;
    this.request(reason);
  }

  /** The agent's exit code: a failure makes a clean exit non-zero. */
  exitCode(code: number): number {
    return this.#failure && code === ExitCode.ok ? ExitCode.unexpected : code;
  }

  /** Records the first request; returns false for a later one, which changes nothing. */
  request(reason: string): boolean {
    if (this.#reason !== null) return false;
    this.#reason = reason;
    for (const wake of this.#waiting) wake();
    this.#waiting.clear();
    return true;
  }

  /**
   * Resolves when a stop is requested (at once if it already was); cancel() forgets the
   * waiter when what waited ended otherwise (a run of mariadbd that exited on its own).
   */
  watch(): { promise: Promise<"stop">; cancel: () => void } {
    let wake: () => void = () => undefined;
    const promise = new Promise<"stop">((resolve) => {
      if (this.#reason !== null) return resolve("stop");
      wake = () => resolve("stop");
      this.#waiting.add(wake);
    });
    return { promise, cancel: () => this.#waiting.delete(wake) };
  }

  /** Sleeps, or returns early with "stop" when a stop is requested. */
  pause(ms: number): Promise<"slept" | "stop"> {
    if (this.#reason !== null) return Promise.resolve("stop");
    return new Promise((resolve) => {
      // Its waiter leaves with it: a decision round pauses every 50 ms.
      const wake = (): void => {
        clearTimeout(timer);
        resolve("stop");
      };
      const timer = setTimeout(() => {
        this.#waiting.delete(wake);
        resolve("slept");
      }, ms);
      this.#waiting.add(wake);
    });
  }
}
