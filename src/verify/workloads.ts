import { setTimeout as sleep } from "node:timers/promises";
import mysql from "mysql2/promise";
import type { Secret } from "../config/secret.js";

export interface Endpoint {
  host: string;
  port: number;
  user: string;
  password: Secret;
}

export const verifyDatabase = "galera_pilot_verify";
export const appendTable = `${verifyDatabase}.appends`;
export const bankTable = `${verifyDatabase}.accounts`;
export const bankAccounts = 10;
export const bankOpening = 1000;

/** A statement longer than this is abandoned (a paused node never answers); its outcome is indeterminate. */
const statementTimeoutMs = 15_000;

export async function connectTo(endpoint: Endpoint, connectTimeoutMs = 2000): Promise<mysql.Connection> {
  return mysql.createConnection({
    host: endpoint.host,
    port: endpoint.port,
    user: endpoint.user,
    password: endpoint.password.reveal(),
    connectTimeout: connectTimeoutMs,
  });
}

/**
 * Creates the workloads' tables from scratch, with the bank's opening balances. Connecting is
 * retried for a while: just after a recovery the agents have elected a writer a moment before
 * the router's checks mark it up, and the router closes connections meanwhile.
 */
export async function prepareTables(writer: Endpoint): Promise<void> {
  let c: mysql.Connection | null = null;
  for (const deadline = Date.now() + 30_000; !c;) {
    try {
      c = await connectTo(writer, 5_000);
      await c.query("SELECT 1");
    } catch (error) {
      c?.destroy();
      c = null;
      if (Date.now() > deadline) throw error;
      await sleep(250);
    }
  }
  try {
    await c.query(`DROP DATABASE IF EXISTS ${verifyDatabase}`);
    await c.query(`CREATE DATABASE ${verifyDatabase}`);
    await c.query(`CREATE TABLE ${appendTable} (id BIGINT PRIMARY KEY, worker INT NOT NULL)`);
    await c.query(`CREATE TABLE ${bankTable} (id INT PRIMARY KEY, balance BIGINT NOT NULL)`);
    const rows = Array.from({ length: bankAccounts }, (_, i) => `(${i}, ${bankOpening})`).join(",");
    await c.query(`INSERT INTO ${bankTable} VALUES ${rows}`);
  } finally {
    await c.end();
  }
}

/**
 * Did the statement reach the server? A server error (certification conflict, "WSREP has
 * not yet prepared node", a deadlock) is an answer: nothing was committed. A broken
 * connection or a timeout is no answer: the commit may or may not have happened.
 */
function answeredByServer(error: unknown): boolean {
  const e = error as { sqlState?: string; errno?: number; fatal?: boolean };
  return typeof e.errno === "number" && e.errno > 0 && e.fatal !== true;
}

interface Counters {
  attempted: number;
  acknowledged: number;
  /** Answered with an error: not committed. */
  rejected: number;
  /** No answer: may or may not be committed. */
  indeterminate: number;
  /** Could not connect (nothing sent). */
  connectFailures: number;
}

/** Shared by the two workloads: one connection per worker, re-made after any error. */
abstract class Workload {
  readonly counters: Counters = {
    attempted: 0,
    acknowledged: 0,
    rejected: 0,
    indeterminate: 0,
    connectFailures: 0,
  };
  #running = false;
  #loops: Promise<void>[] = [];

  constructor(
    protected readonly endpoint: Endpoint,
    private readonly workers: number,
  ) {}

  start(): void {
    this.#running = true;
    this.#loops = Array.from({ length: this.workers }, (_, worker) => this.#loop(worker));
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
  }

  get running(): boolean {
    return this.#running;
  }

  async #loop(worker: number): Promise<void> {
    let c: mysql.Connection | null = null;
    while (this.#running) {
      if (!c) {
        try {
          c = await connectTo(this.endpoint);
        } catch {
          this.counters.connectFailures++;
          await sleep(100);
          continue;
        }
      }
      try {
        await this.step(c, worker);
      } catch {
        // The step recorded the outcome; a connection that erred is not reused.
        c.destroy();
        c = null;
        await sleep(50);
      }
    }
    c?.destroy();
  }

  /** One operation; records its own outcome and rethrows errors after recording them. */
  protected abstract step(c: mysql.Connection, worker: number): Promise<void>;

  protected async timed<T>(c: mysql.Connection, sql: string): Promise<T> {
    const [rows] = await c.query({ sql, timeout: statementTimeoutMs });
    return rows as T;
  }

  protected classify(error: unknown): "rejected" | "indeterminate" {
    return answeredByServer(error) ? "rejected" : "indeterminate";
  }
}

/**
 * Unique appends: each worker inserts ids of its own, one autocommit INSERT at a time.
 * An acknowledged id must be on every node at the end; an id whose answer never came may be.
 */
export class AppendWorkload extends Workload {
  readonly acknowledged: number[] = [];
  /** When each acknowledged id was acknowledged (ms), in the same order: a lost id is placed in the fault timeline by it. */
  readonly acknowledgedAt: number[] = [];
  readonly indeterminate: number[] = [];
  readonly #next = new Map<number, number>();

  protected async step(c: mysql.Connection, worker: number): Promise<void> {
    const seq = (this.#next.get(worker) ?? 0) + 1;
    this.#next.set(worker, seq);
    const id = worker * 1_000_000_000 + seq;
    this.counters.attempted++;
    try {
      await this.timed(c, `INSERT INTO ${appendTable} VALUES (${id}, ${worker})`);
      this.acknowledged.push(id);
      this.acknowledgedAt.push(Date.now());
      this.counters.acknowledged++;
    } catch (error) {
      const outcome = this.classify(error);
      this.counters[outcome]++;
      if (outcome === "indeterminate") this.indeterminate.push(id);
      throw error;
    }
  }
}

/**
 * Bank transfers: move a random amount between two random accounts in one transaction. The
 * total never changes, whatever commits or not; a read of the total through the readers
 * (one snapshot) must always see the opening total.
 */
export class BankWorkload extends Workload {
  readonly wrongTotals: { at: string; total: number }[] = [];
  reads = 0;

  constructor(
    endpoint: Endpoint,
    workers: number,
    private readonly reader: Endpoint | null,
  ) {
    super(endpoint, workers);
  }

  protected async step(c: mysql.Connection, worker: number): Promise<void> {
    if (worker === 0 && this.reader && Math.random() < 0.2) return this.#readTotal();
    const from = Math.floor(Math.random() * bankAccounts);
    const to = (from + 1 + Math.floor(Math.random() * (bankAccounts - 1))) % bankAccounts;
    const amount = 1 + Math.floor(Math.random() * 20);
    this.counters.attempted++;
    try {
      await this.timed(c, "START TRANSACTION");
      await this.timed(c, `SELECT balance FROM ${bankTable} WHERE id IN (${from}, ${to}) FOR UPDATE`);
      await this.timed(c, `UPDATE ${bankTable} SET balance = balance - ${amount} WHERE id = ${from}`);
      await this.timed(c, `UPDATE ${bankTable} SET balance = balance + ${amount} WHERE id = ${to}`);
      await this.timed(c, "COMMIT");
      this.counters.acknowledged++;
    } catch (error) {
      this.counters[this.classify(error)]++;
      throw error;
    }
  }

  async #readTotal(): Promise<void> {
    let c: mysql.Connection | null = null;
    try {
      c = await connectTo(this.reader!);
      const rows = await this.timed<{ total: string | number }[]>(
        c,
        `SELECT SUM(balance) AS total FROM ${bankTable}`,
      );
      this.reads++;
      const total = Number(rows[0]?.total);
      if (total !== bankAccounts * bankOpening)
        this.wrongTotals.push({ at: new Date().toISOString(), total });
    } catch {
      // A read that fails shows nothing about the data.
    } finally {
      c?.destroy();
    }
  }
}
