/**
 * Parser of the `galera-pilot node HOST[,HOST…]` host list. A HOST is an IPv4 or IPv6 address,
 * `ADDR:PORT`, `[IPv6]:PORT`, a DNS name (resolved to its A/AAAA records, like Consul's
 * `galera.service.dc1.consul`) or an SRV name (`_galera._tcp.service.consul`: any name whose
 * first label starts with `_`), which gives hosts and ports. Nothing is resolved here.
 */
import { isIPv4, isIPv6 } from "node:net";

import { BadInputError } from "../errors.js";

export interface HostSpec {
  kind: "address" | "name" | "srv";
  /** An address without brackets, or a DNS name in lower case. */
  host: string;
  /** The port given after the host, or null for the default (and always for SRV names). */
  port: number | null;
}

const nothingStarted = "nothing was started";
const hostForms =
  'a host is an IPv4 or IPv6 address, ADDR:PORT, [IPv6]:PORT, a DNS name or an SRV name such as "_galera._tcp.service.consul"';

export function parseHostList(text: string): HostSpec[] {
  const list = text.trim();
  if (list === "") {
    throw new BadInputError(
      `empty host list; ${nothingStarted}; give at least one peer, e.g. "10.0.0.2,10.0.0.3" or "galera.service.dc1.consul"`,
    );
  }
  if (/^gcomm:\/\//i.test(list)) {
    const hosts = list.replace(/^gcomm:\/\//i, "").replace(/\?.*$/, "");
    throw new BadInputError(
      `host list ${JSON.stringify(list)} starts with "gcomm://"; ${nothingStarted}; ` +
        `give the hosts alone, e.g. ${JSON.stringify(hosts)}: galera-pilot writes the gcomm:// address itself`,
    );
  }
  return list.split(",").map((item, index) => {
    const host = item.trim();
    if (host === "") {
      throw new BadInputError(
        `host list ${JSON.stringify(list)} has an empty item (position ${index + 1}); ${nothingStarted}; ` +
          `separate hosts with single commas and no comma at either end, e.g. "10.0.0.2,10.0.0.3"`,
      );
    }
    return parseHost(host);
  });
}

function parseHost(item: string): HostSpec {
  const quoted = `host ${JSON.stringify(item)} in the host list`;
  if (item.includes("://")) {
    throw new BadInputError(
      `${quoted} is a URL; ${nothingStarted}; give it without the scheme; ${hostForms}`,
    );
  }
  if (item.startsWith("[")) {
    const match = /^\[([^\]]*)\](?::(.*))?$/.exec(item);
    if (!match || !isIPv6(match[1] ?? "")) {
      throw new BadInputError(
        `${quoted} is not a valid [IPv6]:PORT; ${nothingStarted}; brackets hold an IPv6 address only, e.g. "[fd00::2]:4567"`,
      );
    }
    const address = match[1] ?? "";
    return {
      kind: "address",
      host: address,
      port: match[2] === undefined ? null : parsePort(quoted, match[2]),
    };
  }
  if (isIPv6(item)) return { kind: "address", host: item, port: null };
  const colons = item.split(":").length - 1;
  if (colons > 1) {
    throw new BadInputError(
      `${quoted} is not a valid IPv6 address; ${nothingStarted}; ` +
        `write an IPv6 address as "fd00::2", or with a port as "[fd00::2]:4567"`,
    );
  }
  const [host = "", portText] = item.split(":");
  const port = portText === undefined ? null : parsePort(quoted, portText);
  if (host === "") {
    throw new BadInputError(`${quoted} has a port but no host; ${nothingStarted}; ${hostForms}`);
  }
  if (isIPv4(host)) return { kind: "address", host, port };
  if (/^[0-9.]+$/.test(host)) {
    throw new BadInputError(
      `${quoted} is not a valid IPv4 address; ${nothingStarted}; write four numbers from 0 to 255 separated by dots, e.g. "10.0.0.2"`,
    );
  }
  checkName(quoted, host);
  const name = host.toLowerCase();
  if (!name.startsWith("_")) return { kind: "name", host: name, port };
  if (port !== null) {
    throw new BadInputError(
      `${quoted} is an SRV name with a port; ${nothingStarted}; SRV records carry their own ports, so leave ":${port}" out`,
    );
  }
  return { kind: "srv", host: name, port: null };
}

function parsePort(quoted: string, text: string): number {
  const port = /^[0-9]{1,5}$/.test(text) ? Number(text) : NaN;
  if (port >= 1 && port <= 65535) return port;
  throw new BadInputError(
    `${quoted} has port ${JSON.stringify(text)}, which is not a number from 1 to 65535; ${nothingStarted}; ` +
      `give a port from 1 to 65535, or leave ":PORT" out to use the default`,
  );
}

/**
 * RFC 1123 host names: dot-separated labels of 1-63 letters, digits and hyphens, not starting or
 * ending with a hyphen, at most 253 characters; one trailing dot (an absolute name) is allowed.
 * Underscores are allowed too, for SRV labels (`_galera._tcp`) and the names some schedulers make.
 */
function checkName(quoted: string, name: string): void {
  const nameRule = `${nothingStarted}; a DNS name is dot-separated labels of letters, digits, "-" and "_" (RFC 1123)`;
  const bad = /[^A-Za-z0-9._-]/.exec(name);
  if (bad) {
    throw new BadInputError(`${quoted} has an invalid character ${JSON.stringify(bad[0])}; ${nameRule}`);
  }
  const bare = name.endsWith(".") ? name.slice(0, -1) : name;
  if (bare.length > 253) {
    throw new BadInputError(`${quoted} is longer than 253 characters; ${nameRule}`);
  }
  for (const label of bare.split(".")) {
    if (label === "") throw new BadInputError(`${quoted} has an empty label; ${nameRule}`);
    if (label.length > 63) {
      throw new BadInputError(`${quoted} has a label longer than 63 characters; ${nameRule}`);
    }
    if (label.startsWith("-") || label.endsWith("-")) {
      throw new BadInputError(
        `${quoted} has the label ${JSON.stringify(label)}, which starts or ends with "-"; ${nameRule}`,
      );
    }
  }
}
