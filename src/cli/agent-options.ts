import { writerHandoverMs } from "../router/haproxy-config.js";
import { hostname } from "node:os";
import { isIP } from "node:net";
import { BadInputError } from "../errors.js";
import { parseHostList, type HostSpec } from "../peers/host-list.js";
import { readSecret, requireSecret } from "../config/read-secret.js";
import { clusterSecretFrom } from "../config/cluster-secret.js";
import type { Secret } from "../config/secret.js";
import { checkProviderOptions, type DurabilityProfile, type TlsFiles } from "../mysqld/server-config.js";
import { checkDnsServers, localAddresses } from "../peers/dns-discovery.js";
import type { HealthOptions } from "../health/health-policy.js";
import type { Discovery } from "../peers/discovery.js";
import { discoveryFromSettings } from "../peers/discovery-from-settings.js";

/**
 * Between two samples of the node's state. It bounds how soon the agents see a new view, so
 * it is part of the failover time (docs/routing.md); 500 ms costs four short status queries a second.
 */
export const DEFAULT_SAMPLE_INTERVAL_MS = 500;

type Env = Readonly<Record<string, string | undefined>>;

export type AgentMode = "seed" | "node";

/** Everything `galera-pilot seed|node` needs, parsed and checked before anything is touched. */
export interface AgentOptions {
  mode: AgentMode;
  /** Peers given on the command line (node mode); empty for seed. */
  hosts: HostSpec[];
  /** Arguments passed to mariadbd unchanged. */
  mysqldArgs: string[];
  nodeName: string;
  /** The address this node binds and advertises (SQL, Galera, IST, SST). */
  address: string;
  clusterName: string;
  datadir: string;
  /** Where the agent keeps the rendered config, socket, pid file and logs of this node. */
  runDir: string;
  ports: { mysql: number; galera: number; ist: number; sst: number; health: number };
  healthAddress: string;
  durability: DurabilityProfile;
  sstMethod: "mariabackup" | "rsync";
  dnsServers: string[] | undefined;
  providerOptions: Record<string, string>;
  mysqldPath: string;
  galeraLibrary: string;
  /** The OS user mariadbd runs as. */
  serverUser: string;
  stopTimeoutMs: number;
  /** How long /ready and /writer answer 503 before a stopping node leaves the cluster. */
  drainMs: number;
  /** Donor-side SST rate limit ("10m" = 10 MiB/s), or null. */
  sstRateLimit: string | null;
  /** Background sampling interval of the node's state. */
  sampleIntervalMs: number;
  /**
   * How long this node's right to the writer role must hold before /writer answers 200: the
   * time HAProxy may take to mark the previous writer DOWN (see health/writer-handover.ts).
   */
  writerHandoverMs: number;
  health: HealthOptions;
  /** Evict a member whose agent and Galera port both refuse connections (decide/dead-member.ts). */
  evictDead: boolean;
  /** Serve the live dashboard page on the health port (/dashboard/). */
  dashboard: boolean;
  rootPassword: Secret;
  sstPassword: Secret;
  /** An optional application user created at initialisation (MYSQL_USER / MYSQL_PASSWORD). */
  appUser: { name: string; password: Secret } | null;
  /**
   * The cluster's shared secret: authenticates the peer state API (GALERA_PILOT_CLUSTER_SECRET,
   * else derived from the SST password: src/config/cluster-secret.ts).
   */
  clusterSecret: Secret;
  /** No GALERA_PILOT_CLUSTER_SECRET was given: clusterSecret was derived from XTRABACKUP_PASSWORD. */
  clusterSecretDerived: boolean;
  /** GALERA_PILOT_FORCE_BOOTSTRAP_AFTER: the explicit data-loss override, or null (never). */
  forceBootstrapAfterMs: number | null;
  /** A discovery backend other than DNS over the host list (GALERA_PILOT_DISCOVERY), or null. */
  discovery: Discovery | null;
  /** TLS for Galera replication, IST and SST (GALERA_PILOT_TLS_CA/_CERT/_KEY), or null. */
  tls: TlsFiles | null;
}

interface Setting {
  flag: string;
  env: string;
  help: string;
}

/** Every setting has a flag and a GALERA_PILOT_ variable; the flag wins. Documented in docs/cli.md. */
export const settings = {
  name: { flag: "--name", env: "GALERA_PILOT_NAME", help: "node name (default: the host name)" },
  address: {
    flag: "--address",
    env: "GALERA_PILOT_ADDRESS",
    help: "address to bind and advertise (default: the first non-loopback IPv4 address)",
  },
  clusterName: { flag: "--cluster-name", env: "GALERA_PILOT_CLUSTER_NAME", help: "default: galera" },
  datadir: { flag: "--datadir", env: "GALERA_PILOT_DATADIR", help: "default: /var/lib/mysql" },
  runDir: { flag: "--run-dir", env: "GALERA_PILOT_RUN_DIR", help: "default: /run/galera-pilot" },
  port: { flag: "--port", env: "GALERA_PILOT_PORT", help: "SQL port, default 3306" },
  galeraPort: { flag: "--galera-port", env: "GALERA_PILOT_GALERA_PORT", help: "default 4567" },
  istPort: { flag: "--ist-port", env: "GALERA_PILOT_IST_PORT", help: "default 4568" },
  sstPort: { flag: "--sst-port", env: "GALERA_PILOT_SST_PORT", help: "default 4444" },
  healthPort: { flag: "--health-port", env: "GALERA_PILOT_HEALTH_PORT", help: "default 8080" },
  healthAddress: {
    flag: "--health-address",
    env: "GALERA_PILOT_HEALTH_ADDRESS",
    help: "default 0.0.0.0",
  },
  durability: {
    flag: "--durability",
    env: "GALERA_PILOT_DURABILITY",
    help: "strict (default) | process | seed",
  },
  sstMethod: { flag: "--sst-method", env: "GALERA_PILOT_SST_METHOD", help: "mariabackup (default) | rsync" },
  dnsServer: {
    flag: "--dns-server",
    env: "GALERA_PILOT_DNS_SERVER",
    help: "DNS servers for peer names, comma-separated ip[:port] (default: the system's)",
  },
  providerOptions: {
    flag: "--provider-options",
    env: "GALERA_PILOT_PROVIDER_OPTIONS",
    help: "extra wsrep provider options, key=value;key=value",
  },
  mysqld: { flag: "--mysqld", env: "GALERA_PILOT_MYSQLD", help: "default /usr/sbin/mariadbd" },
  galeraLibrary: {
    flag: "--galera-library",
    env: "GALERA_PILOT_GALERA_LIBRARY",
    help: "default /usr/lib/galera/libgalera_smm.so",
  },
  serverUser: { flag: "--server-user", env: "GALERA_PILOT_SERVER_USER", help: "default mysql" },
  stopTimeout: {
    flag: "--stop-timeout",
    env: "GALERA_PILOT_STOP_TIMEOUT",
    help: "seconds to wait for a clean leave before SIGKILL, default 120",
  },
  sstRateLimit: {
    flag: "--sst-rate-limit",
    env: "GALERA_PILOT_SST_RATE_LIMIT",
    help: "donor-side mariabackup SST bandwidth, bytes/s with k|m|g (e.g. 50m); default none",
  },
  peers: {
    flag: "--peers",
    env: "GALERA_PILOT_PEERS",
    help: "the other nodes when none are given after `node`, and for a seed: HOST[,HOST…] as for node",
  },
  forceBootstrapAfter: {
    flag: "--force-bootstrap-after",
    env: "GALERA_PILOT_FORCE_BOOTSTRAP_AFTER",
    help: "seconds after which a recovery bootstraps without every member: MAY LOSE DATA; default never",
  },
  drain: {
    flag: "--drain",
    env: "GALERA_PILOT_DRAIN",
    help: "seconds /ready and /writer answer 503 before a stopping node leaves, default 3",
  },
  writerHandover: {
    flag: "--writer-handover",
    env: "GALERA_PILOT_WRITER_HANDOVER",
    help: `milliseconds a new writer waits into its claim before /writer answers 200, so that HAProxy has the old one DOWN first; default ${writerHandoverMs()} (the rendered HAProxy checks); raise it with HAProxy's check interval`,
  },
  sampleInterval: {
    flag: "--sample-interval",
    env: "GALERA_PILOT_SAMPLE_INTERVAL",
    help: "milliseconds between state samples, default 500",
  },
  donorAvailable: {
    flag: "--donor-available",
    env: "GALERA_PILOT_DONOR_AVAILABLE",
    help: "a Donor answers 200 on / and /ready: yes (default) | no",
  },
  readOnlyAvailable: {
    flag: "--read-only-available",
    env: "GALERA_PILOT_READ_ONLY_AVAILABLE",
    help: "a read-only node answers 200: no (default) | yes",
  },
  evictDead: {
    flag: "--evict-dead",
    env: "GALERA_PILOT_EVICT_DEAD",
    help: "evict a member at once when its agent and its Galera port both refuse connections (evs.evict): yes (default) | no",
  },
  dashboard: {
    flag: "--dashboard",
    env: "GALERA_PILOT_DASHBOARD",
    help: "serve the live page at /dashboard/ on the health port: no (default) | yes",
  },
  tlsCa: {
    flag: "--tls-ca",
    env: "GALERA_PILOT_TLS_CA",
    help: "PEM CA certificate that signs every node's certificate; with --tls-cert and --tls-key: TLS for replication, IST and SST",
  },
  tlsCert: { flag: "--tls-cert", env: "GALERA_PILOT_TLS_CERT", help: "this node's PEM certificate" },
  tlsKey: {
    flag: "--tls-key",
    env: "GALERA_PILOT_TLS_KEY",
    help: "this node's PEM private key (no passphrase)",
  },
  syncingAnswer: {
    flag: "--syncing-answer",
    env: "GALERA_PILOT_SYNCING_ANSWER",
    help: "what / answers before the node is first synced: 100 (default, the seed's) | 503",
  },
} satisfies Record<string, Setting>;

type SettingKey = keyof typeof settings;

export const usage = `usage: galera-pilot [options] seed [mariadbd args…]
       galera-pilot [options] node HOST[,HOST…] [mariadbd args…]
HOST: an IP, ip:port, a DNS name with many A records, or an SRV name (_service._tcp.domain).
Secrets: MYSQL_ROOT_PASSWORD, XTRABACKUP_PASSWORD (the SST user's), GALERA_PILOT_CLUSTER_SECRET
(authenticates the agents to each other; derived from XTRABACKUP_PASSWORD when not set),
optionally MYSQL_USER and MYSQL_PASSWORD; each also as NAME_FILE. Options (each also as its environment variable):
${Object.values(settings)
  .map((s) => `  ${s.flag.padEnd(20)} ${s.env.padEnd(30)} ${s.help}`)
  .join("\n")}`;

/** Splits `[options] MODE rest…` into option values and the rest, without reading the env. */
function splitFlags(argv: readonly string[]): { flags: Map<SettingKey, string>; rest: string[] } {
  const byFlag = new Map<string, SettingKey>(
    Object.entries(settings).map(([key, s]) => [s.flag, key as SettingKey]),
  );
  const flags = new Map<SettingKey, string>();
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) break;
    const eq = arg.indexOf("=");
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const key = byFlag.get(flag);
    if (!key) {
      throw new BadInputError(`unknown option ${flag}; nothing was started; see galera-pilot --help`);
    }
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else value = argv[++i];
    if (value === undefined) {
      throw new BadInputError(
        `option ${flag} needs a value; nothing was started; give it as ${flag} VALUE or ${flag}=VALUE before the mode`,
      );
    }
    flags.set(key, value);
  }
  return { flags, rest: argv.slice(i) };
}

function parsePort(key: SettingKey, raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535) {
    const s = settings[key];
    throw new BadInputError(
      `${s.flag} / ${s.env} must be a port number from 1 to 65535, got "${raw}"; nothing was started`,
    );
  }
  return Number(raw);
}

function parseProviderOptions(raw: string): Record<string, string> {
  const options: Record<string, string> = {};
  for (const part of raw.split(";")) {
    if (part.trim() === "") continue;
    const eq = part.indexOf("=");
    if (eq <= 0) {
      throw new BadInputError(
        `${settings.providerOptions.env} must be key=value;key=value, got "${part}"; nothing was started`,
      );
    }
    options[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return options;
}

function parseYesNo(key: SettingKey, raw: string): boolean {
  if (raw === "yes" || raw === "1" || raw === "true") return true;
  if (raw === "no" || raw === "0" || raw === "false") return false;
  const s = settings[key];
  throw new BadInputError(`${s.flag} / ${s.env} must be yes or no, got "${raw}"; nothing was started`);
}

function parseWholeNumber(key: SettingKey, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    const s = settings[key];
    throw new BadInputError(
      `${s.flag} / ${s.env} must be a whole number from ${min} to ${max}, got "${raw}"; nothing was started`,
    );
  }
  return Number(raw);
}

function defaultAddress(): string {
  const candidates = localAddresses().filter((a) => isIP(a) === 4 && !a.startsWith("127."));
  return candidates[0] ?? "127.0.0.1";
}

/**
 * Parses `galera-pilot [options] seed|node …` and the environment into AgentOptions.
 * Throws BadInputError (one line, nothing touched) on anything malformed.
 */
export function parseAgentOptions(argv: readonly string[], env: Env): AgentOptions {
  const { flags, rest } = splitFlags(argv);
  const get = (key: SettingKey): string | undefined => flags.get(key) ?? env[settings[key].env];

  const mode = rest[0];
  if (mode !== "seed" && mode !== "node") {
    throw new BadInputError(
      mode === undefined
        ? "missing mode: say seed or node; nothing was started; see galera-pilot --help"
        : `unknown mode "${mode}": say seed or node; nothing was started; see galera-pilot --help`,
    );
  }
  let hosts: HostSpec[] = [];
  let mysqldArgs = rest.slice(1);
  const configuredPeers = get("peers");
  if (mode === "node") {
    const hostArg = rest[1];
    if (hostArg !== undefined && !hostArg.startsWith("-")) {
      hosts = parseHostList(hostArg);
      mysqldArgs = rest.slice(2);
    } else if (configuredPeers !== undefined) {
      hosts = parseHostList(configuredPeers);
    } else if ((env["GALERA_PILOT_DISCOVERY"] ?? "dns") === "dns") {
      throw new BadInputError(
        "node needs the peers: galera-pilot node HOST[,HOST…] (IPs, ip:port or a DNS name), or GALERA_PILOT_PEERS; nothing was started",
      );
    }
  } else if (configuredPeers !== undefined) {
    // A seed with peers configured asks them before bootstrapping: a restarted seed joins.
    hosts = parseHostList(configuredPeers);
  }
  const stray = mysqldArgs.find((a) => !a.startsWith("-"));
  if (stray !== undefined) {
    throw new BadInputError(
      `unexpected argument "${stray}" after the ${mode === "node" ? "hosts" : "mode"}: only --options for mariadbd may follow; nothing was started`,
    );
  }

  const durability = get("durability") ?? "strict";
  if (durability !== "strict" && durability !== "process" && durability !== "seed") {
    throw new BadInputError(
      `${settings.durability.env} must be strict, process or seed, got "${durability}"; nothing was started`,
    );
  }
  const sstMethod = get("sstMethod") ?? "mariabackup";
  if (sstMethod !== "mariabackup" && sstMethod !== "rsync") {
    throw new BadInputError(
      `${settings.sstMethod.env} must be mariabackup or rsync, got "${sstMethod}"; nothing was started`,
    );
  }
  const stopTimeoutRaw = get("stopTimeout") ?? "120";
  if (!/^\d+$/.test(stopTimeoutRaw) || Number(stopTimeoutRaw) < 1) {
    throw new BadInputError(
      `${settings.stopTimeout.env} must be a whole number of seconds, got "${stopTimeoutRaw}"; nothing was started`,
    );
  }
  const clusterName = get("clusterName") ?? "galera";
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(clusterName)) {
    throw new BadInputError(
      `${settings.clusterName.env} may hold letters, digits, "_", "." and "-" (at most 64), got "${clusterName}"; nothing was started`,
    );
  }
  const nodeName = get("name") ?? hostname();
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(nodeName)) {
    throw new BadInputError(
      `${settings.name.env} may hold letters, digits, "_", "." and "-" (at most 64), got "${nodeName}"; nothing was started`,
    );
  }
  const syncingAnswer = get("syncingAnswer") ?? "100";
  if (syncingAnswer !== "100" && syncingAnswer !== "503") {
    throw new BadInputError(
      `${settings.syncingAnswer.env} must be 100 or 503, got "${syncingAnswer}"; nothing was started`,
    );
  }
  const dnsServerRaw = get("dnsServer");
  const appUserName = env["MYSQL_USER"];
  const appPassword = readSecret(env, "MYSQL_PASSWORD");
  if ((appUserName === undefined) !== (appPassword === null)) {
    throw new BadInputError(
      "MYSQL_USER and MYSQL_PASSWORD (or MYSQL_PASSWORD_FILE) go together; nothing was started; set both or neither",
    );
  }
  if (appUserName !== undefined && !/^[A-Za-z0-9_]{1,80}$/.test(appUserName)) {
    throw new BadInputError(
      `MYSQL_USER may hold letters, digits and "_", got "${appUserName}"; nothing was started`,
    );
  }

  const address = get("address") ?? defaultAddress();
  if (!isIP(address)) {
    throw new BadInputError(
      `${settings.address.flag} / ${settings.address.env} must be an IP address, got "${address}"; nothing was started`,
    );
  }
  const dnsServers = dnsServerRaw
    ? dnsServerRaw
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;
  if (dnsServers) checkDnsServers(dnsServers);
  const healthAddress = get("healthAddress") ?? "0.0.0.0";
  if (!isIP(healthAddress)) {
    throw new BadInputError(
      `${settings.healthAddress.flag} / ${settings.healthAddress.env} must be an IP address, got "${healthAddress}"; nothing was started`,
    );
  }
  const sstRateLimit = get("sstRateLimit") ?? null;
  if (sstRateLimit !== null && !/^[1-9][0-9]*[kmgKMG]?$/.test(sstRateLimit)) {
    throw new BadInputError(
      `${settings.sstRateLimit.flag} / ${settings.sstRateLimit.env} must be bytes per second with an optional k, m or g (e.g. 50m), got "${sstRateLimit}"; nothing was started`,
    );
  }
  const providerOptions = parseProviderOptions(get("providerOptions") ?? "");
  try {
    checkProviderOptions(providerOptions);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new BadInputError(`${settings.providerOptions.env}: ${reason}; nothing was started`);
  }
  const tlsFiles = [get("tlsCa"), get("tlsCert"), get("tlsKey")];
  if (tlsFiles.some((f) => f !== undefined) && !tlsFiles.every((f) => f !== undefined && f !== "")) {
    throw new BadInputError(
      `TLS needs all three of ${settings.tlsCa.env}, ${settings.tlsCert.env} and ${settings.tlsKey.env} (or --tls-ca, --tls-cert, --tls-key), got ${tlsFiles.filter((f) => f).length}; nothing was started; set all three or none`,
    );
  }
  const [tlsCa, tlsCert, tlsKey] = tlsFiles;
  const tls = tlsCa && tlsCert && tlsKey ? { ca: tlsCa, cert: tlsCert, key: tlsKey } : null;
  const datadir = get("datadir") ?? "/var/lib/mysql";
  const runDir = get("runDir") ?? "/run/galera-pilot";
  for (const [key, path] of [
    ["datadir", datadir],
    ["runDir", runDir],
  ] as const) {
    if (!path.startsWith("/") || /[\n\0]/.test(path)) {
      throw new BadInputError(
        `${settings[key].flag} / ${settings[key].env} must be an absolute path, got ${JSON.stringify(path)}; nothing was started`,
      );
    }
  }
  const galeraPort = parsePort("galeraPort", get("galeraPort") ?? "4567");
  const rootPassword = requireSecret(env, "MYSQL_ROOT_PASSWORD", "the database root password");
  const sstPassword = requireSecret(env, "XTRABACKUP_PASSWORD", "the password of the SST user");
  const cluster = clusterSecretFrom(env, sstPassword, clusterName);
  return {
    mode,
    hosts,
    discovery: discoveryFromSettings(env, {
      ownAddresses: [address],
      defaultPort: galeraPort,
      ...(dnsServers ? { dnsServers } : {}),
    }),
    mysqldArgs,
    nodeName,
    address,
    clusterName,
    datadir,
    runDir,
    ports: {
      mysql: parsePort("port", get("port") ?? "3306"),
      galera: galeraPort,
      ist: parsePort("istPort", get("istPort") ?? "4568"),
      sst: parsePort("sstPort", get("sstPort") ?? "4444"),
      health: parsePort("healthPort", get("healthPort") ?? "8080"),
    },
    healthAddress,
    durability,
    sstMethod,
    dnsServers,
    providerOptions,
    mysqldPath: get("mysqld") ?? "/usr/sbin/mariadbd",
    galeraLibrary: get("galeraLibrary") ?? "/usr/lib/galera/libgalera_smm.so",
    serverUser: get("serverUser") ?? "mysql",
    stopTimeoutMs: Number(stopTimeoutRaw) * 1000,
    sstRateLimit,
    drainMs: parseWholeNumber("drain", get("drain") ?? "3", 0, 3600) * 1000,
    sampleIntervalMs: parseWholeNumber(
      "sampleInterval",
      get("sampleInterval") ?? String(DEFAULT_SAMPLE_INTERVAL_MS),
      100,
      60_000,
    ),
    writerHandoverMs: parseWholeNumber(
      "writerHandover",
      get("writerHandover") ?? String(writerHandoverMs()),
      0,
      60_000,
    ),
    evictDead: parseYesNo("evictDead", get("evictDead") ?? "yes"),
    dashboard: parseYesNo("dashboard", get("dashboard") ?? "no"),
    health: {
      availableWhenDonor: parseYesNo("donorAvailable", get("donorAvailable") ?? "yes"),
      availableWhenReadOnly: parseYesNo("readOnlyAvailable", get("readOnlyAvailable") ?? "no"),
      syncingCode: syncingAnswer === "503" ? 503 : 100,
    },
    rootPassword,
    sstPassword,
    appUser: appUserName !== undefined && appPassword ? { name: appUserName, password: appPassword } : null,
    clusterSecret: cluster.secret,
    clusterSecretDerived: cluster.derivedFromSstPassword,
    forceBootstrapAfterMs:
      get("forceBootstrapAfter") === undefined
        ? null
        : parseWholeNumber("forceBootstrapAfter", get("forceBootstrapAfter")!, 0, 31_536_000) * 1000,
    tls,
  };
}
