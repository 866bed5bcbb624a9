import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import mysql from "mysql2/promise";

export interface ClientLoopResult {
  statements: number;
  /** Statements sent and answered with an error (a lost connection mid-statement counts). */
  failed: { at: number; error: string }[];
  /** Which node took each acknowledged write (@@wsrep_node_name), in order. */
  writers: string[];
  /** Times (ms) at which a statement was acknowledged. */
  ackedAt: number[];
}

/** The application user of the local cluster's client.cnf. */
export function clientCredentials(clientCnf: string): { user: string; password: string } {
  const text = readFileSync(clientCnf, "utf8");
  return {
    user: /^user=(.*)$/m.exec(text)![1]!,
    password: /^password=(.*)$/m.exec(text)![1]!,
  };
}

/**
 * An application through the router: a new connection per statement, as a pool with short
 * leases behaves. Connecting is retried (no statement was sent, nothing can be lost or
 * doubled); a statement that errors after it was sent counts as failed.
 */
export class RouterClientLoop {
  readonly result: ClientLoopResult = { statements: 0, failed: [], writers: [], ackedAt: [] };
  #running = false;
  #loop: Promise<void> | null = null;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly credentials: { user: string; password: string },
    private readonly table = "app.writes",
  ) {}

  async prepare(): Promise<void> {
    const c = await this.#connect(30_000);
    await c.query("CREATE DATABASE IF NOT EXISTS app");
    await c.query(
      `CREATE TABLE IF NOT EXISTS ${this.table} (id BIGINT AUTO_INCREMENT PRIMARY KEY, node VARCHAR(16))`,
    );
    await c.end();
  }

  async #connect(retryForMs: number): Promise<mysql.Connection> {
    const deadline = Date.now() + retryForMs;
    for (;;) {
      try {
        return await mysql.createConnection({
          host: this.host,
          port: this.port,
          ...this.credentials,
          connectTimeout: 2000,
        });
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(50);
      }
    }
  }

  start(): void {
    this.#running = true;
    this.#loop = (async () => {
      while (this.#running) {
        let c: mysql.Connection;
        try {
          c = await this.#connect(60_000);
        } catch (error) {
          this.result.failed.push({ at: Date.now(), error: `could not connect for 60 s: ${String(error)}` });
          continue;
        }
        try {
          this.result.statements++;
          await c.query(`INSERT INTO ${this.table} (node) VALUES (@@wsrep_node_name)`);
          const [rows] = await c.query("SELECT @@wsrep_node_name AS node");
          this.result.writers.push((rows as { node: string }[])[0]!.node);
          this.result.ackedAt.push(Date.now());
        } catch (error) {
          this.result.failed.push({
            at: Date.now(),
            error: error instanceof Error ? error.message : String(error),
          });
        } finally {
          c.destroy();
        }
        await sleep(20);
      }
    })();
  }

  async stop(): Promise<ClientLoopResult> {
    this.#running = false;
    await this.#loop;
    return this.result;
  }
}
