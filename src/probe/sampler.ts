import type { Connection } from "mysql2/promise";
import { sampledStatusNames, sampleFromStatus, unreachableSample, type WsrepSample } from "./wsrep-sample.js";

export interface SamplerOptions {
  socket: string;
  intervalMs: number;
  /** Connect and query timeout: a hung mariadbd must not hang the sampler. */
  timeoutMs: number;
  now?: () => number;
}

const statusQuery = `SHOW GLOBAL STATUS WHERE Variable_name IN (${sampledStatusNames.map((n) => `'${n}'`).join(",")})`;

/**
 * Samples the node's wsrep state in the background over ONE kept connection (unix socket,
 * as the OS root user: MariaDB's unix_socket authentication, no password to keep). HTTP
 * answers read `latest` and never open a connection of their own.
 */
export class Sampler {
  #connection: Connection | null = null;
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #latest: WsrepSample;
  #listeners: ((sample: WsrepSample) => void)[] = [];
  readonly options: SamplerOptions;

  static #driver: Promise<typeof import("mysql2/promise")> | null = null;

  /** mysql2, loaded once: at the first sample, or earlier when the agent asks for it. */
  static async loadDriver(): Promise<typeof import("mysql2/promise")> {
    Sampler.#driver ??= import("mysql2/promise").then((m) => m.default);
    return Sampler.#driver;
  }

  constructor(options: SamplerOptions) {
    this.options = options;
    this.#latest = unreachableSample(this.#now(), "not sampled yet");
  }

  #now(): number {
    return (this.options.now ?? Date.now)();
  }

  get latest(): WsrepSample {
    return this.#latest;
  }

  onSample(listener: (sample: WsrepSample) => void): void {
    this.#listeners.push(listener);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    const loop = async (): Promise<void> => {
      await this.sampleOnce();
      if (this.#running) this.#timer = setTimeout(() => void loop(), this.options.intervalMs);
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const connection = this.#connection;
    this.#connection = null;
    connection?.destroy();
  }

  /** Takes one sample now; on any failure drops the connection so the next turn reconnects. */
  async sampleOnce(): Promise<WsrepSample> {
    const takenAt = this.#now();
    let sample: WsrepSample;
    try {
      const connection = await this.#connect();
      const [rows] = await connection.query({ sql: statusQuery, timeout: this.options.timeoutMs });
      const [ro] = await connection.query({
        sql: "SELECT @@global.read_only AS ro",
        timeout: this.options.timeoutMs,
      });
      const status = new Map<string, string>();
      for (const row of rows as { Variable_name: string; Value: string }[])
        status.set(row.Variable_name, row.Value);
      const readOnlyRow = (ro as { ro: number }[])[0];
      sample = sampleFromStatus(takenAt, status, readOnlyRow ? readOnlyRow.ro === 1 : null);
    } catch (error) {
      this.#connection?.destroy();
      this.#connection = null;
      const code = (error as { code?: string }).code;
      sample = unreachableSample(takenAt, code ?? (error instanceof Error ? error.message : String(error)));
    }
    this.#latest = sample;
    for (const listener of this.#listeners) listener(sample);
    return sample;
  }

  async #connect(): Promise<Connection> {
    if (this.#connection) return this.#connection;
    const mysql = await Sampler.loadDriver();
    const connection = await mysql.createConnection({
      socketPath: this.options.socket,
      user: "root",
      connectTimeout: this.options.timeoutMs,
    });
    connection.on("error", () => {
      if (this.#connection === connection) this.#connection = null;
    });
    this.#connection = connection;
    return connection;
  }
}
