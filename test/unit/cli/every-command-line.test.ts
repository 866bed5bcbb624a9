/**
 * Every command reads its command line through the one grammar (src/options/command-line.ts):
 * `--flag value` and `--flag=value` alike, a value flag with nothing or a flag after it
 * refused in one line naming it, an unknown flag named, `--help` answered with the usage.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseAgentOptions } from "../../../src/options/agent-options.js";
import { usage as agentUsage } from "../../../src/options/agent-settings.js";
import { HelpRequested, parseCommandLine } from "../../../src/options/command-line.js";
import { doctorUsage, parseDoctorArgs } from "../../../src/cli/doctor-command.js";
import { haproxyCommand, haproxyUsage, parseHaproxyRender } from "../../../src/cli/haproxy-command.js";
import { k8sCommand, k8sRenderGrammar, k8sUsage } from "../../../src/cli/k8s-command.js";
import { localUsage, parseLocalFlags, type LocalCommand } from "../../../src/cli/local-flags.js";
import {
  marathonCommand,
  marathonGrammar,
  marathonUsage,
  type MarathonSubcommand,
} from "../../../src/cli/marathon-command.js";
import { parseVerifyArgs, verifyUsage } from "../../../src/cli/verify-options.js";
import { k8sOptionsFromFlags } from "../../../src/deploy/kubernetes/k8s-options.js";
import { renderOptionsFromFlags } from "../../../src/deploy/marathon/render-options.js";
import { BadInputError, ExitCode } from "../../../src/errors.js";

interface CommandCase {
  /** The command as its errors name it. */
  command: string;
  usage: string;
  /** Reads a whole command line (the arguments after the command's name). */
  parse: (argv: string[]) => unknown;
  /** A valid command line holding `flags` where they belong. */
  around: (flags: string[]) => string[];
  /** A value flag, a value of it other than its default, and another flag. */
  flag: string;
  value: string;
  nextFlag: string;
  /** The command line that ends with the bare flag, and what its error names the command. */
  endingWithFlag?: { argv: string[]; command: string };
  /** What every error of the command ends with. */
  outcome?: string;
}

const agentEnv = {
  MYSQL_ROOT_PASSWORD: "root-pw",
  XTRABACKUP_PASSWORD: "sst-pw",
  GALERA_PILOT_CLUSTER_SECRET: "cs",
  GALERA_PILOT_ADDRESS: "127.0.0.9",
};

const agentCase = (mode: "seed" | "node", modeArgs: string[]): CommandCase => ({
  command: mode,
  usage: agentUsage,
  parse: (argv) => parseAgentOptions(argv, agentEnv),
  around: (flags) => [...flags, ...modeArgs],
  flag: "port",
  value: "3310",
  nextFlag: "--name",
  // Flags come before the mode: one that ends the line has no mode to name.
  endingWithFlag: { argv: ["--port"], command: "seed|node" },
  outcome: "nothing was started",
});

const localCase = (
  command: LocalCommand,
  operands: string[],
  flag = "state-dir",
  value = "/srv/cluster",
  nextFlag = "--help",
): CommandCase => ({
  command,
  usage: localUsage,
  parse: (argv) => parseLocalFlags(command, argv, {}),
  around: (flags) => [...operands, ...flags],
  flag,
  value,
  nextFlag,
});

const marathonCase = (sub: MarathonSubcommand, flag: string, value: string): CommandCase => ({
  command: `marathon ${sub}`,
  usage: marathonUsage,
  parse: (argv) => {
    const { flags } = parseCommandLine(marathonGrammar(sub), argv);
    return { options: renderOptionsFromFlags(flags, false), url: flags.string("url") };
  },
  around: (flags) => ["--layout", "seed", ...flags],
  flag,
  value,
  nextFlag: "--layout",
});

const cases: CommandCase[] = [
  agentCase("seed", ["seed"]),
  agentCase("node", ["node", "10.0.0.2,10.0.0.3"]),
  localCase("local up", [], "nodes", "5", "--state-dir"),
  localCase("status", [], "state-dir", "/srv/cluster", "--json"),
  localCase("stop", ["n2"]),
  localCase("kill", ["n2"]),
  localCase("start", ["n2"]),
  localCase("drain", ["n2"]),
  localCase("scale", ["5"]),
  localCase("restart", ["--rolling"]),
  localCase("down", [], "timeout", "30", "--no-wait"),
  {
    command: "doctor",
    usage: doctorUsage,
    parse: (argv) => parseDoctorArgs(argv, {}),
    around: (flags) => flags,
    flag: "state-dir",
    value: "/srv/cluster",
    nextFlag: "--json",
  },
  {
    command: "verify",
    usage: verifyUsage,
    parse: (argv) => parseVerifyArgs(argv, {}),
    // A seed of its own: without one, each run takes the clock's.
    around: (flags) => ["--seed", "42", ...flags],
    flag: "cycles",
    value: "7",
    nextFlag: "--json",
  },
  {
    command: "haproxy render",
    usage: haproxyUsage,
    parse: (argv) => parseHaproxyRender(argv),
    around: (flags) => ["10.0.0.2,10.0.0.3", ...flags],
    flag: "sql-port",
    value: "3310",
    nextFlag: "--health-port",
  },
  {
    command: "marathon render",
    usage: marathonUsage,
    parse: (argv) => renderOptionsFromFlags(parseCommandLine(marathonGrammar("render"), argv).flags),
    around: (flags) => ["--layout", "seed", ...flags],
    flag: "nodes",
    value: "5",
    nextFlag: "--image",
  },
  marathonCase("deploy", "url", "http://marathon.mesos:8080"),
  marathonCase("scale", "nodes", "5"),
  marathonCase("status", "url", "http://marathon.mesos:8080"),
  {
    command: "k8s render",
    usage: k8sUsage,
    parse: (argv) => k8sOptionsFromFlags(parseCommandLine(k8sRenderGrammar, argv).flags),
    around: (flags) => flags,
    flag: "replicas",
    value: "5",
    nextFlag: "--image",
  },
];

/** Asserts that `parse` fails with exactly `message`: one BadInputError line, exit 2. */
function refuses(parse: () => unknown, message: string): void {
  assert.throws(parse, (error: unknown) => {
    assert.ok(error instanceof BadInputError, `expected BadInputError, got ${String(error)}`);
    assert.equal(error.exitCode, ExitCode.badInput);
    assert.equal(error.message, message);
    return true;
  });
}

function answersHelp(run: () => unknown, usage: string): void {
  assert.throws(run, (error: unknown) => error instanceof HelpRequested && error.usage === usage);
}

for (const c of cases) {
  const ending = c.outcome === undefined ? "" : `; ${c.outcome}`;
  const flag = `--${c.flag}`;

  describe(`galera-pilot ${c.command}`, () => {
    it(`reads ${flag} ${c.value} and ${flag}=${c.value} alike`, () => {
      const spaced = c.parse(c.around([flag, c.value]));
      assert.deepEqual(c.parse(c.around([`${flag}=${c.value}`])), spaced);
      assert.notDeepEqual(c.parse(c.around([])), spaced, `${flag} ${c.value} changes nothing`);
    });

    it(`refuses ${flag} with no value, in one line naming it`, () => {
      const { argv, command } = c.endingWithFlag ?? { argv: [...c.around([]), flag], command: c.command };
      refuses(() => c.parse(argv), `${command}: ${flag} needs a value${ending}`);
    });

    it(`refuses ${flag} followed by ${c.nextFlag}, in one line naming it`, () => {
      refuses(() => c.parse(c.around([flag, c.nextFlag])), `${c.command}: ${flag} needs a value${ending}`);
    });

    it("names an unknown flag and the known ones", () => {
      assert.throws(
        () => c.parse(c.around(["--no-such-flag"])),
        (error: unknown) =>
          error instanceof BadInputError &&
          error.message.startsWith(`${c.command}: unknown flag --no-such-flag; known flags: `) &&
          error.message.includes(` ${flag}`) &&
          error.message.endsWith(ending) &&
          !error.message.includes("\n"),
      );
    });

    it("answers --help and -h with its usage", () => {
      answersHelp(() => c.parse(c.around(["--help"])), c.usage);
      answersHelp(() => c.parse(c.around(["-h"])), c.usage);
    });
  });
}

describe("the commands with subcommands", () => {
  it("answer --help in place of the subcommand with their usage", async () => {
    answersHelp(() => haproxyCommand(["--help"]), haproxyUsage);
    answersHelp(() => k8sCommand(["-h"]), k8sUsage);
    await assert.rejects(
      marathonCommand(["--help"]),
      (error: unknown) => error instanceof HelpRequested && error.usage === marathonUsage,
    );
  });

  it("agent: --help right after the mode is the agent's, not mariadbd's", () => {
    answersHelp(() => parseAgentOptions(["seed", "--help"], agentEnv), agentUsage);
    answersHelp(() => parseAgentOptions(["node", "-h"], agentEnv), agentUsage);
  });
});
