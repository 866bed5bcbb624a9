/**
 * The binlog archiver of one node (docs/point-in-time.md): reads the node's binlog as the
 * server writes it (binlog-tail.ts), keeps the cluster's transactions (decide/archive-batch.ts)
 * and stores them as segments at the backup destination, each durable within a fraction of a
 * second of its commit. It starts where the archive ends, whichever node wrote it so far, and
 * stops, on request, only once what it read is stored.
 */
import type { BackupDestination } from "../destination/destination.js";
import { archiveCoverage, newestArchived } from "../decide/archive-coverage.js";
import { ArchiveBatch, type BatchNote } from "../decide/archive-batch.js";
import { namedSegments } from "../model/archive-segment-name.js";
import type { Logger } from "../logger.js";
import { startPoint } from "./binlog-files.js";
import { BinlogTail } from "./binlog-tail.js";

/** How long a transaction may wait before its segment is stored: the archive's lag, by design. */
export const SEGMENT_DELAY_MS = 400;
/** A segment holds at most about this much: a long backlog is stored in pieces of this size. */
export const SEGMENT_BYTES = 16 * 1024 * 1024;
/** While this much is read but not stored (the destination is slow or away), reading pauses. */
const WAITING_BYTES_LIMIT = 256 * 1024 * 1024;
const POLL_MS = 50;
/** After a failure (the destination away, a binlog unreadable): the next try. */
const RETRY_MS = 1000;

export interface ArchiverDeps {
  datadir: string;
  /** The cluster's GTID domain (mysqld/binlog-identity.ts). */
  domain: number;
  nodeName: string;
  destination: BackupDestination;
  log: Logger;
  now?: () => number;
}

export interface ArchiverStatus {
  running: boolean;
  /** The last sequence number stored by this archiver, or found stored when it began. */
  archivedSeqno: number | null;
  /** Transactions read but not stored yet, and how long the oldest has waited (ms). */
  waitingTransactions: number;
  waitingMs: number;
  /** When a segment was last stored (ms since the epoch). */
  lastStoredAt: number | null;
  segmentsStored: number;
  /** The gaps this archiver found: transactions no binlog here still held. */
  gaps: { first: number; last: number }[];
  /** The last failure, while it lasts (cleared by the next segment stored). */
  failure: string | null;
}

export class BinlogArchiver {
  readonly #deps: ArchiverDeps;
  readonly #now: () => number;
  #running = false;
  #stopRequested = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  #batch: ArchiveBatch | null = null;
  #status: Omit<ArchiverStatus, "running" | "archivedSeqno" | "waitingTransactions" | "waitingMs"> = {
    lastStoredAt: null,
    segmentsStored: 0,
    gaps: [],
    failure: null,
  };

  constructor(deps: ArchiverDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  get running(): boolean {
    return this.#running;
  }

  status(): ArchiverStatus {
    const waiting = this.#batch?.waiting;
    return {
      running: this.#running,
      archivedSeqno: this.#batch?.archived ?? null,
      waitingTransactions: waiting?.transactions ?? 0,
      waitingMs: waiting?.since == null ? 0 : Math.max(0, this.#now() - waiting.since),
      ...this.#status,
      gaps: [...this.#status.gaps],
    };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#stopRequested = false;
    this.#loop = this.#run().finally(() => {
      this.#running = false;
    });
  }

  /** Stops once what was read is stored, or after `graceMs` of failing to store it. */
  async stop(graceMs = 10_000): Promise<void> {
    this.#stopRequested = true;
    this.#stopDeadline = this.#now() + graceMs;
    this.#wake?.();
    await this.#loop;
  }

  #stopDeadline = Infinity;
  /** The last segment name listed: the next listing asks only for names after it. */
  #listedThrough: string | undefined;

  async #run(): Promise<void> {
    const { log } = this.#deps;
    while (!this.#stopRequested) {
      try {
        await this.#archive();
        return;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (this.#status.failure !== message) {
          log.error(
            `binlog archive: ${message}; what is stored is kept, and archiving starts again from the archive's end in ${RETRY_MS / 1000} s`,
          );
        }
        this.#status.failure = message;
        await this.#sleep(RETRY_MS);
      }
    }
  }

  /** One session: from the archive's end, until asked to stop (or a failure ends it). */
  async #archive(): Promise<void> {
    const { datadir, domain, nodeName, destination, log } = this.#deps;
    const names = await destination.listArchiveSegments();
    this.#listedThrough = names.at(-1);
    const spans = namedSegments(names).map((s) => s.span);
    const archived = newestArchived(archiveCoverage(spans, domain))?.seqno ?? 0;
    const start = await startPoint(datadir, domain, archived);
    if (start === null) {
      // No binlog file yet (a server that has not started once): nothing to archive yet.
      await this.#sleep(RETRY_MS);
      throw new Error(`no binlog file in ${datadir} yet`);
    }
    if (start.missing) this.#gap(start.missing, "before the oldest binlog file of this node");
    log.info(
      `binlog archive: archiving the cluster's transactions (domain ${domain}) from ${start.file}${archived > 0 ? ` after ${domain}-…-${archived}, the archive's last` : ", the archive being empty"} to ${destination.description}`,
    );
    const batch = new ArchiveBatch(
      { domain, node: nodeName, maxDelayMs: SEGMENT_DELAY_MS, maxBytes: SEGMENT_BYTES },
      archived,
    );
    this.#batch = batch;
    const tail = new BinlogTail(datadir, start.file);
    try {
      for (;;) {
        // Asked to stop: what the binlog holds now is still read and stored (a stop after the
        // server's own stop loses nothing), within the grace.
        const stopping = this.#stopRequested;
        let read = 0;
        if (batch.waiting.bytes < WAITING_BYTES_LIMIT) {
          const outputs = await tail.read();
          read = outputs.length;
          for (const output of outputs) this.#note(batch.take(output, this.#now()));
        }
        while (batch.due(this.#now()) || (stopping && read === 0 && batch.segment() !== null)) {
          if (!(await this.#store(batch))) break;
        }
        const drained = read === 0 && batch.segment() === null;
        if (stopping && (drained || this.#now() >= this.#stopDeadline)) {
          const left = batch.waiting.transactions;
          if (left > 0) {
            log.error(
              `binlog archive: stopped with ${left} transactions read but not stored (${this.#status.failure ?? "the stop's grace ran out"}); the next archiver reads them again from its own binlog`,
            );
          }
          return;
        }
        if (read === 0 && !stopping) await this.#sleep(this.#status.failure === null ? POLL_MS : RETRY_MS);
        else if (read === 0) await this.#sleep(POLL_MS);
      }
    } finally {
      await tail.close();
    }
  }

  /**
   * Stores the first waiting segment; false when the destination failed (kept for the next
   * try). What another archiver stored meanwhile is dropped first (see decide/archiver-node.ts:
   * two archivers for a moment): only a write racing another's in the same instant can store
   * a transaction twice.
   */
  async #store(batch: ArchiveBatch): Promise<boolean> {
    const { destination, domain } = this.#deps;
    try {
      const newer = await destination.listArchiveSegments(this.#listedThrough);
      if (newer.length > 0) this.#listedThrough = newer.at(-1);
      const ends = namedSegments(newer).filter((s) => s.span.domain === domain);
      batch.storedElsewhere(Math.max(0, ...ends.map((s) => s.span.last)));
    } catch (error) {
      // The destination's error names the archive and why ("the archive in … cannot be listed: …").
      return this.#storeFailed(error instanceof Error ? error.message : String(error), batch);
    }
    const segment = batch.segment();
    if (segment === null) return true;
    try {
      await destination.writeArchiveSegment(segment.name, segment.bytes);
    } catch (error) {
      return this.#storeFailed(
        `storing archive segment ${segment.name} failed: ${error instanceof Error ? error.message : String(error)}`,
        batch,
      );
    }
    if (this.#status.failure !== null) {
      this.#deps.log.info(`binlog archive: storing again: ${segment.name} stored`);
      this.#status.failure = null;
    }
    batch.stored();
    this.#status.lastStoredAt = this.#now();
    this.#status.segmentsStored += 1;
    return true;
  }

  #storeFailed(message: string, batch: ArchiveBatch): false {
    if (this.#status.failure !== message) {
      this.#deps.log.error(
        `binlog archive: ${message}; the ${batch.waiting.transactions} transactions read are kept here and stored again in ${RETRY_MS / 1000} s`,
      );
    }
    this.#status.failure = message;
    return false;
  }

  #note(notes: BatchNote[]): void {
    for (const note of notes) {
      if (note.kind === "gap") this.#gap(note, "in this node's binlog");
      else if (note.kind === "cut") {
        this.#deps.log.warn(
          `binlog archive: transaction ${this.#deps.domain}-…-${note.seqno} ends cut short in this node's binlog (a crash of its server while writing it); it is not archived from here`,
        );
      }
    }
  }

  #gap(gap: { first: number; last: number }, where: string): void {
    this.#status.gaps.push(gap);
    this.#deps.log.error(
      `binlog archive: GAP: transactions ${gap.first} to ${gap.last} of domain ${this.#deps.domain} are not archived and are ${where} no more; a restore cannot reach a point between them, or after them from a backup taken before them; take a backup now, so that points from here on are restorable`,
    );
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = null;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = null;
        resolve();
      };
    });
  }
}
