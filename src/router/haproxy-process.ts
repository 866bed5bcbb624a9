import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, writeFileSync } from "node:fs";
import { runToCompletion, stopChild, waitForExit, type ChildExit } from "../mysqld/child-exit.js";
import { ServerFailedError } from "../errors.js";
import { lastLines } from "../mysqld/initialise.js";

export interface HaproxyProcessOptions {
  configPath: string;
  config: string;
  logPath: string;
  haproxyPath?: string;
  log: (line: string) => void;
}

/**
 * Runs HAProxy in the foreground (-db), restarting it if it exits, like the agents. The
 * config is checked with `haproxy -c` first, so a bad render fails loudly instead of looping.
 */
export class HaproxyProcess {
  readonly options: HaproxyProcessOptions;
  #child: ChildProcess | null = null;
  #exited: Promise<ChildExit> | null = null;
  #stopping = false;

  constructor(options: HaproxyProcessOptions) {
    this.options = options;
  }

  get pid(): number | null {
    return this.#child?.pid ?? null;
  }

  async start(): Promise<void> {
    const haproxy = this.options.haproxyPath ?? "haproxy";
    writeFileSync(this.options.configPath, this.options.config, { mode: 0o600 });
    const check = await runToCompletion(haproxy, ["-c", "-f", this.options.configPath]);
    if (check.exitCode !== 0) {
      throw new ServerFailedError(
        `haproxy rejected ${this.options.configPath}: ${lastLines(check.stderr + check.stdout)}; the cluster runs without its router`,
      );
    }
    this.#spawn(haproxy);
  }

  #spawn(haproxy: string): void {
    const logFd = openSync(this.options.logPath, "a");
    // Its own process group: a Ctrl-C in the terminal reaches the runner, which stops HAProxy last.
    const child = spawn(haproxy, ["-db", "-f", this.options.configPath], {
      stdio: ["ignore", logFd, logFd],
      detached: true,
    });
    closeSync(logFd);
    this.#child = child;
    this.#exited = waitForExit(child, Date.now());
    this.options.log(`haproxy started (pid ${child.pid ?? "?"}), log ${this.options.logPath}`);
    void this.#exited.then((exit) => {
      if (this.#child === child) this.#child = null;
      if (this.#stopping) return;
      this.options.log(`haproxy exited (${exit.signal ?? `status ${exit.exitCode}`}); restarting in 1 s`);
      setTimeout(() => {
        if (!this.#stopping) this.#spawn(haproxy);
      }, 1000);
    });
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#child && this.#exited) await stopChild(this.#child, this.#exited, 10_000);
  }
}
