import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { HelpRequested, parseCommandLine, type CommandGrammar } from "../../../src/options/command-line.js";
import { BadInputError, ExitCode } from "../../../src/errors.js";

const grammar: CommandGrammar = {
  name: "demo",
  usage: "usage: demo [--state-dir DIR] [--count N] [--json] NAME",
  values: ["state-dir", "count"],
  booleans: ["json"],
  env: { "state-dir": "DEMO_STATE_DIR" },
  operands: ["NAME"],
};

/** Asserts that parsing `argv` fails with exactly `message`, as a BadInputError (exit 2). */
function refuses(argv: string[], message: string, g: CommandGrammar = grammar): void {
  assert.throws(
    () => parseCommandLine(g, argv),
    (error: unknown) => {
      assert.ok(error instanceof BadInputError, `expected BadInputError, got ${String(error)}`);
      assert.equal(error.exitCode, ExitCode.badInput);
      assert.equal(error.message, message);
      return true;
    },
  );
}

describe("parseCommandLine", () => {
  it("reads --flag value and --flag=value alike, with operands and flags in any order", () => {
    for (const argv of [
      ["--state-dir", "/s", "--count", "3", "--json", "n1"],
      ["n1", "--state-dir=/s", "--json", "--count=3"],
    ]) {
      const { flags, operands } = parseCommandLine(grammar, argv);
      assert.equal(flags.string("state-dir"), "/s");
      assert.equal(flags.integer("count", 0, 1, 9), 3);
      assert.equal(flags.flag("json"), true);
      assert.deepEqual(operands, ["n1"]);
    }
  });

  it("takes a value that starts with one dash, and an empty one given with =", () => {
    assert.equal(parseCommandLine(grammar, ["--count", "-1"]).flags.string("count"), "-1");
    assert.equal(parseCommandLine(grammar, ["--state-dir="]).flags.string("state-dir"), "");
  });

  it("says a value flag needs a value when nothing or another flag follows it", () => {
    refuses(["--state-dir"], "demo: --state-dir needs a value");
    refuses(["--state-dir", "--json"], "demo: --state-dir needs a value");
    refuses(["--state-dir", "--count=3"], "demo: --state-dir needs a value");
    refuses(["--state-dir", "-h"], "demo: --state-dir needs a value");
  });

  it("refuses a value flag given twice, and a value given to a boolean flag", () => {
    refuses(["--count", "1", "--count=2"], "demo: --count is given twice; give it once");
    refuses(["--json=yes"], 'demo: --json takes no value, got "yes"');
  });

  it("names an unknown flag and the known ones", () => {
    refuses(["--bogus"], "demo: unknown flag --bogus; known flags: --state-dir --count --json");
    refuses(["--bogus=1"], "demo: unknown flag --bogus; known flags: --state-dir --count --json");
    refuses(["-x"], "demo: unknown flag -x; known flags: --state-dir --count --json");
  });

  it("refuses positional arguments beyond the grammar's", () => {
    refuses(["n1", "n2"], 'demo: unexpected argument "n2" after NAME');
    refuses(["extra"], 'demo: unexpected argument "extra"; known flags: --json', {
      name: "demo",
      usage: "",
      booleans: ["json"],
    });
    refuses(["extra"], 'demo: unexpected argument "extra"; it takes no flags', { name: "demo", usage: "" });
  });

  it("takes what follows -- as positional arguments", () => {
    assert.deepEqual(parseCommandLine(grammar, ["--", "--json"]).operands, ["--json"]);
  });

  it("answers --help and -h with the usage, whatever else is wrong", () => {
    for (const argv of [["--help"], ["-h"], ["--bogus", "--help"], ["n1", "n2", "-h"]]) {
      assert.throws(
        () => parseCommandLine(grammar, argv),
        (error: unknown) => error instanceof HelpRequested && error.usage === grammar.usage,
      );
    }
  });

  it("reads an absent flag's variable; the flag wins; errors name where the value came from", () => {
    const env = { DEMO_STATE_DIR: "/from-env" };
    assert.equal(parseCommandLine(grammar, [], env).flags.string("state-dir"), "/from-env");
    assert.equal(parseCommandLine(grammar, ["--state-dir=/flag"], env).flags.string("state-dir"), "/flag");
    const { flags } = parseCommandLine(grammar, [], env);
    assert.equal(flags.error("state-dir", "is wrong").message, "demo: DEMO_STATE_DIR is wrong");
  });

  it("with optionsFirst, returns the first positional argument and all after it unread", () => {
    const agentLike: CommandGrammar = {
      name: "seed",
      usage: "",
      values: ["port"],
      optionsFirst: true,
      outcome: "nothing was started",
    };
    const line = parseCommandLine(agentLike, ["--port", "3310", "seed", "--max-connections=5", "--port"]);
    assert.equal(line.flags.string("port"), "3310");
    assert.deepEqual(line.operands, ["seed", "--max-connections=5", "--port"]);
    refuses(["--port"], "seed: --port needs a value; nothing was started", agentLike);
  });
});
