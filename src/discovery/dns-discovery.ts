/**
 * Discovery by DNS, as the seed's containers did with Consul: a name resolves to one A/AAAA
 * record per node (`galera.service.dc1.consul`), an SRV name (`_galera._tcp.service.consul`) to
 * host:port pairs, and literal addresses pass through. Every resolver failure becomes
 * DiscoveryUnavailable, with the name, the DNS server and the DNS code in words.
 */
import { Resolver } from "node:dns/promises";
import { isIPv4, isIPv6 } from "node:net";
import { networkInterfaces } from "node:os";

import { BadInputError, DiscoveryUnavailable } from "../errors.js";
import type { Discovery, PeerEndpoint } from "./discovery.js";
import type { HostSpec } from "./host-list.js";

export interface DnsDiscoveryOptions {
  hosts: HostSpec[];
  /** The node's own addresses, removed from the result whatever the port. */
  ownAddresses: string[];
  /** The Galera port for hosts given without one (4567). */
  defaultPort: number;
  /** `ADDR`, `ADDR:PORT` or `[IPv6]:PORT`; when absent, the servers of /etc/resolv.conf. */
  dnsServers?: string[];
  /** discover() settles within about this long, even when the DNS server never answers. */
  timeoutMs?: number;
}

export const defaultDnsTimeoutMs = 3000;
/** Slack after timeoutMs before outstanding queries are cancelled, so c-ares's own timeout wins. */
const cancelSlackMs = 500;

const nothingStarted = "nothing was started";
const serverAdvice = "check that the DNS server is running and reachable (GALERA_PILOT_DNS_SERVER)";
const nameAdvice = "check the name or the DNS server (GALERA_PILOT_DNS_SERVER)";

export class DnsDiscovery implements Discovery {
  readonly #hosts: HostSpec[];
  readonly #own: Set<string>;
  readonly #defaultPort: number;
  readonly #dnsServers: string[] | null;
  readonly #timeoutMs: number;

  constructor(options: DnsDiscoveryOptions) {
    if (options.hosts.length === 0) {
      throw new BadInputError(
        `DNS discovery was given no hosts; ${nothingStarted}; give at least one address or DNS name`,
      );
    }
    if (!Number.isInteger(options.defaultPort) || options.defaultPort < 1 || options.defaultPort > 65535) {
      throw new BadInputError(
        `default Galera port ${JSON.stringify(options.defaultPort)} is not a number from 1 to 65535; ` +
          `${nothingStarted}; give a port from 1 to 65535 (Galera's usual one is 4567)`,
      );
    }
    const timeoutMs = options.timeoutMs ?? defaultDnsTimeoutMs;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new BadInputError(
        `DNS timeout ${JSON.stringify(timeoutMs)} ms is not a positive number; ${nothingStarted}; ` +
          `give a timeout in milliseconds, e.g. ${defaultDnsTimeoutMs}`,
      );
    }
    if (options.dnsServers !== undefined) checkDnsServers(options.dnsServers);
    this.#hosts = options.hosts;
    this.#own = new Set(options.ownAddresses.map(addressKey));
    this.#defaultPort = options.defaultPort;
    this.#dnsServers = options.dnsServers && options.dnsServers.length > 0 ? options.dnsServers : null;
    this.#timeoutMs = timeoutMs;
  }

  describe(): string {
    const hosts = this.#hosts.map(formatHostSpec).join(",");
    return `DNS ${hosts} via ${this.#serverText()}, default port ${this.#defaultPort}`;
  }

  async discover(): Promise<PeerEndpoint[]> {
    const resolver = this.#resolver();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      resolver.cancel();
    }, this.#timeoutMs + cancelSlackMs);
    try {
      const lookup: Lookup = { resolver, timedOut: () => timedOut };
      const found = await Promise.all(this.#hosts.map((spec) => this.#resolveSpec(lookup, spec)));
      return sortUnique(found.flat().filter((peer) => !this.#own.has(addressKey(peer.address))));
    } finally {
      clearTimeout(timer);
      resolver.cancel();
    }
  }

  #resolver(): Resolver {
    // One try per server, each with its share of the budget: c-ares doubles the timeout on
    // every further try, so the default 4 tries would wait 15 times as long.
    const servers = this.#dnsServers ?? new Resolver().getServers();
    const resolver = new Resolver({
      timeout: Math.max(50, Math.floor(this.#timeoutMs / Math.max(1, servers.length))),
      tries: 1,
    });
    if (this.#dnsServers) resolver.setServers(this.#dnsServers);
    return resolver;
  }

  #serverText(): string {
    return this.#dnsServers ? `DNS server ${this.#dnsServers.join(", ")}` : "the system's DNS servers";
  }

  async #resolveSpec(lookup: Lookup, spec: HostSpec): Promise<PeerEndpoint[]> {
    if (spec.kind === "address") {
      return [{ address: normalizeAddress(spec.host), port: spec.port ?? this.#defaultPort }];
    }
    if (spec.kind === "name") {
      const addresses = await this.#resolveAddresses(
        lookup,
        spec.host,
        `peer name ${JSON.stringify(spec.host)}`,
      );
      return addresses.map((address) => ({ address, port: spec.port ?? this.#defaultPort }));
    }
    const subject = `SRV name ${JSON.stringify(spec.host)}`;
    let records;
    try {
      records = await lookup.resolver.resolveSrv(spec.host);
    } catch (error) {
      throw this.#failure(subject, "SRV", error, lookup);
    }
    // A target of "." means "no such service here" (RFC 2782).
    const targets = records.filter((record) => record.name !== "" && record.name !== ".");
    if (targets.length === 0) {
      throw new DiscoveryUnavailable(
        `cannot resolve ${subject} at ${this.#serverText()}: its SRV records name no target; ` +
          `${nothingStarted}; ${nameAdvice}`,
      );
    }
    const found = await Promise.all(
      targets.map(async (record) => {
        const addresses =
          isIPv4(record.name) || isIPv6(record.name)
            ? [normalizeAddress(record.name)]
            : await this.#resolveAddresses(
                lookup,
                record.name,
                `host ${JSON.stringify(record.name)} named by ${subject}`,
              );
        return addresses.map((address) => ({ address, port: record.port }));
      }),
    );
    return found.flat();
  }

  /** A and AAAA records of a name; one family may be missing, not both. */
  async #resolveAddresses(lookup: Lookup, name: string, subject: string): Promise<string[]> {
    const [v4, v6] = await Promise.allSettled([
      lookup.resolver.resolve4(name),
      lookup.resolver.resolve6(name),
    ]);
    const addresses: string[] = [];
    const failures: unknown[] = [];
    for (const result of [v4, v6]) {
      if (result.status === "fulfilled") addresses.push(...result.value.map(normalizeAddress));
      else if (!isNoRecords(result.reason)) failures.push(result.reason);
    }
    if (failures.length > 0) throw this.#failure(subject, "A/AAAA", failures[0], lookup);
    if (addresses.length > 0) return addresses;
    // Both families are missing: NXDOMAIN if either said so, else the name has no addresses.
    const reasons = [v4, v6].map((result) => (result.status === "rejected" ? result.reason : undefined));
    const nxdomain = reasons.find((reason) => errorCode(reason) === "ENOTFOUND");
    throw this.#failure(subject, "A/AAAA", nxdomain ?? reasons[0], lookup);
  }

  #failure(subject: string, type: string, error: unknown, lookup: Lookup): DiscoveryUnavailable {
    let code = errorCode(error) ?? "";
    if (code === "ECANCELLED" && lookup.timedOut()) code = "ETIMEOUT";
    const words = codeInWords(code, type, this.#timeoutMs, error);
    const advice = code === "ENOTFOUND" || code === "ENODATA" ? nameAdvice : serverAdvice;
    return new DiscoveryUnavailable(
      `cannot resolve ${subject} at ${this.#serverText()}: ${words}; ${nothingStarted}; ${advice}`,
      { cause: error },
    );
  }
}

interface Lookup {
  resolver: Resolver;
  timedOut(): boolean;
}

/** The addresses of this machine's interfaces, all families, normalized, loopback included. */
export function localAddresses(): string[] {
  const addresses = Object.values(networkInterfaces())
    .flatMap((infos) => infos ?? [])
    .map((info) => normalizeAddress(info.address));
  return [...new Set(addresses)].sort(compareAddresses);
}

export function checkDnsServers(servers: string[]): void {
  for (const server of servers) {
    try {
      new Resolver().setServers([server]);
    } catch {
      throw new BadInputError(
        `DNS server ${JSON.stringify(server)} is not an address; ${nothingStarted}; ` +
          `give ADDR, ADDR:PORT or [IPv6]:PORT, e.g. "127.0.0.1:8600" (GALERA_PILOT_DNS_SERVER)`,
      );
    }
  }
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null || !("code" in error)) return undefined;
  return typeof error.code === "string" ? error.code : undefined;
}

function isNoRecords(error: unknown): boolean {
  const code = errorCode(error);
  return code === "ENODATA" || code === "ENOTFOUND";
}

function codeInWords(code: string, type: string, timeoutMs: number, error: unknown): string {
  switch (code) {
    case "ENOTFOUND":
      return "NXDOMAIN (no such name)";
    case "ENODATA":
      return `NODATA (the name has no ${type} records)`;
    case "ETIMEOUT":
      return `ETIMEOUT (no answer within ${timeoutMs} ms)`;
    case "ECONNREFUSED":
      return "ECONNREFUSED (connection refused: nothing listens at the DNS server's address)";
    case "ESERVFAIL":
      return "SERVFAIL (the DNS server failed to answer)";
    case "EREFUSED":
      return "REFUSED (the DNS server refused the query)";
    case "EFORMERR":
      return "FORMERR (the DNS server found the query malformed)";
    case "ENOTIMP":
      return "NOTIMP (the DNS server does not implement the query)";
    case "EBADRESP":
      return "EBADRESP (the DNS server's answer is malformed)";
    case "EBADNAME":
      return "EBADNAME (the name is malformed)";
    case "EOF":
      return "EOF (the DNS server closed the connection)";
    case "EFILE":
      return "EFILE (the resolver configuration cannot be read)";
    case "ECANCELLED":
      return "ECANCELLED (the query was cancelled)";
    default: {
      const message = error instanceof Error ? error.message : String(error);
      return `${code || "unexpected error"} (${message.replace(/\s+/g, " ").trim()})`;
    }
  }
}

/** IPv4 as is; IPv4-mapped IPv6 as IPv4; IPv6 lower-case and compressed (RFC 5952), zone kept. */
export function normalizeAddress(address: string): string {
  const [bare = "", zone] = address.split("%", 2);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped?.[1] && isIPv4(mapped[1])) return mapped[1];
  if (!isIPv6(bare)) return address;
  const canonical = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  return zone === undefined ? canonical : `${canonical}%${zone}`;
}

/** The address a peer's address is compared with the node's own by: normalized, no zone. */
function addressKey(address: string): string {
  return normalizeAddress(address).split("%", 1)[0] ?? "";
}

/** IPv4 before IPv6, each in numeric order. */
function compareAddresses(a: string, b: string): number {
  const ka = sortKey(a);
  const kb = sortKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function sortKey(address: string): string {
  if (isIPv4(address)) {
    return (
      "4" +
      address
        .split(".")
        .map((octet) => Number(octet).toString(16).padStart(2, "0"))
        .join("")
    );
  }
  const [bare = "", zone = ""] = normalizeAddress(address).split("%", 2);
  if (!isIPv6(bare)) return `9${address}`;
  const [head = "", tail] = bare.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return "6" + groups.map((group) => group.padStart(4, "0")).join("") + zone;
}

function sortUnique(peers: PeerEndpoint[]): PeerEndpoint[] {
  const unique = new Map(peers.map((peer) => [`${peer.address} ${peer.port}`, peer]));
  return [...unique.values()].sort((a, b) => compareAddresses(a.address, b.address) || a.port - b.port);
}

function formatHostSpec(spec: HostSpec): string {
  const host =
    spec.kind === "address" && spec.host.includes(":") && spec.port !== null ? `[${spec.host}]` : spec.host;
  return spec.port === null ? host : `${host}:${spec.port}`;
}
