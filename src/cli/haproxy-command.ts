import { writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { commandLineError } from "../config/flag-reader.js";
import { BadInputError, ExitCode } from "../errors.js";
import {
  defaultCheckTimings,
  renderHaproxyConfig,
  renderStartDownServerState,
  writerHandoverMs,
} from "../router/haproxy-config.js";
import { HelpRequested, isHelpFlag, parseCommandLine, type CommandGrammar } from "../options/command-line.js";

export const haproxyUsage = `galera-pilot haproxy render HOST[,HOST…] [--writer-bind ADDR:PORT] [--reader-bind ADDR:PORT]
       [--sql-port N] [--health-port N] [--check-interval MS] [--stats-socket PATH]
       [--state-file PATH]
  prints an haproxy.cfg for the cluster: writes to the node whose /writer answers 200, reads
  over the nodes whose /ready answers 200 (HOST: IP addresses of the nodes).
  --state-file PATH also writes there a server state with every server DOWN, which the
  config loads: run this before each start of HAProxy, so that no server counts as UP
  (a second writer) before its first check.`;

const renderGrammar: CommandGrammar = {
  name: "haproxy render",
  usage: haproxyUsage,
  values: [
    "writer-bind",
    "reader-bind",
    "sql-port",
    "health-port",
    "check-interval",
    "stats-socket",
    "state-file",
  ],
  operands: ["HOSTS"],
};

export interface HaproxyRenderArgs {
  /** The nodes' IP addresses, n1 first. */
  hosts: string[];
  writer: { address: string; port: number };
  reader: { address: string; port: number };
  sqlPort: number;
  healthPort: number;
  checkIntervalMs: number | null;
  statsSocket: string;
  stateFile: string | null;
}

const endpoint = (text: string): { address: string; port: number } | undefined => {
  const m = /^(.+):(\d+)$/.exec(text);
  if (!m || !isIP(m[1]!) || Number(m[2]) < 1 || Number(m[2]) > 65535) return undefined;
  return { address: m[1]!, port: Number(m[2]) };
};

/** The arguments after `haproxy render`. */
export function parseHaproxyRender(argv: readonly string[]): HaproxyRenderArgs {
  const { flags, operands } = parseCommandLine(renderGrammar, argv);
  const example = "e.g. 10.0.0.2,10.0.0.3,10.0.0.4";
  const [hostList] = operands;
  if (hostList === undefined) {
    throw commandLineError(renderGrammar.name, `HOSTS is required: the nodes' IP addresses, ${example}`);
  }
  const hosts = hostList.split(",").map((h) => h.trim());
  if (hosts.some((h) => !isIP(h))) {
    throw commandLineError(
      renderGrammar.name,
      `HOSTS ${JSON.stringify(hostList)} is not a comma-separated list of IP addresses, ${example}`,
    );
  }
  return {
    hosts,
    writer: flags.value("writer-bind", "ADDRESS:PORT", endpoint) ?? { address: "0.0.0.0", port: 3306 },
    reader: flags.value("reader-bind", "ADDRESS:PORT", endpoint) ?? { address: "0.0.0.0", port: 3307 },
    sqlPort: flags.port("sql-port", 3306),
    healthPort: flags.port("health-port", 8080),
    checkIntervalMs: flags.has("check-interval")
      ? flags.integer("check-interval", 0, 1, 60_000, "milliseconds")
      : null,
    statsSocket: flags.string("stats-socket") ?? "/run/haproxy/galera-pilot.sock",
    stateFile: flags.string("state-file") ?? null,
  };
}

/** `galera-pilot haproxy render …`: the same renderer the local cluster uses, for any cluster. */
export function haproxyCommand(argv: readonly string[]): number {
  const [sub, ...rest] = argv;
  if (isHelpFlag(sub)) throw new HelpRequested(haproxyUsage);
  if (sub !== "render") {
    throw new BadInputError(
      `${sub === undefined ? "haproxy needs a subcommand" : `unknown subcommand "haproxy ${sub}"`}: render; see galera-pilot haproxy --help`,
    );
  }
  const options = parseHaproxyRender(rest);
  const nodes = options.hosts.map((address, i) => ({
    name: `n${i + 1}`,
    address,
    sqlPort: options.sqlPort,
    healthPort: options.healthPort,
  }));
  if (options.stateFile !== null) {
    try {
      writeFileSync(options.stateFile, renderStartDownServerState(nodes), { mode: 0o644 });
    } catch (error) {
      throw new BadInputError(
        `cannot write the --state-file ${options.stateFile}: ${(error as Error).message}; no config printed`,
      );
    }
  }
  const writerTimings = {
    ...defaultCheckTimings.writer,
    interMs: options.checkIntervalMs ?? defaultCheckTimings.writer.interMs,
  };
  if (writerHandoverMs(writerTimings) > writerHandoverMs()) {
    process.stderr.write(
      `note: with --check-interval ${options.checkIntervalMs}, start the agents with --writer-handover ${writerHandoverMs(writerTimings)} (the default, ${writerHandoverMs()}, is for HAProxy's default checks), or HAProxy may count two writers UP for a moment\n`,
    );
  }
  process.stdout.write(
    renderHaproxyConfig({
      nodes,
      ...(options.stateFile === null ? {} : { serverStateFile: options.stateFile }),
      writer: options.writer,
      reader: options.reader,
      statsSocket: options.statsSocket,
      // --check-interval sets the interval between checks of passing servers in both backends;
      // the fast and down intervals, rise and fall keep their defaults.
      ...(options.checkIntervalMs === null
        ? {}
        : {
            checks: {
              writer: { interMs: options.checkIntervalMs },
              reader: { interMs: options.checkIntervalMs },
            },
          }),
      writerCheckPath: "/writer",
      readerCheckPath: "/ready",
    }),
  );
  return ExitCode.ok;
}
