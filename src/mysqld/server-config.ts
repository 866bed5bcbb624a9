/**
 * Renders the `[mysqld]` option file the agent starts mariadbd with (`--defaults-file`).
 * Pure: the caller writes it, readable only by the server's user, since it holds the SST
 * password (secrets never go on a command line).
 */
import { isIPv6 } from "node:net";
import { BadInputError } from "../errors.js";
import { binlogIdentity } from "./binlog-identity.js";

export type DurabilityProfile = "strict" | "process" | "seed";

export interface ServerConfigInput {
  datadir: string;
  socket: string;
  pidFile: string;
  /** null: errors go to stderr, which the agent forwards. */
  errorLog: string | null;
  bindAddress: string;
  port: number;
  /** This node's address as peers reach it: an IP or a name, without a port. */
  nodeAddress: string;
  nodeName: string;
  clusterName: string;
  /** Galera endpoints, "host" or "host:port" ("[v6]:port" for IPv6); [] renders gcomm:// (bootstrap). */
  clusterAddresses: string[];
  galeraPort: number;
  istPort: number;
  sstPort: number;
  sstMethod: "mariabackup" | "rsync";
  sstUser: string;
  sstPassword: string;
  durability: DurabilityProfile;
  /** Extra wsrep provider options, rendered after ours. */
  providerOptions: Record<string, string>;
  galeraLibrary: string;
  /** Donor-side SST rate limit for mariabackup (pv -L syntax: "10m" = 10 MiB/s); null = none. */
  sstRateLimit?: string | null;
  /** TLS for Galera replication, IST and SST: PEM files readable by the server's user; null = none. */
  tls?: TlsFiles | null;
}

/** The CA that signs every node's certificate, this node's certificate, and its key: PEM paths. */
export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
}

export const DEFAULT_GALERA_LIBRARY = "/usr/lib/galera/libgalera_smm.so";

/** The durability profiles of docs/cli.md (`--durability`); "seed" is the 2015 post's choice and loses acknowledged writes if all nodes crash. */
export const durabilitySettings: Record<
  DurabilityProfile,
  { innodbFlushLogAtTrxCommit: 0 | 1 | 2; syncBinlog: 0 | 1 }
> = {
  strict: { innodbFlushLogAtTrxCommit: 1, syncBinlog: 1 },
  process: { innodbFlushLogAtTrxCommit: 2, syncBinlog: 0 },
  seed: { innodbFlushLogAtTrxCommit: 0, syncBinlog: 0 },
};

/**
 * How long a node keeps its own binlog files. The archive (docs/point-in-time.md) holds the
 * events for as long as backups need them; a node's copy serves the archiver that takes over
 * after another one stopped, so it must outlast any outage the archive is expected to bridge.
 */
export const BINLOG_EXPIRE_SECONDS = 3 * 24 * 3600;

/** Above MariaDB's default of 151 for pools behind HAProxy, well below what 2 cores can serve. */
const MAX_CONNECTIONS = 300;

/**
 * The server reads option files with fgets() into a 4096-byte buffer (mysys/my_default.c):
 * a longer line is cut, and its tail is read as a line of its own, i.e. as another option.
 * Measured with my_print_defaults 10.11: 4094 bytes is the longest line read whole.
 */
export const MAX_OPTION_LINE_BYTES = 4094;

/** Provider options the agent owns: its decisions assume these values. */
const OWNED_PROVIDER_OPTIONS = [
  "gmcast.listen_addr",
  "ist.recv_addr",
  "pc.recovery",
  "base_host",
  // TLS is set with the agent's --tls-* settings, which also check the files and cover SST.
  "socket.ssl",
  "socket.ssl_ca",
  "socket.ssl_cert",
  "socket.ssl_key",
];

/**
 * Galera's failure detector (Galera's defaults in brackets): a member that sends nothing — not
 * even the keepalive it sends when idle — for evs.suspect_timeout is suspected, and dropped
 * from the view once every other member suspects it too; evs.inactive_timeout drops it without
 * that agreement. Until the new view is installed every write of the cluster waits.
 *
 * The timeouts are Galera's own: shorter ones (1 s, 3 s, 3 s until 2026-12) made a member that
 * went silent for a second under load (CPU starvation on a shared host) lose the primary
 * component in 3 of 6 cluster starts on a 2-core machine, against none in 6 with these (the
 * primary-stability benchmark). The agents make up for them where they can prove a member dead:
 * they evict it at once (evs.evict, decide/dead-member.ts), so a crash whose ports refuse
 * connections fails over in about a second; a host that vanishes without a refusal waits the
 * suspect timeout. The periods stay short: an idle member's keepalive four times a second, and
 * join messages while members agree on a view (at Galera's 1 s a live member could look
 * silent to the others and be suspected in turn). docs/routing.md has the table and the
 * measurements. The values meet the checks galera-4 makes at start (checkEvsTimings); like
 * Galera's own defaults, they put install_timeout below inactive_timeout, against the order
 * Galera's documentation gives and as galera-4 itself requires.
 */
export const failoverProviderOptions: Readonly<Record<EvsTiming, string>> = {
  "evs.keepalive_period": "PT0.25S", // [PT1S]
  "evs.inactive_check_period": "PT0.25S", // [PT0.5S]
  "evs.suspect_timeout": "PT5S", // [PT5S]
  "evs.inactive_timeout": "PT15S", // [PT15S]
  "evs.install_timeout": "PT7.5S", // [PT7.5S]
  "evs.join_retrans_period": "PT0.25S", // [PT1S]
};

/** Galera's own values of the same options (galera-4 26.4), for the classic setup and the docs. */
export const galeraDefaultEvsOptions: Readonly<Record<EvsTiming, string>> = {
  "evs.keepalive_period": "PT1S",
  "evs.inactive_check_period": "PT0.5S",
  "evs.suspect_timeout": "PT5S",
  "evs.inactive_timeout": "PT15S",
  "evs.install_timeout": "PT7.5S",
  "evs.join_retrans_period": "PT1S",
};

export type EvsTiming =
  | "evs.keepalive_period"
  | "evs.inactive_check_period"
  | "evs.suspect_timeout"
  | "evs.inactive_timeout"
  | "evs.install_timeout"
  | "evs.join_retrans_period";

/**
 * Seconds of an ISO 8601 duration as Galera writes them ("PT0.5S", "PT1M", "P1D"), or null
 * when the text is not one (Galera then judges it).
 */
export function durationSeconds(text: string): number | null {
  const t = text.trim();
  const m =
    /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(t);
  if (!m || t === "P" || t.endsWith("T")) return null;
  const [d, h, min, sec] = [m[1], m[2], m[3], m[4]].map((x) => (x === undefined ? 0 : Number(x)));
  return d! * 86_400 + h! * 3600 + min! * 60 + sec!;
}

/**
 * Refuses evs timings galera-4 would refuse at start, or that defeat each other, naming the
 * pair: galera-4 checks the first three (gcomm/src/evs_proto.cpp); the fourth is its
 * documentation's rule; the fifth is ours, from the failover measurements (docs/routing.md).
 * Values it cannot read are left to Galera.
 */
export function checkEvsTimings(options: ReadonlyMap<string, string>): void {
  const s = (key: EvsTiming): { key: EvsTiming; value: string; seconds: number } | null => {
    const value = options.get(key);
    const seconds = value === undefined ? null : durationSeconds(value);
    return seconds === null ? null : { key, value: value!, seconds };
  };
  const keepalive = s("evs.keepalive_period");
  const check = s("evs.inactive_check_period");
  const suspect = s("evs.suspect_timeout");
  const inactive = s("evs.inactive_timeout");
  const install = s("evs.install_timeout");
  const joinRetrans = s("evs.join_retrans_period");
  const refused = "galera-4 refuses to start otherwise";
  const rules: [typeof keepalive, number, typeof keepalive, string, string][] = [
    [check, 2, suspect, "at most half of", refused],
    [keepalive, 3, suspect, "at most a third of", refused],
    [install, 1, inactive, "at most", refused],
    [suspect, 1, inactive, "at most", "inactive_timeout is the hard limit behind suspect_timeout"],
    [joinRetrans, 2, suspect, "at most half of", "members agreeing on a view would suspect each other"],
  ];
  for (const [a, factor, b, words, why] of rules) {
    if (a && b && a.seconds * factor > b.seconds) {
      throw new BadInputError(
        `provider option ${a.key}=${a.value} must be ${words} ${b.key}=${b.value} (${why}); set both`,
      );
    }
  }
}

/** An option line: name=value, or the bare name of a flag when value is null. */
type Option = [name: string, value: string | null];

export function renderServerConfig(input: ServerConfigInput): string {
  const durability = durabilitySettings[input.durability];
  const node = hostOf(input.nodeAddress, "node address");
  const port = checkPort(input.port, "port");
  const sstPort = checkPort(input.sstPort, "SST port");
  if (input.sstUser === "" || input.sstUser.includes(":")) {
    // The SST scripts split wsrep_sst_auth at its first colon (wsrep_sst_common).
    throw new BadInputError(`SST user ${JSON.stringify(input.sstUser)} must be non-empty and contain no ":"`);
  }
  // No log_error: mariadbd writes to stderr, which the agent forwards.
  const binlog = binlogIdentity(input.clusterName, input.nodeName);
  const errorLog: Option[] =
    input.errorLog === null ? [] : [["log_error", quote(input.errorLog, "log_error")]];

  const options: Option[] = [
    ["datadir", quote(input.datadir, "datadir")],
    ["socket", quote(input.socket, "socket")],
    ["pid_file", quote(input.pidFile, "pid_file")],
    ...errorLog,
    // bind_address takes IPv6 without brackets.
    ["bind_address", quote(unbracket(input.bindAddress), "bind_address")],
    ["port", String(port)],
    ["skip_name_resolve", null],
    ["max_connections", String(MAX_CONNECTIONS)],
    // Galera's requirements: row events, InnoDB only, interleaved auto-increment locks.
    ["binlog_format", "ROW"],
    ["default_storage_engine", "InnoDB"],
    ["innodb_autoinc_lock_mode", "2"],
    ["innodb_flush_log_at_trx_commit", String(durability.innodbFlushLogAtTrxCommit)],
    ["sync_binlog", String(durability.syncBinlog)],
    // A binlog on every node, holding the cluster's transactions (log_slave_updates) under one
    // GTID each: what the archive of point-in-time recovery reads (mysqld/binlog-identity.ts).
    // The same basename on every node, as Galera's GTID handling expects (MDEV-9856).
    ["log_bin", "binlog"],
    ["log_slave_updates", "ON"],
    ["binlog_expire_logs_seconds", String(BINLOG_EXPIRE_SECONDS)],
    ["server_id", String(binlog.serverId)],
    ["gtid_domain_id", String(binlog.localDomain)],
    ["wsrep_on", "ON"],
    ["wsrep_gtid_mode", "ON"],
    ["wsrep_gtid_domain_id", String(binlog.clusterDomain)],
    ["wsrep_provider", quote(input.galeraLibrary, "wsrep_provider")],
    ["wsrep_cluster_name", quote(input.clusterName, "wsrep_cluster_name")],
    ["wsrep_cluster_address", quote(clusterAddress(input), "wsrep_cluster_address")],
    ["wsrep_node_name", quote(input.nodeName, "wsrep_node_name")],
    // The plain address, even IPv6 (as MariaDB's own IPv6 tests write it); ports go in the options.
    ["wsrep_node_address", quote(node, "wsrep_node_address")],
    // Where clients reach this server: MariaDB's own guess is "AUTO" for an IPv6 node (seen on 10.11).
    ["wsrep_node_incoming_address", quote(endpoint(node, port), "wsrep_node_incoming_address")],
    ["wsrep_provider_options", quote(providerOptions(input, node), "wsrep_provider_options")],
    ["wsrep_sst_receive_address", quote(endpoint(node, sstPort), "wsrep_sst_receive_address")],
    ["wsrep_sst_method", input.sstMethod],
    ["wsrep_sst_auth", quoteOptionValue(`${input.sstUser}:${input.sstPassword}`, "wsrep_sst_auth", true)],
  ];

  const lines = options.map(([name, value]) => (value === null ? name : `${name}=${value}`));
  for (const [index, line] of lines.entries()) {
    if (Buffer.byteLength(line) > MAX_OPTION_LINE_BYTES) {
      const name = options[index]?.[0] ?? "";
      throw new BadInputError(
        `${name} is longer than the ${MAX_OPTION_LINE_BYTES} bytes an option file line holds`,
      );
    }
  }
  // The mariabackup SST joiner runs `socat TCP-LISTEN:PORT` on every address unless told to
  // bind: two joiners on one host (the local cluster, host networking) then collide on 4444.
  // sockopt is appended to socat's address on both roles, so the donor binds its source too.
  const sst = [`sockopt=${quote(`bind=${isIPv6(node) ? `[${node}]` : node}`, "sockopt")}`];
  if (input.sstRateLimit) {
    if (!/^[1-9][0-9]*[kmgKMG]?$/.test(input.sstRateLimit)) {
      throw new BadInputError(
        `the SST rate limit must be a number of bytes per second with an optional k, m or g suffix, got ${JSON.stringify(input.sstRateLimit)}`,
      );
    }
    // mariabackup's SST script pipes the donor's stream through `pv -L` (Debian's pv).
    sst.push(`rlimit=${input.sstRateLimit}`);
  }
  if (input.tls) {
    // The SST scripts' socat (mariabackup) or stunnel (rsync) TLS: encrypt=3 is "key and
    // certificate", tca makes each side verify the other's chain; VERIFY_CA checks the chain
    // only, since nodes are reached by address and certificates need not name it.
    sst.push(
      "encrypt=3",
      `tca=${quote(input.tls.ca, "tca")}`,
      `tcert=${quote(input.tls.cert, "tcert")}`,
      `tkey=${quote(input.tls.key, "tkey")}`,
      "ssl-mode=VERIFY_CA",
    );
  }
  return [
    "# Rendered by galera-pilot at each start; edits here are lost.",
    "[mysqld]",
    ...lines,
    "",
    "[sst]",
    ...sst,
    "",
  ].join("\n");
}

/** Quotes a value that is not a secret: errors may echo it. */
function quote(value: string, option: string): string {
  return quoteOptionValue(value, option);
}

/**
 * Quotes a value for a MariaDB option file so that the server reads back exactly `value`.
 * The reader (mysys/my_default.c) cuts the line at a `#` outside quotes, trims spaces, strips
 * one pair of matching outer quotes, and then unescapes \" \' \\ \n \t \r \b \s everywhere.
 * So: wrap in double quotes and escape backslash and double quote; `'`, `#` and spaces are
 * then literal. A newline cannot be kept on one line and a NUL ends the C string: refused.
 * With `secret`, the error does not echo the value.
 */
export function quoteOptionValue(value: string, option = "option value", secret = false): string {
  const shown = secret ? "" : ` ${JSON.stringify(value)}`;
  if (/[\n\0]/.test(value)) {
    throw new BadInputError(`${option}${shown} contains a newline or NUL, which an option file cannot hold`);
  }
  // \r is escaped too: an editor or a CRLF-aware tool would otherwise take it for a line end.
  const escaped = value.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\r/g, "\\r");
  return `"${escaped}"`;
}

/** gcomm://a,b,c with every endpoint given a port, so peers on a non-default Galera port are found. */
function clusterAddress(input: ServerConfigInput): string {
  const port = checkPort(input.galeraPort, "Galera port");
  const endpoints = input.clusterAddresses.map((address) => {
    const { host, port: given } = splitEndpoint(address);
    return endpoint(host, given ?? port);
  });
  return `gcomm://${endpoints.join(",")}`;
}

function providerOptions(input: ServerConfigInput, node: string): string {
  const ours: [string, string][] = [
    ["gmcast.listen_addr", `tcp://${endpoint(node, checkPort(input.galeraPort, "Galera port"))}`],
    ["ist.recv_addr", endpoint(node, checkPort(input.istPort, "IST port"))],
    // Lets Galera restore the last primary component after all nodes crash (S4 in docs/recovery.md).
    ["pc.recovery", "TRUE"],
  ];
  // MariaDB's own IPv6 tests also give Galera its host in brackets; IPv4 needs nothing more.
  if (isIPv6(node)) ours.unshift(["base_host", `[${node}]`]);
  if (input.tls) {
    // Galera's own TLS for replication and IST: every peer must present a certificate of this CA.
    for (const [key, path] of [
      ["socket.ssl_ca", input.tls.ca],
      ["socket.ssl_cert", input.tls.cert],
      ["socket.ssl_key", input.tls.key],
    ] as const) {
      if (/[;=\\\n\0"]/.test(path)) {
        throw new BadInputError(`TLS file path ${JSON.stringify(path)} contains ; = \\ " or a newline`);
      }
      ours.push([key, path]);
    }
    ours.push(["socket.ssl", "YES"]);
  }

  const extra = checkProviderOptions(input.providerOptions);
  return [...ours, ...failoverDefaultsNotGiven(extra), ...extra]
    .map(([key, value]) => `${key}=${value}`)
    .join(";");
}

/** Extra provider options as rendered; throws on one the agent owns or Galera would misread. */
export function checkProviderOptions(providerOptions: Record<string, string>): [string, string][] {
  const extra = Object.entries(providerOptions).map(([key, value]): [string, string] => {
    if (OWNED_PROVIDER_OPTIONS.includes(key)) {
      throw new BadInputError(`provider option ${key} is set by galera-pilot itself; use its own setting`);
    }
    if (!/^[A-Za-z][A-Za-z0-9_.]*$/.test(key)) {
      throw new BadInputError(`provider option name ${JSON.stringify(key)} is not a Galera option name`);
    }
    // Galera splits the list at ";" and each pair at "=", and strips "\" as its escape (gu_config.cpp).
    if (/[;=\\\n\0]/.test(value)) {
      throw new BadInputError(`provider option ${key}=${JSON.stringify(value)} contains ; = \\ or a newline`);
    }
    return [key, value.trim()];
  });
  checkEvsTimings(new Map([...failoverDefaultsNotGiven(extra), ...extra]));
  return extra;
}

/** Our failure-detector defaults, each one only where the user did not give it: theirs win. */
function failoverDefaultsNotGiven(extra: readonly [string, string][]): [string, string][] {
  const given = new Set(extra.map(([key]) => key));
  return Object.entries(failoverProviderOptions).filter(([key]) => !given.has(key));
}

/** "host", "host:port", "[v6]", "[v6]:port" or a bare IPv6 address. */
function splitEndpoint(address: string): { host: string; port: number | null } {
  const text = address.trim();
  if (isIPv6(text)) return { host: text, port: null };
  const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? /^([^:[\]]+)(?::(\d+))?$/.exec(text);
  if (match?.[1] === undefined) {
    throw new BadInputError(`cluster address ${JSON.stringify(address)} is not host[:port]`);
  }
  const port = match[2];
  return {
    host: hostOf(match[1], "cluster address"),
    port: port === undefined ? null : checkPort(Number(port), "cluster address port"),
  };
}

/** A host name or IP, brackets removed; refuses what would break a gcomm:// list or a URL. */
function hostOf(address: string, what: string): string {
  const host = unbracket(address.trim());
  if (isIPv6(host) || /^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$/.test(host)) return host;
  throw new BadInputError(`${what} ${JSON.stringify(address)} is not a host name or an IP address`);
}

function unbracket(address: string): string {
  return /^\[.*\]$/.test(address) ? address.slice(1, -1) : address;
}

/** host:port, with IPv6 hosts in brackets as Galera and the SST scripts expect. */
function endpoint(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

function checkPort(port: number, what: string): number {
  if (Number.isInteger(port) && port >= 1 && port <= 65535) return port;
  throw new BadInputError(`${what} ${port} is not a TCP port (1-65535)`);
}
