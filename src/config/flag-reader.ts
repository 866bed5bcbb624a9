/**
 * Typed reads of the values a command line gave (src/options/command-line.ts parses them). It
 * lives here, below both cli/ and deploy/, because the deploy code checks its own options.
 *
 * Every mistake is one BadInputError line of one shape, naming the command, the flag (or the
 * variable the value came from) and the value:
 *   `local up: --nodes "x" is not a whole number from 1 to 9`
 *   `seed: GALERA_PILOT_PORT "abc" is not a port number from 1 to 65535; nothing was started`
 */
import { BadInputError } from "../errors.js";

/** A value and where it came from: `--port`, or the variable read in its place. */
export interface GivenValue {
  text: string;
  source: string;
}

/**
 * The one error shape: `COMMAND: PROBLEM` and, for commands that say what a mistake left
 * untouched, `; OUTCOME` ("nothing was started").
 */
export function commandLineError(command: string, problem: string, outcome?: string): BadInputError {
  return new BadInputError(`${command}: ${problem}${outcome === undefined ? "" : `; ${outcome}`}`);
}

export class FlagReader {
  readonly command: string;
  readonly #values: ReadonlyMap<string, GivenValue>;
  readonly #booleans: ReadonlySet<string>;
  readonly #outcome: string | undefined;

  constructor(
    command: string,
    values: ReadonlyMap<string, GivenValue>,
    booleans: ReadonlySet<string>,
    outcome?: string,
  ) {
    this.command = command;
    this.#values = values;
    this.#booleans = booleans;
    this.#outcome = outcome;
  }

  /** A mistake about flag `name`, in the one shape: `COMMAND: --NAME PROBLEM`. */
  error(name: string, problem: string): BadInputError {
    const source = this.#values.get(name)?.source ?? `--${name}`;
    return commandLineError(this.command, `${source} ${problem}`, this.#outcome);
  }

  /** Whether the value flag was given (or its variable set), or the boolean flag given. */
  has(name: string): boolean {
    return this.#values.has(name) || this.#booleans.has(name);
  }

  /** Whether a boolean flag was given. */
  flag(name: string): boolean {
    return this.#booleans.has(name);
  }

  string(name: string): string | undefined {
    return this.#values.get(name)?.text;
  }

  /**
   * The value as `read` makes it, or undefined when absent; `read` returns undefined for a
   * value that is not `expected` (e.g. "an IPv4 address"). A `fallback` text is checked
   * alike when the flag is absent: defaults that come from the machine (its host name) may
   * not fit either.
   */
  value<T>(name: string, expected: string, read: (text: string) => T | undefined): T | undefined;
  value<T>(name: string, expected: string, read: (text: string) => T | undefined, fallback: string): T;
  value<T>(
    name: string,
    expected: string,
    read: (text: string) => T | undefined,
    fallback?: string,
  ): T | undefined {
    const text = this.string(name) ?? fallback;
    if (text === undefined) return undefined;
    const value = read(text);
    if (value === undefined) throw this.error(name, `${JSON.stringify(text)} is not ${expected}`);
    return value;
  }

  /** A whole number from min to max (of `unit`: "seconds"), or the fallback when absent. */
  integer(name: string, fallback: number, min: number, max?: number, unit?: string): number {
    const noun = unit === undefined ? "a whole number" : `a whole number of ${unit}`;
    return this.#wholeNumber(name, noun, min, max) ?? fallback;
  }

  /** A TCP port, or the fallback when absent. */
  port(name: string, fallback: number): number {
    return this.#wholeNumber(name, "a port number", 1, 65_535) ?? fallback;
  }

  /** A decimal number from min to max, or the fallback when absent. */
  number(name: string, fallback: number, min: number, max: number): number {
    const read = (text: string): number | undefined => {
      const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
      return Number.isFinite(value) && value >= min && value <= max ? value : undefined;
    };
    return this.value(name, `a number from ${min} to ${max}`, read) ?? fallback;
  }

  /** One of the choices, or the fallback when absent (no fallback: the flag is required). */
  choice<T extends string>(name: string, choices: readonly T[], fallback?: T): T {
    const read = (text: string): T | undefined => choices.find((choice) => choice === text);
    const value = this.value(name, `one of ${choices.join(", ")}`, read) ?? fallback;
    if (value === undefined) throw this.error(name, `is required: ${choices.join(" or ")}`);
    return value;
  }

  #wholeNumber(name: string, noun: string, min: number, max?: number): number | undefined {
    const range = max === undefined ? `, ${min} or more` : ` from ${min} to ${max}`;
    const read = (text: string): number | undefined => {
      const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
      return Number.isSafeInteger(value) && value >= min && value <= (max ?? Number.MAX_SAFE_INTEGER)
        ? value
        : undefined;
    };
    return this.value(name, `${noun}${range}`, read);
  }
}
