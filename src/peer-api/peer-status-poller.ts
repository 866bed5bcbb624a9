import type { NodeStatusReport } from "../model/node-status.js";
import { readNodeStatusOrRefusal } from "./node-status-client.js";

export interface ReceivedStatus {
  report: NodeStatusReport;
  receivedAt: number;
}

/**
 * Polls the /status of the other members of this node's view, in the background, so that
 * writer election reads only memory. A member that does not answer keeps its last report,
 * which goes stale and stops counting after three intervals. A member whose agent refuses the
 * connection is noted with the time: it is not running, so it claims nothing.
 */
export class PeerStatusPoller {
  readonly #reports = new Map<string, ReceivedStatus>();
  /** When each member's agent last refused our connection, after its last report. */
  readonly #refusedAt = new Map<string, number>();
  /** When each member was first seen in the view: the start of its grace period. */
  readonly #firstSeen = new Map<string, number>();
  /** What was wrong with each member's last answer, while its answers are malformed. */
  readonly #malformed = new Map<string, string>();
  #targets: string[] = [];
  #timer: NodeJS.Timeout | null = null;
  #running = false;

  constructor(
    private readonly intervalMs: number,
    /** Maps a member's SQL address ("10.0.0.3:3306") to its status URL, or null for self. */
    private readonly statusUrl: (memberAddress: string) => string | null,
    /** Called when a member's agent refuses a connection, at once (a dead node is evicted on it). */
    private readonly onRefused: (memberAddress: string) => void = () => {},
    /**
     * Called with one line when a member's answer is not a status (it counts as no answer),
     * once for each new way it is wrong, not at every poll.
     */
    private readonly onMalformed: (memberAddress: string, line: string) => void = () => {},
  ) {}

  /**
   * The members to poll: the current view's incoming addresses. A member new to the view is
   * asked at once: until it answers, nobody may claim the writer role (it might be ahead).
   */
  setMembers(addresses: readonly string[]): void {
    this.#targets = [...addresses];
    const now = Date.now();
    for (const a of addresses) {
      if (this.#firstSeen.has(a)) continue;
      this.#firstSeen.set(a, now);
      if (this.#running) void this.#pollUntilHeard(a);
    }
    for (const key of [...this.#firstSeen.keys()]) {
      if (!addresses.includes(key)) {
        this.#firstSeen.delete(key);
        this.#reports.delete(key);
        this.#refusedAt.delete(key);
        this.#malformed.delete(key);
      }
    }
  }

  get(address: string): ReceivedStatus | undefined {
    return this.#reports.get(address);
  }

  /** The last reports of these members, leaving out those never heard from. */
  reportsOf(addresses: readonly string[]): NodeStatusReport[] {
    return addresses.flatMap((address) => {
      const report = this.#reports.get(address)?.report;
      return report ? [report] : [];
    });
  }

  /** When the member's agent last refused a connection, if it did after its last report. */
  refusedAt(address: string): number | undefined {
    return this.#refusedAt.get(address);
  }

  /**
   * Whether the member's agent refused a connection after its last answer (or never
   * answered): its agent is not running, whatever its last report said. A refusal is kept only
   * until the next answer, so one noted in the same millisecond as the answer came after it.
   */
  refusedSinceLastAnswer(address: string): boolean {
    const refused = this.#refusedAt.get(address);
    return refused !== undefined && (this.#reports.get(address)?.receivedAt ?? -Infinity) <= refused;
  }

  /** When the member was first seen in the view, or null when it is not a current member. */
  firstSeen(address: string): number | null {
    return this.#firstSeen.get(address) ?? null;
  }

  /** The server restarted: what we knew of the view no longer holds. */
  resetObservation(): void {
    this.#firstSeen.clear();
    this.#reports.clear();
    this.#refusedAt.clear();
    this.#malformed.clear();
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    const loop = async (): Promise<void> => {
      await Promise.all(this.#targets.map((a) => this.#poll(a)));
      if (this.#running) this.#timer = setTimeout(() => void loop(), this.intervalMs);
    };
    void loop();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
  }

  /**
   * A member new to the view holds the writer election back until it has answered once, so
   * it is asked again every 100 ms (not every interval) until it does, or leaves the view.
   */
  async #pollUntilHeard(address: string): Promise<void> {
    const heard = () => this.#reports.has(address) || this.#refusedAt.has(address);
    while (this.#running && this.#targets.includes(address) && !heard()) {
      await this.#poll(address);
      if (!heard()) await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async #poll(address: string): Promise<void> {
    const url = this.statusUrl(address);
    if (!url) return;
    const heard: { malformed?: string } = {};
    const report = await readNodeStatusOrRefusal(url, Math.min(this.intervalMs, 1000), (line) => {
      heard.malformed = line;
    });
    if (!this.#targets.includes(address)) return;
    if (heard.malformed !== undefined) this.#noteMalformed(address, heard.malformed);
    // No answer: the last report ages out.
    if (report === null) return;
    this.#malformed.delete(address);
    if (report === "refused") {
      this.#refusedAt.set(address, Date.now());
      this.onRefused(address);
    } else {
      this.#reports.set(address, { report, receivedAt: Date.now() });
      this.#refusedAt.delete(address);
    }
  }

  /** Says what is wrong with a member's answer, unless it was wrong the same way last time. */
  #noteMalformed(address: string, line: string): void {
    if (this.#malformed.get(address) === line) return;
    this.#malformed.set(address, line);
    this.onMalformed(address, line);
  }
}
