// Keeps one child process running, as a scheduler keeps a task: the restart loop of the local
// runner's agents and of HAProxy. On an exit it did not ask for, it says how the child ended
// and starts it again after the wait restart-backoff.ts gives. The agent's mariadbd waits by
// the same policy (decide/server-exit.ts) but keeps its own loop: it decides with its peers
// before every start (agent/node-agent.ts, #superviseServer).
import type { ChildProcess } from "node:child_process";
import { restartDelay, type BackoffPolicy } from "../decide/restart-backoff.js";
import { describeExit } from "../decide/server-exit.js";
import { stopChild, waitForExit, type ChildExit } from "./child-exit.js";

export interface SupervisedChildOptions {
  /** What the log calls the child: "haproxy". */
  name: string;
  /** Starts one run of the child (the first start and each restart). */
  spawn: () => ChildProcess;
  /** The wait before each restart (restart-backoff.ts). */
  policy: BackoffPolicy;
  log: (line: string) => void;
  /**
   * stop() sends SIGTERM, then SIGKILL after this long. null: SIGTERM only, waiting as long as
   * the child takes (a child with stop timeouts of its own, as an agent stopping mariadbd).
   */
  stopTimeoutMs: number | null;
  /**
   * The child leads a process group of its own (it was spawned detached): kill() sends SIGKILL
   * to the whole group, the child's own children with it. Default false: the child alone.
   */
  processGroup?: boolean;
  /** The line logged before a restart; by default `NAME was killed by SIGKILL; restarting in 1 s`. */
  restartLine?: (exit: ChildExit, waitMs: number) => string;
  /**
   * The owner's say besides hold(), asked when the child exits and again when the wait ends:
   * false leaves it down (the local runner's `down`). Default: always true.
   */
  mayRestart?: () => boolean;
  /** A run began: the child is supervised now. */
  onSpawn?: (child: ChildProcess) => void;
  /** A run ended, asked for or not; called before a restart is scheduled. */
  onExit?: (exit: ChildExit) => void;
}

/**
 * One child kept running: start() spawns it, an exit it did not ask for (no stop(), hold() or
 * kill({ restart: false })) starts it again after the policy's wait, doubling after quick
 * exits and back to the first wait after a healthy run.
 */
export class SupervisedChild {
  readonly #options: SupervisedChildOptions;
  #child: ChildProcess | null = null;
  /** The current run's exit, as waitForExit reports it. */
  #exited: Promise<ChildExit> | null = null;
  /** The current run's exit once handled: onExit called, a restart scheduled or not. */
  #handled: Promise<ChildExit> | null = null;
  /** Kept down: by stop(), hold() or kill({ restart: false }), until start(). */
  #held = false;
  #restartTimer: NodeJS.Timeout | null = null;
  /** The backoff's next wait after a quick exit. */
  #nextInLineMs: number;
  #restarts = 0;

  constructor(options: SupervisedChildOptions) {
    this.#options = options;
    this.#nextInLineMs = options.policy.initialMs;
  }

  /** The running child, or null (not started, stopped, or waiting to restart). */
  get child(): ChildProcess | null {
    return this.#child;
  }

  get pid(): number | null {
    return this.#child?.pid ?? null;
  }

  /** Kept down until start(). */
  get held(): boolean {
    return this.#held;
  }

  /** How many times it was started again after an exit it did not ask for. */
  get restarts(): number {
    return this.#restarts;
  }

  /** Starts it unless it runs (a pending restart happens now), and restarts it from now on. */
  start(): void {
    this.#held = false;
    this.#cancelRestart();
    if (this.#child === null) this.#spawn();
  }

  /** Restarts it no more (a pending restart is cancelled); a running child is left running. */
  hold(): void {
    this.#held = true;
    this.#cancelRestart();
  }

  /**
   * Holds it, then ends the running child: SIGTERM, then SIGKILL after stopTimeoutMs. Resolves
   * with its exit once handled (onExit called); null when none ran.
   */
  async stop(): Promise<ChildExit | null> {
    this.hold();
    const child = this.#child;
    const exited = this.#exited;
    const handled = this.#handled;
    if (!child || !exited || !handled) return null;
    const timeoutMs = this.#options.stopTimeoutMs;
    let exit: ChildExit;
    if (timeoutMs === null) {
      child.kill("SIGTERM");
      exit = await exited;
    } else {
      exit = await stopChild(child, exited, timeoutMs);
    }
    await handled;
    return exit;
  }

  /**
   * SIGKILL (to its process group with processGroup): a crash. It is started again as after
   * any exit, unless `restart: false` holds it first. Resolves with the exit once handled;
   * null when none ran.
   */
  async kill({ restart = true }: { restart?: boolean } = {}): Promise<ChildExit | null> {
    if (!restart) this.hold();
    const child = this.#child;
    const handled = this.#handled;
    if (!child?.pid || !handled) return null;
    try {
      if (this.#options.processGroup) process.kill(-child.pid, "SIGKILL");
      else child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    return handled;
  }

  #spawn(): void {
    const child = this.#options.spawn();
    const exited = waitForExit(child, Date.now());
    this.#child = child;
    this.#exited = exited;
    this.#handled = exited.then((exit) => {
      this.#ended(child, exit);
      return exit;
    });
    this.#options.onSpawn?.(child);
  }

  #ended(child: ChildProcess, exit: ChildExit): void {
    if (this.#child === child) {
      this.#child = null;
      this.#exited = null;
      this.#handled = null;
    }
    this.#options.onExit?.(exit);
    if (!this.#mayRestart()) return;
    const delay = restartDelay(this.#options.policy, exit.durationMs, this.#nextInLineMs);
    this.#nextInLineMs = delay.nextInLineMs;
    const line = this.#options.restartLine?.(exit, delay.waitMs);
    this.#options.log(
      line ?? `${this.#options.name} ${describeExit(exit)}; restarting in ${delay.waitMs / 1000} s`,
    );
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = null;
      if (!this.#mayRestart() || this.#child !== null) return;
      this.#restarts++;
      this.#spawn();
    }, delay.waitMs);
  }

  #mayRestart(): boolean {
    return !this.#held && (this.#options.mayRestart?.() ?? true);
  }

  #cancelRestart(): void {
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    this.#restartTimer = null;
  }
}
