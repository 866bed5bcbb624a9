/**
 * `galera-pilot marathon render|deploy|scale|status` (docs/marathon.md).
 */
import { BadInputError, ExitCode } from "../errors.js";
import type { FlagReader } from "../config/flag-reader.js";
import { MarathonClient } from "../deploy/marathon/marathon-client.js";
import {
  clusterStatus,
  defaultPollMs,
  defaultWaitTimeoutMs,
  deployCluster,
  scaleCluster,
  type WaitOptions,
} from "../deploy/marathon/marathon-operations.js";
import { renderGroup } from "../deploy/marathon/render-group.js";
import { renderFlagNames, renderOptionsFromFlags } from "../deploy/marathon/render-options.js";
import { HelpRequested, isHelpFlag, parseCommandLine, type CommandGrammar } from "../options/command-line.js";

export const marathonUsage = `Marathon (docs/marathon.md):
  galera-pilot marathon render --layout seed|auto [options]     the app group as JSON on stdout
  galera-pilot marathon deploy --url URL --layout seed|auto [options] [--force]
  galera-pilot marathon scale --url URL --nodes N [--id /galera] [--layout seed|auto] [--force]
  galera-pilot marathon status --url URL [--id /galera] [--layout seed|auto]
  options: --id --image --nodes --cpus --mem --discovery-name --service-name --health-grace
    --health-interval --health-failures --constraint-hosts h1,h2 --host-volume PATH
    --persistent-volume-size MIB --secrets marathon|files --secret-source-prefix PATH
    --secrets-host-dir PATH --kill-grace S --env NAME=VALUE,… --timeout S --poll-interval MS`;

const apiFlags = ["url", "timeout", "poll-interval"] as const;

export type MarathonSubcommand = "render" | "deploy" | "scale" | "status";

/** The flags of each subcommand: render's, and for those that talk to Marathon, its URL and waits. */
export function marathonGrammar(sub: MarathonSubcommand): CommandGrammar {
  const talks = sub !== "render";
  return {
    name: `marathon ${sub}`,
    usage: marathonUsage,
    values: talks ? [...renderFlagNames, ...apiFlags] : renderFlagNames,
    booleans: sub === "deploy" || sub === "scale" ? ["force"] : [],
  };
}

export async function marathonCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (isHelpFlag(sub)) throw new HelpRequested(marathonUsage);
  if (sub !== "render" && sub !== "deploy" && sub !== "scale" && sub !== "status") {
    throw new BadInputError(
      `${sub === undefined ? "marathon needs a subcommand" : `unknown subcommand "marathon ${sub}"`}: render, deploy, scale or status`,
    );
  }
  const { flags } = parseCommandLine(marathonGrammar(sub), rest);
  switch (sub) {
    case "render": {
      const { group } = renderGroup(renderOptionsFromFlags(flags));
      console.log(JSON.stringify(group, null, 2));
      return ExitCode.ok;
    }
    case "deploy": {
      const options = renderOptionsFromFlags(flags);
      const client = clientFrom(flags);
      const line = await deployCluster(client, renderGroup(options), options.nodes, waitFrom(flags));
      console.log(line);
      return ExitCode.ok;
    }
    case "scale": {
      if (!flags.has("nodes")) throw flags.error("nodes", "N is required (the node app's instances)");
      const client = clientFrom(flags);
      const rendered = await renderedFor(flags, client);
      console.log(
        await scaleCluster(client, rendered.nodeAppId, flags.integer("nodes", 0, 0, 99), waitFrom(flags)),
      );
      return ExitCode.ok;
    }
    case "status": {
      const client = clientFrom(flags);
      for (const line of await clusterStatus(client, await renderedFor(flags, client))) console.log(line);
      return ExitCode.ok;
    }
  }
}

const httpUrl = (text: string): string | undefined => {
  try {
    const { protocol } = new URL(text);
    return protocol === "http:" || protocol === "https:" ? text : undefined;
  } catch {
    return undefined;
  }
};

function clientFrom(flags: FlagReader): MarathonClient {
  const url = flags.value("url", "an http:// or https:// URL", httpUrl);
  if (url === undefined) throw flags.error("url", "is required, e.g. http://marathon.mesos:8080");
  return new MarathonClient(url);
}

function waitFrom(flags: FlagReader): WaitOptions {
  return {
    timeoutMs: flags.integer("timeout", defaultWaitTimeoutMs / 1000, 1) * 1000,
    pollMs: flags.integer("poll-interval", defaultPollMs, 10),
    force: flags.flag("force"),
    progress: (line) => console.log(line),
  };
}

/** The app ids of the given layout; without --layout, the one the deployed group has. */
async function renderedFor(
  flags: FlagReader,
  client: MarathonClient,
): Promise<ReturnType<typeof renderGroup>> {
  if (flags.has("layout")) return renderGroup(renderOptionsFromFlags(flags));
  const probe = renderOptionsFromFlags(flags, false);
  const group = await client.getGroup(probe.groupId);
  const auto = (group?.apps ?? []).some((app) => app.id === `${probe.groupId}/galera`);
  return renderGroup({ ...probe, layout: auto ? "auto" : "seed" });
}
