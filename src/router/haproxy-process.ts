import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, closeSync, constants, openSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect } from "node:net";
import { runToCompletion, lastLines } from "../process/child-exit.js";
import { SupervisedChild } from "../process/supervised-child.js";
import { ServerFailedError } from "../errors.js";
import { schedulerBackoff } from "../decide/restart-backoff.js";

export interface HaproxyProcessOptions {
  configPath: string;
  config: string;
  /** The admin stats socket the config declares, for runtime commands. */
  statsSocket: string;
  logPath: string;
  haproxyPath?: string;
  log: (line: string) => void;
  /**
   * HAProxy gets SIGTERM when this process ends, even by SIGKILL (the local runner: no
   * HAProxy outlives it). HAProxy cannot watch a pipe or a pid, so the kernel does it:
   * `setpriv --pdeathsig` sets the parent-death signal and execs HAProxy in place (same
   * pid, so reloads and the admin socket work as before); the setting survives HAProxy's
   * re-exec on reload. The signal comes when the thread that spawned it ends: this runs on
   * Node's main thread, which lives as long as the process. A runner killed in the
   * microseconds before setpriv sets it leaves HAProxy behind: the next `local up` stops it.
   */
  stopWithParent?: boolean;
  /**
   * The config's `server-state-file` and the every-server-DOWN state it starts from
   * (renderStartDownServerState): written before each start of HAProxy, so that a server
   * earns its first UP by passing its checks; a reload writes the live states there instead.
   */
  serverState?: { file: string; startDown: string };
}

/**
 * Runs HAProxy in the foreground (-db), kept running by process/supervised-child.ts with the
 * backoff the local runner's agents and the agents' mariadbd get (restart-backoff.ts: 1 s,
 * doubling after each quick exit up to 30 s, 1 s again after a minute's run), so a HAProxy
 * that cannot start does not spin. The config is checked with `haproxy -c` first, so a bad
 * render fails loudly.
 */
export class HaproxyProcess {
  readonly options: HaproxyProcessOptions;
  readonly #supervised: SupervisedChild;
  #warnedNoSetpriv = false;

  constructor(options: HaproxyProcessOptions) {
    this.options = options;
    this.#supervised = new SupervisedChild({
      name: "haproxy",
      spawn: () => this.#spawn(options.haproxyPath ?? "haproxy"),
      policy: schedulerBackoff,
      log: options.log,
      stopTimeoutMs: 10_000,
    });
  }

  get pid(): number | null {
    return this.#supervised.pid;
  }

  async start(): Promise<void> {
    await this.#writeChecked(this.options.config);
    this.#supervised.start();
  }

  /** Writes a config after `haproxy -c` accepted it; a rejected one is never installed. */
  async #writeChecked(config: string): Promise<void> {
    const candidate = `${this.options.configPath}.new`;
    writeFileSync(candidate, config, { mode: 0o600 });
    const check = await runToCompletion(this.options.haproxyPath ?? "haproxy", ["-c", "-f", candidate]);
    if (check.exitCode !== 0) {
      throw new ServerFailedError(
        `haproxy rejected a new config: ${lastLines(check.stderr + check.stdout)}; the running router keeps its old one`,
      );
    }
    renameSync(candidate, this.options.configPath);
  }

  /**
   * Installs a new config (e.g. nodes added or removed) with a seamless reload: the master
   * starts new workers, and old workers finish their sessions, so no healthy session drops.
   */
  async reload(config: string, startDownState?: string): Promise<void> {
    await this.#writeChecked(config);
    const state = this.options.serverState;
    if (state) {
      // A later restart (after a crash) starts from every server DOWN, new servers included.
      if (startDownState !== undefined) state.startDown = startDownState;
      // The new workers load the servers' current states instead of taking them all for UP.
      writeFileSync(state.file, await this.runtime("show servers state"));
    }
    this.#supervised.child?.kill("SIGUSR2");
    this.options.log("haproxy reloaded with the new membership");
  }

  /** One command on the admin socket (the runtime API); returns HAProxy's answer. */
  runtime(command: string): Promise<string> {
    return haproxyRuntime(this.options.statsSocket, command);
  }

  /**
   * Planned work on a node. "drain": no new connection goes to it in either backend while
   * its sessions finish; its health checks keep running. "ready": back to normal, with
   * weight 1, so its checks alone decide whether it gets traffic (a node added at weight 0
   * enters this way). Not MAINT: leaving MAINT, HAProxy takes a server for UP at once, which
   * in the writer backend is a second writer until its checks fail.
   */
  async setServerState(server: string, state: "drain" | "ready"): Promise<void> {
    for (const backend of ["galera_writer", "galera_readers"]) {
      await this.runtime(`set server ${backend}/${server} state ${state}`);
      if (state === "ready") await this.runtime(`set server ${backend}/${server} weight 1`);
    }
  }

  /** One run of HAProxy, from every server DOWN. */
  #spawn(haproxy: string): ChildProcess {
    const state = this.options.serverState;
    if (state) writeFileSync(state.file, state.startDown, { mode: 0o600 });
    const logFd = openSync(this.options.logPath, "a");
    // Its own process group: a Ctrl-C in the terminal reaches the runner, which stops HAProxy last.
    // Master-worker (-W) in the foreground (-db): SIGUSR2 reloads without dropping sessions.
    const args = ["-W", "-db", "-f", this.options.configPath];
    const setpriv = this.options.stopWithParent ? findSetpriv() : null;
    if (this.options.stopWithParent && !setpriv && !this.#warnedNoSetpriv) {
      this.#warnedNoSetpriv = true;
      this.options.log(
        "setpriv (util-linux) not found: haproxy will not stop by itself if this runner is killed; the next start stops it",
      );
    }
    const child = spawn(
      setpriv ?? haproxy,
      setpriv ? ["--pdeathsig", "TERM", "--", haproxy, ...args] : args,
      { stdio: ["ignore", logFd, logFd], detached: true },
    );
    closeSync(logFd);
    this.options.log(`haproxy started (pid ${child.pid ?? "?"}), log ${this.options.logPath}`);
    return child;
  }

  /** SIGTERM, SIGKILL after 10 s; a restart in wait is cancelled. */
  async stop(): Promise<void> {
    await this.#supervised.stop();
  }
}

/**
 * One command on an HAProxy admin socket (the runtime API); HAProxy's answer. With
 * `timeoutMs`, a socket silent that long is closed and the promise rejects.
 */
export function haproxyRuntime(statsSocket: string, command: string, timeoutMs?: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(statsSocket);
    let answer = "";
    if (timeoutMs !== undefined) {
      socket.setTimeout(timeoutMs, () =>
        socket.destroy(new Error(`no answer from ${statsSocket} in ${timeoutMs} ms`)),
      );
    }
    socket.on("connect", () => socket.end(`${command}\n`));
    socket.on("data", (c: Buffer) => (answer += c.toString()));
    socket.on("end", () => resolve(answer));
    socket.on("error", reject);
  });
}

/** setpriv's path on PATH (util-linux, essential on Debian), or null. */
function findSetpriv(): string | null {
  for (const dir of (process.env["PATH"] ?? "/usr/bin:/bin").split(":")) {
    const path = join(dir || ".", "setpriv");
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // Not here.
    }
  }
  return null;
}
