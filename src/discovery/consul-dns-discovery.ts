/**
 * Discovery through Consul's DNS interface, as the seed post did with registrator: the service's
 * name (`galera.service.consul`, or filtered by a tag: `node.galera.service.dc1.consul`) gives one
 * A record per passing instance; asked for SRV, the same name gives each instance's node and
 * registered port. The lookups are DnsDiscovery's, so failures read the same (NXDOMAIN, timeout…).
 *
 * The port: registrator registers the SQL port (3306), not Galera's, so by default every peer
 * gets the Galera port; `useServicePort` keeps the SRV port, for a service registered on 4567.
 */
import { BadInputError } from "../errors.js";
import type { Discovery, PeerEndpoint } from "./discovery.js";
import { DnsDiscovery } from "./dns-discovery.js";
import type { HostSpec } from "./host-list.js";

export interface ConsulDnsDiscoveryOptions {
  /** The Consul service name, e.g. `galera`. */
  service: string;
  /** Only instances with this tag (`TAG.NAME.service…`). */
  tag?: string;
  /** Consul's domain, with the datacenter when one is wanted: `consul` or `dc1.consul`. */
  domain?: string;
  /** Ask for SRV records instead of A/AAAA. */
  srv?: boolean;
  /** With SRV: use the registered port instead of defaultPort. */
  useServicePort?: boolean;
  ownAddresses: string[];
  defaultPort: number;
  /** Consul's DNS, e.g. `127.0.0.1:8600`; absent: the system's resolvers. */
  dnsServers?: string[];
  timeoutMs?: number;
}

const label = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i;

/** The Consul DNS name of a service: `[TAG.]NAME.service.DOMAIN`. */
export function consulServiceName(service: string, tag: string | undefined, domain: string): string {
  return [tag, service, "service", domain]
    .filter((part) => part !== undefined)
    .join(".")
    .toLowerCase();
}

export class ConsulDnsDiscovery implements Discovery {
  readonly #name: string;
  readonly #dns: DnsDiscovery;
  readonly #srv: boolean;
  readonly #keepPort: boolean;
  readonly #defaultPort: number;

  constructor(options: ConsulDnsDiscoveryOptions) {
    const domain = options.domain ?? "consul";
    for (const [what, value] of [
      ["service name", options.service],
      ["tag", options.tag],
    ] as const) {
      if (value !== undefined && !label.test(value)) {
        throw new BadInputError(
          `Consul ${what} ${JSON.stringify(value)} is not a DNS label (letters, digits, dashes); nothing was started`,
        );
      }
    }
    if (!domain.split(".").every((part) => label.test(part))) {
      throw new BadInputError(
        `Consul domain ${JSON.stringify(domain)} is not a domain, e.g. "consul" or "dc1.consul"; nothing was started`,
      );
    }
    this.#name = consulServiceName(options.service, options.tag, domain);
    this.#srv = options.srv ?? false;
    this.#keepPort = options.useServicePort ?? false;
    this.#defaultPort = options.defaultPort;
    const host: HostSpec = { kind: this.#srv ? "srv" : "name", host: this.#name, port: null };
    this.#dns = new DnsDiscovery({
      hosts: [host],
      ownAddresses: options.ownAddresses,
      defaultPort: options.defaultPort,
      dnsServers: options.dnsServers,
      timeoutMs: options.timeoutMs,
    });
  }

  describe(): string {
    const port = this.#srv && this.#keepPort ? "ports from SRV" : `port ${this.#defaultPort}`;
    return `Consul DNS ${this.#srv ? "SRV" : "A"} ${this.#name}, ${port} (${this.#dns.describe()})`;
  }

  async discover(): Promise<PeerEndpoint[]> {
    const peers = await this.#dns.discover();
    if (!this.#srv || this.#keepPort) return peers;
    const unique = new Map(
      peers.map((peer) => [peer.address, { address: peer.address, port: this.#defaultPort }]),
    );
    return [...unique.values()];
  }
}
