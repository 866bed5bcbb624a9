// Progress lines on stderr, so a run of minutes shows where it is; stdout keeps the summaries.

/** The clock of every progress line: seconds since the bench process loaded. */
const startedAt = Date.now();

export function progress(line: string): void {
  process.stderr.write(`bench: ${((Date.now() - startedAt) / 1000).toFixed(0)} s: ${line}\n`);
}
