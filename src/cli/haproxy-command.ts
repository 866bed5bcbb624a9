import { isIP } from "node:net";
import { BadInputError, ExitCode } from "../errors.js";
import { writeFileSync } from "node:fs";
import {
  defaultCheckTimings,
  renderHaproxyConfig,
  renderStartDownServerState,
  writerHandoverMs,
} from "../router/haproxy-config.js";

export const haproxyUsage = `galera-pilot haproxy render HOST[,HOST…] [--writer-bind ADDR:PORT] [--reader-bind ADDR:PORT]
       [--sql-port N] [--health-port N] [--check-interval MS] [--stats-socket PATH]
       [--state-file PATH]
  prints an haproxy.cfg for the cluster: writes to the node whose /writer answers 200, reads
  over the nodes whose /ready answers 200 (HOST: IP addresses of the nodes).
  --state-file PATH also writes there a server state with every server DOWN, which the
  config loads: run this before each start of HAProxy, so that no server counts as UP
  (a second writer) before its first check.`;

function endpoint(flag: string, raw: string): { address: string; port: number } {
  const m = /^(.+):(\d+)$/.exec(raw);
  if (!m || !isIP(m[1]!) || Number(m[2]) < 1 || Number(m[2]) > 65535) {
    throw new BadInputError(`${flag} must be ADDRESS:PORT, got "${raw}"`);
  }
  return { address: m[1]!, port: Number(m[2]) };
}

function positive(flag: string, raw: string, max: number): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw new BadInputError(`${flag} must be a whole number from 1 to ${max}, got "${raw}"`);
  }
  return Number(raw);
}

/** `galera-pilot haproxy render …`: the same renderer the local cluster uses, for any cluster. */
export function haproxyCommand(argv: readonly string[]): number {
  if (argv[0] !== "render") throw new BadInputError(`say haproxy render; usage:\n${haproxyUsage}`);
  const options = {
    writer: { address: "0.0.0.0", port: 3306 },
    reader: { address: "0.0.0.0", port: 3307 },
    sqlPort: 3306,
    healthPort: 8080,
    checkIntervalMs: null as number | null,
    statsSocket: "/run/haproxy/galera-pilot.sock",
    stateFile: null as string | null,
  };
  let hosts: string[] | null = null;
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new BadInputError(`option ${arg} needs a value`);
      return v;
    };
    if (arg === "--writer-bind") options.writer = endpoint(arg, value());
    else if (arg === "--reader-bind") options.reader = endpoint(arg, value());
    else if (arg === "--sql-port") options.sqlPort = positive(arg, value(), 65535);
    else if (arg === "--health-port") options.healthPort = positive(arg, value(), 65535);
    else if (arg === "--check-interval") options.checkIntervalMs = positive(arg, value(), 60_000);
    else if (arg === "--stats-socket") options.statsSocket = value();
    else if (arg === "--state-file") options.stateFile = value();
    else if (arg.startsWith("--")) throw new BadInputError(`unknown option ${arg}; usage:\n${haproxyUsage}`);
    else hosts = arg.split(",").map((h) => h.trim());
  }
  if (!hosts || hosts.some((h) => !isIP(h))) {
    throw new BadInputError(`haproxy render needs the nodes' IP addresses, e.g. 10.0.0.2,10.0.0.3,10.0.0.4`);
  }
  const nodes = hosts.map((address, i) => ({
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
