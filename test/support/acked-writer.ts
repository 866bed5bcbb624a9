import assert from "node:assert/strict";
import mysql from "mysql2/promise";

/**
 * A client that inserts rows one by one (autocommit) and remembers which inserts were
 * acknowledged. An insert whose connection broke during the statement is indeterminate,
 * not lost: only acknowledged ids must survive.
 */
export class AckedWriter {
  readonly acknowledged: number[] = [];
  /** When each acknowledged insert's answer came (Date.now()), in the same order. */
  readonly acknowledgedAt: number[] = [];
  #next = 1;
  #running = false;
  #loop: Promise<void> | null = null;

  constructor(
    private readonly socket: string,
    private readonly table = "t.acked",
    /** The first id inserted: a second writer of one table starts past the first's. */
    firstId = 1,
  ) {
    this.#next = firstId;
  }

  async createTable(): Promise<void> {
    const c = await mysql.createConnection({ socketPath: this.socket, user: "root" });
    await c.query("CREATE DATABASE IF NOT EXISTS t");
    await c.query(`CREATE TABLE IF NOT EXISTS ${this.table} (id INT PRIMARY KEY)`);
    await c.end();
  }

  /** Inserts `count` rows now; all must be acknowledged. */
  async writeRows(count: number): Promise<void> {
    const c = await mysql.createConnection({ socketPath: this.socket, user: "root" });
    try {
      for (let i = 0; i < count; i++) {
        const id = this.#next++;
        await c.query(`INSERT INTO ${this.table} VALUES (${id})`);
        this.acknowledged.push(id);
        this.acknowledgedAt.push(Date.now());
      }
    } finally {
      await c.end();
    }
  }

  /** Keeps inserting in the background until stop(); failures end the loop quietly. */
  start(): void {
    this.#running = true;
    this.#loop = (async () => {
      let c: mysql.Connection | null = null;
      try {
        c = await mysql.createConnection({ socketPath: this.socket, user: "root" });
        while (this.#running) {
          const id = this.#next++;
          await c.query(`INSERT INTO ${this.table} VALUES (${id})`);
          this.acknowledged.push(id);
          this.acknowledgedAt.push(Date.now());
        }
      } catch {
        // The node went away mid-statement: that insert is indeterminate.
      } finally {
        c?.destroy();
      }
    })();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
  }

  /** Fails, naming the node, unless every acknowledged row is on each of these nodes. */
  async assertNoneMissingOn(nodes: readonly { name: string; socket: string }[]): Promise<void> {
    for (const node of nodes) {
      assert.deepEqual(await this.missingOn(node.socket), [], `acknowledged writes missing on ${node.name}`);
    }
  }

  /** Ids of acknowledged rows missing from the node. */
  async missingOn(socket: string): Promise<number[]> {
    const c = await mysql.createConnection({ socketPath: socket, user: "root" });
    try {
      await c.query("SET SESSION wsrep_sync_wait=1");
      const [rows] = await c.query(`SELECT id FROM ${this.table}`);
      const present = new Set((rows as { id: number }[]).map((r) => r.id));
      return this.acknowledged.filter((id) => !present.has(id));
    } finally {
      await c.end();
    }
  }
}
