/**
 * Chooses the discovery backend from the environment (docs/marathon.md, "Discovery backends").
 * The agent (parseAgentOptions) uses it; DnsDiscovery over the host list remains the default. Returns null when
 * GALERA_PILOT_DISCOVERY is unset or `dns`, so the caller keeps that behaviour.
 *
 * | GALERA_PILOT_DISCOVERY | settings                                                                                     |
 * | ---------------------- | -------------------------------------------------------------------------------------------- |
 * | `dns` (default)        | the host list (`node HOSTS`, GALERA_PILOT_PEERS)                                             |
 * | `consul-dns`           | GALERA_PILOT_CONSUL_SERVICE (galera), _TAG, _DOMAIN (consul), _SRV (no); DNS server as usual |
 * | `consul-api`           | GALERA_PILOT_CONSUL_URL (http://127.0.0.1:8500), _SERVICE, _TAG, _DATACENTER                 |
 * | `marathon`             | GALERA_PILOT_MARATHON_URL, _APP (ids, comma-separated; default MARATHON_APP_ID), _TASKS (healthy) |
 */
import { BadInputError } from "../errors.js";
import { ConsulApiDiscovery } from "./consul-api-discovery.js";
import { ConsulDnsDiscovery } from "./consul-dns-discovery.js";
import type { Discovery } from "./discovery.js";
import { MarathonDiscovery } from "./marathon-discovery.js";

export interface DiscoveryCommon {
  ownAddresses: string[];
  /** The Galera port peers listen on (4567). */
  defaultPort: number;
  /** GALERA_PILOT_DNS_SERVER, parsed; used by consul-dns. */
  dnsServers?: string[];
  timeoutMs?: number;
}

export type DiscoveryBackend = "dns" | "consul-dns" | "consul-api" | "marathon";

export function discoveryFromSettings(
  env: Readonly<Record<string, string | undefined>>,
  common: DiscoveryCommon,
): Discovery | null {
  const backend = (env["GALERA_PILOT_DISCOVERY"] ?? "dns").trim() || "dns";
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  switch (backend) {
    case "dns":
      return null;
    case "consul-dns":
      return new ConsulDnsDiscovery({
        service: get("GALERA_PILOT_CONSUL_SERVICE") ?? "galera",
        tag: get("GALERA_PILOT_CONSUL_TAG"),
        domain: get("GALERA_PILOT_CONSUL_DOMAIN") ?? "consul",
        srv: yesNo(get("GALERA_PILOT_CONSUL_SRV"), "GALERA_PILOT_CONSUL_SRV"),
        ...common,
      });
    case "consul-api":
      return new ConsulApiDiscovery({
        url: get("GALERA_PILOT_CONSUL_URL") ?? "http://127.0.0.1:8500",
        service: get("GALERA_PILOT_CONSUL_SERVICE") ?? "galera",
        tag: get("GALERA_PILOT_CONSUL_TAG"),
        datacenter: get("GALERA_PILOT_CONSUL_DATACENTER"),
        ownAddresses: common.ownAddresses,
        defaultPort: common.defaultPort,
        timeoutMs: common.timeoutMs,
      });
    case "marathon": {
      const url = get("GALERA_PILOT_MARATHON_URL");
      const appId = get("GALERA_PILOT_MARATHON_APP") ?? get("MARATHON_APP_ID");
      if (url === undefined || appId === undefined) {
        throw new BadInputError(
          "GALERA_PILOT_DISCOVERY=marathon needs GALERA_PILOT_MARATHON_URL and GALERA_PILOT_MARATHON_APP " +
            "(or Marathon's MARATHON_APP_ID); nothing was started",
        );
      }
      const tasks = get("GALERA_PILOT_MARATHON_TASKS") ?? "healthy";
      if (tasks !== "healthy" && tasks !== "all") {
        throw new BadInputError(
          `GALERA_PILOT_MARATHON_TASKS ${JSON.stringify(tasks)} is not healthy or all; nothing was started`,
        );
      }
      return new MarathonDiscovery({
        url,
        includeUnhealthy: tasks === "all",
        appIds: appId.split(",").map((id) => id.trim()),
        ownAddresses: common.ownAddresses,
        defaultPort: common.defaultPort,
        timeoutMs: common.timeoutMs,
      });
    }
    default:
      throw new BadInputError(
        `GALERA_PILOT_DISCOVERY ${JSON.stringify(backend)} is not one of dns, consul-dns, consul-api, marathon; nothing was started`,
      );
  }
}

function yesNo(value: string | undefined, name: string): boolean {
  if (value === undefined || value === "no") return false;
  if (value === "yes") return true;
  throw new BadInputError(`${name} ${JSON.stringify(value)} is not yes or no; nothing was started`);
}
