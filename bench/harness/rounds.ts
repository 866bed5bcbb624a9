// How a benchmark repeats its measurements: how many rounds (from the environment, named in
// the command that reproduces the run), in which order, and what happens when one run fails.
import { progress } from "./progress.js";

/** A whole number ≥ 1 from the environment variable `env`, else `fallback`. */
export function countFromEnv(env: string, fallback: number): number {
  const value = Number(process.env[env] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${env} must be a whole number ≥ 1`);
  return value;
}

/**
 * `npm run bench -- BENCHMARK`, after the settings the environment set (`ENV=value`), so that
 * BENCHMARKS.md says how to measure the same again.
 */
export function reproduceCommand(
  benchmark: string,
  settings: readonly { env: string; value: number }[] = [],
): string {
  return [
    ...settings.filter((s) => process.env[s.env] !== undefined).map((s) => `${s.env}=${s.value}`),
    `npm run bench -- ${benchmark}`,
  ].join(" ");
}

/**
 * `items` rotated left by `shift` (any whole number): round r of a benchmark runs its sides
 * in rotated(sides, r - 1), so that each takes each place in turn and a drift of the machine
 * touches them all alike.
 */
export function rotated<T>(items: readonly T[], shift: number): T[] {
  const n = items.length;
  const by = ((shift % n) + n) % n;
  return [...items.slice(by), ...items.slice(0, by)];
}

/**
 * Runs one measurement; when it fails, `noteFailure` keeps the error (a finding, never dropped
 * silently), `beforeRepeat` may set the scene again, and the run is repeated once. A second
 * failure ends the benchmark.
 */
export async function repeatOnceOnFailure<T>(
  what: string,
  run: () => Promise<T>,
  noteFailure: (error: string) => void,
  beforeRepeat: () => Promise<void> = () => Promise.resolve(),
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    noteFailure(message);
    progress(`${what} FAILED, repeating it once: ${message}`);
    await beforeRepeat();
    return run();
  }
}
