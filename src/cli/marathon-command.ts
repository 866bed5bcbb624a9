/**
 * `galera-pilot marathon render|deploy|scale|status` (docs/marathon.md).
 */
import { BadInputError, ExitCode } from "../errors.js";
import { Flags } from "../deploy/flags.js";
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

export async function marathonCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const command = `marathon ${sub ?? ""}`.trim();
  switch (sub) {
    case "render": {
      const flags = new Flags(command, rest, { values: renderFlagNames });
      const { group } = renderGroup(renderOptionsFromFlags(command, flags));
      console.log(JSON.stringify(group, null, 2));
      return ExitCode.ok;
    }
    case "deploy": {
      const flags = new Flags(command, rest, {
        values: [...renderFlagNames, ...apiFlags],
        booleans: ["force"],
      });
      const options = renderOptionsFromFlags(command, flags);
      const client = clientFrom(command, flags);
      const line = await deployCluster(client, renderGroup(options), options.nodes, waitFrom(flags));
      console.log(line);
      return ExitCode.ok;
    }
    case "scale": {
      const flags = new Flags(command, rest, {
        values: [...renderFlagNames, ...apiFlags],
        booleans: ["force"],
      });
      if (!flags.has("nodes"))
        throw new BadInputError(`${command}: --nodes N is required (the node app's instances)`);
      const client = clientFrom(command, flags);
      const rendered = await renderedFor(command, flags, client);
      console.log(
        await scaleCluster(client, rendered.nodeAppId, flags.integer("nodes", 0, 0, 99), waitFrom(flags)),
      );
      return ExitCode.ok;
    }
    case "status": {
      const flags = new Flags(command, rest, { values: [...renderFlagNames, ...apiFlags] });
      const client = clientFrom(command, flags);
      for (const line of await clusterStatus(client, await renderedFor(command, flags, client)))
        console.log(line);
      return ExitCode.ok;
    }
    default:
      throw new BadInputError(
        `${sub === undefined ? "marathon needs a subcommand" : `unknown subcommand "marathon ${sub}"`}: render, deploy, scale or status`,
      );
  }
}

function clientFrom(command: string, flags: Flags): MarathonClient {
  const url = flags.string("url");
  if (url === undefined)
    throw new BadInputError(`${command}: --url is required, e.g. http://marathon.mesos:8080`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BadInputError(
      `${command}: --url ${JSON.stringify(url)} is not a URL, e.g. http://marathon.mesos:8080`,
    );
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new BadInputError(`${command}: --url ${JSON.stringify(url)} is not an http:// or https:// URL`);
  }
  return new MarathonClient(url);
}

function waitFrom(flags: Flags): WaitOptions {
  return {
    timeoutMs: flags.integer("timeout", defaultWaitTimeoutMs / 1000, 1) * 1000,
    pollMs: flags.integer("poll-interval", defaultPollMs, 10),
    force: flags.flag("force"),
    progress: (line) => console.log(line),
  };
}

/** The app ids of the given layout; without --layout, the one the deployed group has. */
async function renderedFor(
  command: string,
  flags: Flags,
  client: MarathonClient,
): Promise<ReturnType<typeof renderGroup>> {
  if (flags.has("layout")) return renderGroup(renderOptionsFromFlags(command, flags));
  const probe = renderOptionsFromFlags(command, flags, false);
  const group = await client.getGroup(probe.groupId);
  const auto = (group?.apps ?? []).some((app) => app.id === `${probe.groupId}/galera`);
  return renderGroup({ ...probe, layout: auto ? "auto" : "seed" });
}
