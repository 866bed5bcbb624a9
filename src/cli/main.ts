#!/usr/bin/env node
import { createLogger } from "../logger.js";
import { NodeAgent } from "../agent/node-agent.js";
import { whenRunnerGone } from "../agent/runner-watch.js";
import { BadInputError, ExitCode, GaleraPilotError } from "../errors.js";
import { version } from "../version.js";
import { parseAgentOptions } from "../options/agent-options.js";
import { usage } from "../options/agent-settings.js";
import { HelpRequested, isHelpFlag } from "../options/command-line.js";
import { haproxyCommand, haproxyUsage } from "./haproxy-command.js";

async function main(argv: string[]): Promise<number> {
  const env = process.env;
  const first = argv.find((a) => !a.startsWith("--"));
  if (isHelpFlag(argv[0]) || argv.length === 0) {
    console.log(await everyUsage());
    return argv.length === 0 ? ExitCode.badInput : ExitCode.ok;
  }
  if (argv[0] === "--version") {
    console.log(version);
    return ExitCode.ok;
  }
  // Agent options come before the mode; the other commands take theirs after their name.
  if (first === "seed" || first === "node" || argv[0]?.startsWith("--")) return runAgent(argv, env);
  const [command, ...rest] = argv;
  if (command === "marathon") return (await import("./marathon-command.js")).marathonCommand(rest);
  if (command === "k8s") return (await import("./k8s-command.js")).k8sCommand(rest);
  if (command === "haproxy") return haproxyCommand(rest);
  // doctor and verify load their modules (mysql2 among them) only when asked for.
  if (command === "doctor") return (await import("./doctor-command.js")).doctorCommand(rest, env);
  if (command === "verify") return (await import("./verify-command.js")).verifyCommand(rest, env);
  if (command === "backup") return (await import("./backup-command.js")).backupCommand(rest, env);
  if (command === "restore") return (await import("./backup-command.js")).restoreEntry(rest, env);
  if (command === "archive") return (await import("./archive-command.js")).archiveCommand(rest, env);
  // The local runner's modules load only for its commands: an agent starts sooner without them.
  const local = await import("./local-commands.js");
  const { localUsage, parseLocalFlags } = await import("./local-flags.js");
  if (command === "local" && isHelpFlag(rest[0])) throw new HelpRequested(localUsage);
  if (command === "local" && rest[0] === "up") {
    return local.localUp(parseLocalFlags("local up", rest.slice(1), env));
  }
  switch (command) {
    case "status":
      return local.localStatus(parseLocalFlags(command, rest, env));
    case "stop":
    case "kill":
    case "start":
      return local.localNodeAction(parseLocalFlags(command, rest, env), command);
    case "drain":
      // A stop drains first: /ready and /writer answer 503 for the drain period, then the node leaves.
      return local.localNodeAction(
        parseLocalFlags(command, rest, env),
        "stop",
        "drained, then left the cluster; `start` brings it back",
      );
    case "down":
      return local.localDown(parseLocalFlags(command, rest, env));
    case "scale":
      return local.localScale(parseLocalFlags(command, rest, env));
    case "restart":
      return local.localRestartRolling(parseLocalFlags(command, rest, env));
    default:
      throw new BadInputError(
        `unknown command "${command}": say seed, node, local up, status, stop, kill, start, drain, scale, restart, down, doctor, verify, backup, restore, archive, haproxy, marathon or k8s; nothing was started; see galera-pilot --help`,
      );
  }
}

async function runAgent(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
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

/** `galera-pilot --help`: every command's usage. */
async function everyUsage(): Promise<string> {
  const { localUsage } = await import("./local-flags.js");
  const { doctorUsage } = await import("./doctor-command.js");
  const { verifyUsage } = await import("./verify-options.js");
  const { marathonUsage } = await import("./marathon-command.js");
  const { k8sUsage } = await import("./k8s-command.js");
  const { backupUsage } = await import("./backup-command.js");
  const { archiveUsage } = await import("./archive-command.js");
  return [
    usage,
    localUsage,
    doctorUsage,
    verifyUsage,
    backupUsage,
    archiveUsage,
    haproxyUsage,
    marathonUsage,
    k8sUsage,
  ].join("\n\n");
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof HelpRequested) {
      console.log(error.usage);
      process.exit(ExitCode.ok);
    }
    if (error instanceof GaleraPilotError) {
      console.error(`galera-pilot: ${error.message}`);
      process.exit(error.exitCode);
    }
    console.error("galera-pilot: unexpected error, please report it:", error);
    process.exit(ExitCode.unexpected);
  },
);
