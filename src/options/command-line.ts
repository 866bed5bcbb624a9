/**
 * The one command-line grammar of every galera-pilot command: `--flag value` or
 * `--flag=value`, boolean flags alone, `--help` or `-h` for the command's usage, values of
 * some flags from an environment variable when the flag is absent. Mistakes are BadInputError
 * lines of the shape src/config/flag-reader.ts describes.
 *
 * Node's parseArgs splits the arguments into tokens; the checks are ours. Its strict mode
 * would refuse `--health-grace -1` (a value starting with a dash) before the range check can
 * name the value, and its messages take several sentences; non-strict, it never throws.
 */
import { parseArgs } from "node:util";
import { commandLineError, FlagReader, type GivenValue } from "../config/flag-reader.js";

type Env = Readonly<Record<string, string | undefined>>;
type Token = NonNullable<ReturnType<typeof parseArgs>["tokens"]>[number];

export interface CommandGrammar {
  /** How errors name the command: "doctor", "local up", "marathon render". */
  name: string;
  /** What `--help` prints. */
  usage: string;
  /** Flags that take a value, without the leading dashes. */
  values?: readonly string[];
  /** Flags that stand alone (true when present). */
  booleans?: readonly string[];
  /** The variable read for a value flag that is absent: { "state-dir": "GALERA_PILOT_STATE_DIR" }. */
  env?: Readonly<Record<string, string>>;
  /** Names of the positional arguments, in order (["NODE"]); more are refused. */
  operands?: readonly string[];
  /**
   * Flags come before the first positional argument, which with everything after it is
   * returned as it is: the agent's mode, its hosts and mariadbd's own arguments.
   */
  optionsFirst?: boolean;
  /** Appended to every error: what the mistake left untouched ("nothing was started"). */
  outcome?: string;
}

export interface CommandLine {
  flags: FlagReader;
  /** The positional arguments; with optionsFirst, the first one and everything after it. */
  operands: string[];
}

/**
 * `--help` or `-h`: no mistake. Thrown, so that every command answers it wherever it parses
 * its arguments; main.ts prints the usage on stdout and exits 0.
 */
export class HelpRequested extends Error {
  readonly usage: string;
  constructor(usage: string) {
    super("--help");
    this.name = "HelpRequested";
    this.usage = usage;
  }
}

export function isHelpFlag(arg: string | undefined): boolean {
  return arg === "--help" || arg === "-h";
}

/** Reads `argv` (the arguments after the command's name) by `grammar`; `env` fills absent flags. */
export function parseCommandLine(
  grammar: CommandGrammar,
  argv: readonly string[],
  env: Env = {},
): CommandLine {
  const valueFlags = new Set(grammar.values ?? []);
  const booleanFlags = new Set(grammar.booleans ?? []);
  function fail(problem: string): never {
    throw commandLineError(grammar.name, problem, grammar.outcome);
  }
  const tokens = tokenize(grammar, argv);
  const firstOperand = tokens.find((token) => token.kind === "positional");
  const end = grammar.optionsFirst && firstOperand ? firstOperand.index : argv.length;
  const options = tokens.filter((token) => token.index < end);
  if (options.some((token) => token.kind === "option" && token.name === "help")) {
    throw new HelpRequested(grammar.usage);
  }
  const values = new Map<string, GivenValue>();
  const booleans = new Set<string>();
  const operands: string[] = [];
  for (const token of options) {
    if (token.kind === "positional") operands.push(token.value);
    if (token.kind !== "option") continue;
    const flag = token.rawName;
    if (valueFlags.has(token.name)) {
      // parseArgs takes whatever follows as the value, even the next flag.
      if (token.value === undefined || (!token.inlineValue && looksLikeFlag(token.value))) {
        fail(`${flag} needs a value`);
      }
      if (values.has(token.name)) fail(`${flag} is given twice; give it once`);
      values.set(token.name, { text: token.value, source: flag });
    } else if (booleanFlags.has(token.name)) {
      if (token.value !== undefined) fail(`${flag} takes no value, got ${JSON.stringify(token.value)}`);
      booleans.add(token.name);
    } else {
      fail(`unknown flag ${flag}; ${knownFlags(grammar)}`);
    }
  }
  const names = grammar.operands ?? [];
  const stray = operands[names.length];
  if (!grammar.optionsFirst && stray !== undefined) {
    fail(
      names.length === 0
        ? `unexpected argument ${JSON.stringify(stray)}; ${knownFlags(grammar)}`
        : `unexpected argument ${JSON.stringify(stray)} after ${names.join(" ")}`,
    );
  }
  for (const [name, variable] of Object.entries(grammar.env ?? {})) {
    const text = env[variable];
    if (!values.has(name) && text !== undefined) values.set(name, { text, source: variable });
  }
  return {
    flags: new FlagReader(grammar.name, values, booleans, grammar.outcome),
    operands: grammar.optionsFirst ? argv.slice(end) : operands,
  };
}

function tokenize(grammar: CommandGrammar, argv: readonly string[]): Token[] {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {
    help: { type: "boolean", short: "h" },
  };
  for (const name of grammar.values ?? []) options[name] = { type: "string" };
  for (const name of grammar.booleans ?? []) options[name] = { type: "boolean" };
  const { tokens } = parseArgs({
    args: [...argv],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  return tokens;
}

/** A value that is the next flag: the flag before it was given none. */
function looksLikeFlag(text: string): boolean {
  return text.startsWith("--") || text === "-h";
}

function knownFlags(grammar: CommandGrammar): string {
  const all = [...(grammar.values ?? []), ...(grammar.booleans ?? [])];
  return all.length === 0 ? "it takes no flags" : `known flags: ${all.map((name) => `--${name}`).join(" ")}`;
}
