/**
 * The flag reader of the scheduler commands (`marathon …`, `k8s …`): `--name value` or
 * `--name=value`, boolean flags alone. Every mistake is one BadInputError line that names the
 * flag and echoes the value.
 */
import { BadInputError } from "../errors.js";

export interface FlagSpec {
  /** Flags that take a value, without the leading dashes. */
  values: readonly string[];
  /** Flags that stand alone (true when present). */
  booleans?: readonly string[];
}

export class Flags {
  readonly #values = new Map<string, string>();
  readonly #booleans = new Set<string>();
  readonly #command: string;

  constructor(command: string, argv: readonly string[], spec: FlagSpec) {
    this.#command = command;
    const booleans = new Set(spec.booleans ?? []);
    const values = new Set(spec.values);
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i] ?? "";
      const match = /^--([a-z0-9-]+)(?:=(.*))?$/s.exec(arg);
      if (!match) {
        throw new BadInputError(
          `${command}: unexpected argument ${JSON.stringify(arg)}; ${this.#known(spec)}`,
        );
      }
      const name = match[1] ?? "";
      if (booleans.has(name)) {
        if (match[2] !== undefined) {
          throw new BadInputError(`${command}: --${name} takes no value (got ${JSON.stringify(match[2])})`);
        }
        this.#booleans.add(name);
        continue;
      }
      if (!values.has(name)) {
        throw new BadInputError(`${command}: unknown flag --${name}; ${this.#known(spec)}`);
      }
      let value = match[2];
      if (value === undefined) {
        value = argv[i + 1];
        if (value === undefined || value.startsWith("--")) {
          throw new BadInputError(`${command}: --${name} needs a value`);
        }
        i++;
      }
      if (this.#values.has(name)) {
        throw new BadInputError(`${command}: --${name} is given twice; give it once`);
      }
      this.#values.set(name, value);
    }
  }

  #known(spec: FlagSpec): string {
    const all = [...spec.values, ...(spec.booleans ?? [])].map((name) => `--${name}`);
    return `known flags: ${all.join(" ")}`;
  }

  has(name: string): boolean {
    return this.#values.has(name) || this.#booleans.has(name);
  }

  flag(name: string): boolean {
    return this.#booleans.has(name);
  }

  string(name: string): string | undefined {
    return this.#values.get(name);
  }

  /** An integer from min to max, or the fallback when the flag is absent. */
  integer(name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const text = this.#values.get(name);
    if (text === undefined) return fallback;
    const value = /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      const range =
        max === Number.MAX_SAFE_INTEGER
          ? `an integer of at least ${min}`
          : `an integer from ${min} to ${max}`;
      throw new BadInputError(`${this.#command}: --${name} ${JSON.stringify(text)} is not ${range}`);
    }
    return value;
  }

  /** A decimal number from min to max, or the fallback when the flag is absent. */
  number(name: string, fallback: number, min: number, max: number): number {
    const text = this.#values.get(name);
    if (text === undefined) return fallback;
    const value = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
    if (!Number.isFinite(value) || value < min || value > max) {
      throw new BadInputError(
        `${this.#command}: --${name} ${JSON.stringify(text)} is not a number from ${min} to ${max}`,
      );
    }
    return value;
  }

  /** One of the choices, or the fallback when absent (undefined fallback: the flag is required). */
  choice<T extends string>(name: string, choices: readonly T[], fallback?: T): T {
    const text = this.#values.get(name);
    if (text === undefined) {
      if (fallback !== undefined) return fallback;
      throw new BadInputError(`${this.#command}: --${name} is required: ${choices.join(" or ")}`);
    }
    const found = choices.find((choice) => choice === text);
    if (found === undefined) {
      throw new BadInputError(
        `${this.#command}: --${name} ${JSON.stringify(text)} is not one of ${choices.join(", ")}`,
      );
    }
    return found;
  }
}
