// The binlog archive, as this node's agent takes part in it (docs/point-in-time.md): on each
// sample it asks the pure rule (decide/archiver-node.ts) which member archives, from the
// members' reports, and starts or stops this node's archiver (archive/binlog-archiver.ts)
// to match. node-agent.ts only sequences: it calls these on each sample and at its end.
import { BinlogArchiver } from "../archive/binlog-archiver.js";
import { chooseArchiver, type ArchiverCandidate } from "../decide/archiver-node.js";
import { openDestination } from "../destination/open-destination.js";
import type { Logger } from "../logger.js";
import type { ArchiveReport } from "../model/node-status.js";
import { binlogIdentity } from "../mysqld/binlog-identity.js";
import type { AgentOptions } from "../options/agent-options.js";

export interface NodeArchiveDeps {
  options: AgentOptions;
  /** The members as the rules read them: this node and each other of its view. */
  members(now: number): ArchiverCandidate[];
  log: Logger;
}

const NO_DESTINATION =
  "this agent does not archive the binlog: no backup destination is set (GALERA_PILOT_BACKUP_DESTINATION), and the archive is kept there";
const SWITCHED_OFF = "this agent does not archive the binlog: GALERA_PILOT_ARCHIVE=no";

export class NodeArchive {
  readonly #deps: NodeArchiveDeps;
  #archiver: BinlogArchiver | null = null;
  #opening = false;
  #stopping: Promise<void> | null = null;
  #reason: string;
  #lastChoice = "";
  #ended = false;

  constructor(deps: NodeArchiveDeps) {
    this.#deps = deps;
    this.#reason = !this.#able
      ? deps.options.backupDestination === null
        ? NO_DESTINATION
        : SWITCHED_OFF
      : "not decided yet";
  }

  /** This agent archives when the rule names its node. */
  get #able(): boolean {
    return this.#deps.options.backupDestination !== null && this.#deps.options.archive;
  }

  /** A sample came in: this node archives if the rule names it, and stops if it no longer does. */
  sampled(now = Date.now()): void {
    const { options, log } = this.#deps;
    if (!this.#able || this.#ended) return;
    const choice = chooseArchiver(this.#deps.members(now));
    const line = "node" in choice ? choice.reason : choice.none;
    if (line !== this.#lastChoice) {
      this.#lastChoice = line;
      // Said once per change by every agent: which member archives, and why.
      log.info(line);
    }
    this.#reason = line;
    const mine = "node" in choice && choice.node === options.nodeName;
    if (mine) this.#startArchiving();
    else if (this.#archiver?.running && this.#stopping === null) {
      const archiver = this.#archiver;
      this.#stopping = archiver.stop().finally(() => {
        this.#stopping = null;
      });
    }
  }

  /** The agent ends: what the archiver read is stored first (within its grace). */
  async end(): Promise<void> {
    this.#ended = true;
    await this.#stopping;
    await this.#archiver?.stop();
  }

  report(): ArchiveReport {
    const status = this.#archiver?.status();
    const archiving = status?.running === true && this.#stopping === null;
    return {
      able: this.#able,
      archiving,
      reason: this.#reason,
      archivedSeqno: archiving ? (status?.archivedSeqno ?? null) : null,
      waitingTransactions: status?.waitingTransactions ?? 0,
      waitingMs: status?.waitingMs ?? 0,
      lastStoredAt: status?.lastStoredAt == null ? null : new Date(status.lastStoredAt).toISOString(),
      segmentsStored: status?.segmentsStored ?? 0,
      gaps: status?.gaps ?? [],
      failure: status?.failure ?? null,
    };
  }

  #startArchiving(): void {
    if (this.#stopping !== null || this.#opening) return;
    if (this.#archiver !== null) {
      this.#archiver.start();
      return;
    }
    const { options, log } = this.#deps;
    this.#opening = true;
    void openDestination(options.backupDestination!, process.env)
      .then((destination) => {
        this.#archiver = new BinlogArchiver({
          datadir: options.datadir,
          domain: binlogIdentity(options.clusterName, options.nodeName).clusterDomain,
          nodeName: options.nodeName,
          destination,
          log,
        });
        if (!this.#ended) this.#archiver.start();
      })
      .catch((error: unknown) => {
        log.error(
          `binlog archive: the backup destination cannot be opened: ${error instanceof Error ? error.message : String(error)}; archiving is tried again at the next sample`,
        );
      })
      .finally(() => {
        this.#opening = false;
      });
  }
}
