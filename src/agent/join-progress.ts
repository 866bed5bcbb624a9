import { folderBytes, formatBytes } from "../system/byte-sizes.js";

/**
 * Progress lines while a joiner catches up (a state transfer can take hours on a big
 * datadir): every interval, how long it has been joining and how much the datadir holds, and
 * how much it grew since the last line. The datadir is where SST writes, so its growth is the
 * transfer's progress, whichever SST method runs.
 */
export class JoinProgress {
  #timer: NodeJS.Timeout | null = null;
  #startedAt = 0;
  #lastBytes = 0;

  constructor(
    private readonly datadir: string,
    private readonly log: (line: string) => void,
    private readonly intervalMs = 10_000,
  ) {}

  start(): void {
    this.stop();
    this.#startedAt = Date.now();
    this.#lastBytes = folderBytes(this.datadir);
    this.#timer = setInterval(() => this.#report(), this.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  #report(): void {
    const bytes = folderBytes(this.datadir);
    const grew = bytes - this.#lastBytes;
    this.#lastBytes = bytes;
    const seconds = Math.round((Date.now() - this.#startedAt) / 1000);
    this.log(
      `joining for ${seconds} s: the datadir holds ${formatBytes(bytes)} (${grew >= 0 ? "+" : "-"}${formatBytes(Math.abs(grew))} in the last ${this.intervalMs / 1000} s); /ready answers 503 until synced`,
    );
  }
}
