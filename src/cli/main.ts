#!/usr/bin/env node
import { createLogger } from "../agent/logger.js";
import { NodeAgent } from "../agent/node-agent.js";
import { whenRunnerGone } from "../agent/runner-watch.js";
import { BadInputError, ExitCode, GaleraPilotError } from "../errors.js";
import { version } from "../version.js";
import { parseAgentOptions, usage } from "./agent-options.js";
import { haproxyCommand, haproxyUsage } from "./haproxy-command.js";

const localUsage = `local cluster (docs/local-cluster.md):
  galera-pilot local up [--nodes N] [--state-dir DIR]   run the cluster in the foreground (npm start)
  galera-pilot status [--json]                          the local cluster's nodes
  galera-pilot stop|kill|start NODE                     stop cleanly, SIGKILL (it restarts), start
  galera-pilot drain NODE                               out of the routers' pools first, then stop cleanly
  galera-pilot scale N                                  grow or shrink the cluster (new nodes join, removed ones drain and leave)
  galera-pilot restart --rolling                        restart every node, one at a time, without client errors
  galera-pilot down [--no-wait] [--timeout S]           stop the whole cluster cleanly, and wait (up to S seconds,
                                                        default 600) until every node (agent and mariadbd) and HAProxy
                                                        stopped: exit 0 when all did, 1 naming what still runs;
                                                        --no-wait returns once the runner has begun
  GALERA_PILOT_STATE_DIR sets the state folder (default /var/lib/galera-pilot/local).`;

async function main(argv: string[]): Promise<number> {
  const env = process.env;
  const first = argv.find((a) => !a.startsWith("--"));
  if (argv[0] === "--help" || argv[0] === "-h" || argv.length === 0) {
    const { doctorUsage } = await import("./doctor-command.js");
    const { verifyUsage } = await import("./verify-command.js");
    console.log(`${usage}\n\n${localUsage}\n\n${doctorUsage}\n\n${verifyUsage}\n\n${haproxyUsage}`);
    return argv.length === 0 ? ExitCode.badInput : ExitCode.ok;
  }
  if (argv[0] === "--version") {
    console.log(version);
    return ExitCode.ok;
  }
  // Agent options come before the mode; the other commands take theirs after their name.
  if (first === "seed" || first === "node" || argv[0]?.startsWith("--")) {
    const options = parseAgentOptions(argv, env);
    const log = createLogger(options.nodeName);
    if (options.clusterSecretDerived) {
      log.info(
        "GALERA_PILOT_CLUSTER_SECRET is not set: the peer API key is derived from XTRABACKUP_PASSWORD, which every node shares (scrypt with a fixed context; the password itself never leaves this node); set GALERA_PILOT_CLUSTER_SECRET for a key of its own",
      );
    }
    const agent = new NodeAgent(options, log);
    process.on("SIGTERM", () => agent.requestStop("SIGTERM"));
    process.on("SIGINT", () => agent.requestStop("SIGINT"));
    // Started by the local runner: leave when it is gone, whatever ended it (runner-watch.ts).
    whenRunnerGone(() => {
      log.warn(
        "the local runner that started this agent is gone (its IPC channel closed): leaving the cluster cleanly, as on SIGTERM",
      );
      agent.requestStop("SIGTERM");
    });
    return agent.run();
  }
  const command = argv[0];
  if (command === "marathon") return (await import("./marathon-command.js")).marathonCommand(argv.slice(1));
  if (command === "k8s") return (await import("./k8s-command.js")).k8sCommand(argv.slice(1));
  if (command === "haproxy") return haproxyCommand(argv.slice(1));
  // doctor and verify load their modules (mysql2 among them) only when asked for.
  if (command === "doctor") return (await import("./doctor-command.js")).doctorCommand(argv.slice(1), env);
  if (command === "verify") return (await import("./verify-command.js")).verifyCommand(argv.slice(1), env);
  // The local runner's modules load only for its commands: an agent starts sooner without them.
  const {
    localDown,
    localNodeAction,
    localRestartRolling,
    localScale,
    localStatus,
    localUp,
    parseLocalFlags,
  } = await import("./local-commands.js");
  if (command === "local" && argv[1] === "up") return localUp(parseLocalFlags(argv.slice(2), env));
  const flags = parseLocalFlags(argv.slice(1), env);
  switch (command) {
    case "status":
      return localStatus(flags);
    case "stop":
    case "kill":
    case "start":
      return localNodeAction(flags, command);
    case "drain":
      // A stop drains first: /ready and /writer answer 503 for the drain period, then the node leaves.
      return localNodeAction(flags, "stop", "drained, then left the cluster; `start` brings it back");
    case "down":
      return localDown(flags);
    case "scale":
      return localScale(flags);
    case "restart":
      if (!flags.rolling) {
        throw new BadInputError(
          "restart restarts the whole local cluster one node at a time: say restart --rolling",
        );
      }
      return localRestartRolling(flags);
    default:
      throw new BadInputError(
        `unknown command "${command}": say seed, node, local up, status, stop, kill, start, drain, scale, restart, down, haproxy, marathon or k8s; nothing was started; see galera-pilot --help`,
      );
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof GaleraPilotError) {
      console.error(`galera-pilot: ${error.message}`);
      process.exit(error.exitCode);
    }
    console.error("galera-pilot: unexpected error, please report it:", error);
    process.exit(ExitCode.unexpected);
  },
);
