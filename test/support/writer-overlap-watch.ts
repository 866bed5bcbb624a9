import { setTimeout as sleep } from "node:timers/promises";
import { haproxyRuntime } from "../../src/router/haproxy-process.js";
import { parseShowStat, type BackendServerState } from "../../src/router/haproxy-stat.js";

/** A moment when HAProxy's writer backend had more than one server holding writes. */
export interface WriterOverlap {
  at: number;
  phase: string;
  servers: string[];
}

/**
 * Reads HAProxy's writer backend through its runtime API (`show stat`) as fast as it answers,
 * with a short pause between reads, and records every moment when two servers or more hold
 * the writer role: able to take new connections (UP, or UP but failing, with a weight), or
 * still holding sessions. HAProxy's own view, not the agents': what clients are sent to.
 */
export class WriterOverlapWatch {
  readonly overlaps: WriterOverlap[] = [];
  /** Reads per phase, and how many found exactly one server taking writes. */
  readonly reads = new Map<string, { reads: number; oneWriter: number }>();
  #phase = "start";
  #running = false;
  #loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly socketPath: string,
    private readonly pauseMs = 10,
  ) {}

  /** Names what happens from now on, for the report. */
  phase(name: string): void {
    this.#phase = name;
  }

  start(): void {
    this.#running = true;
    this.#loop = (async () => {
      while (this.#running) {
        const rows = await this.#read();
        if (rows) this.#record(rows);
        await sleep(this.pauseMs);
      }
    })();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
  }

  /** One line per phase: reads, reads with one writer, overlaps. */
  report(): string {
    return [...this.reads]
      .map(([phase, r]) => {
        const overlaps = this.overlaps.filter((o) => o.phase === phase).length;
        return `${phase}: ${r.reads} reads of HAProxy's writer backend, ${r.oneWriter} with exactly one server taking writes, ${overlaps} with two or more`;
      })
      .join("\n");
  }

  #record(rows: BackendServerState[]): void {
    const writers = rows.filter((r) => r.backend === "galera_writer");
    const taking = writers.filter((r) => r.status.startsWith("UP") && r.weight > 0);
    const holding = writers.filter((r) => taking.includes(r) || r.sessions > 0);
    const count = this.reads.get(this.#phase) ?? { reads: 0, oneWriter: 0 };
    count.reads++;
    if (taking.length === 1) count.oneWriter++;
    this.reads.set(this.#phase, count);
    if (holding.length > 1) {
      this.overlaps.push({
        at: Date.now(),
        phase: this.#phase,
        servers: holding.map((r) => `${r.server} ${r.status} weight ${r.weight} sessions ${r.sessions}`),
      });
    }
  }

  /** One `show stat`, or null while HAProxy is not there (not started yet, restarting). */
  #read(): Promise<BackendServerState[] | null> {
    return haproxyRuntime(this.socketPath, "show stat", 1000).then(
      (answer) => (answer ? parseShowStat(answer) : null),
      () => null,
    );
  }
}
