import { backupIdPattern } from "../model/backup-manifest.js";
import { defaultBackupCpu, type BackupCpu } from "../model/backup-cpu.js";
import { hostname } from "node:os";
import { isIP } from "node:net";
import { writerHandoverMs } from "../router/haproxy-config.js";
import { pointFromText, type PointTarget } from "../decide/restore-point.js";
import { BadInputError } from "../errors.js";
import type { FlagReader } from "../config/flag-reader.js";
import { parseHostList, type HostSpec } from "../discovery/host-list.js";
import { readSecret, requireSecret } from "../config/read-secret.js";
import { clusterSecretFrom } from "../config/cluster-secret.js";
import { parseBackupSchedule, scheduleExample, type BackupSchedule } from "../config/backup-schedule.js";
import type { Secret } from "../config/secret.js";
import { checkProviderOptions, type DurabilityProfile, type TlsFiles } from "../mysqld/server-config.js";
import { checkDnsServers, localAddresses } from "../discovery/dns-discovery.js";
import type { HealthOptions } from "../health/health-policy.js";
import type { Discovery } from "../discovery/discovery.js";
import { discoveryFromSettings } from "../discovery/discovery-from-settings.js";
import { HelpRequested, isHelpFlag, parseCommandLine } from "./command-line.js";
import { agentGrammar, settings, usage } from "./agent-settings.js";

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
  /** Where backups asked of this agent go (a folder, or s3://…); null: it takes none. */
  backupDestination: string | null;
  /** How hard a backup may use the node's CPU (GALERA_PILOT_BACKUP_THREADS, _PRIORITY). */
  backupCpu: BackupCpu;
  /** A backup's id a new cluster starts from (GALERA_PILOT_RESTORE_FROM); null: none. */
  restoreFrom: string | null;
  /** GALERA_PILOT_RESTORE_TO: the point a new cluster starts at (docs/point-in-time.md), or null. */
  restoreTo: PointTarget | null;
  /** This agent archives the binlog when the rules name its node (docs/point-in-time.md). */
  archive: boolean;
  /** When the agents take backups by themselves (GALERA_PILOT_BACKUP_SCHEDULE), or null: never. */
  backupSchedule: BackupSchedule | null;
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

/** Node and cluster names: they become file names and Galera's node name. */
const namePattern = /^[A-Za-z0-9_.-]{1,64}$/;
const nameRule = `1 to 64 letters, digits, "_", "." or "-"`;

const matching =
  (pattern: RegExp) =>
  (text: string): string | undefined =>
    pattern.test(text) ? text : undefined;
const ipAddress = (text: string): string | undefined => (isIP(text) ? text : undefined);
const absolutePath = (text: string): string | undefined =>
  text.startsWith("/") && !/[\n\0]/.test(text) ? text : undefined;

function yesNo(flags: FlagReader, name: string, fallback: boolean): boolean {
  const read = (text: string): boolean | undefined => {
    if (text === "yes" || text === "1" || text === "true") return true;
    if (text === "no" || text === "0" || text === "false") return false;
    return undefined;
  };
  return flags.value(name, "yes or no", read) ?? fallback;
}

/** `key=value;key=value`, then the agent's own rules for them (src/mysqld/server-config.ts). */
function providerOptions(flags: FlagReader): Record<string, string> {
  const text = flags.string("provider-options") ?? "";
  const options: Record<string, string> = {};
  for (const part of text.split(";")) {
    if (part.trim() === "") continue;
    const eq = part.indexOf("=");
    if (eq <= 0) throw flags.error("provider-options", `item ${JSON.stringify(part)} is not key=value`);
    options[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  try {
    checkProviderOptions(options);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw flags.error("provider-options", `${JSON.stringify(text)} is refused: ${reason}`);
  }
  return options;
}

/**
 * GALERA_PILOT_BACKUP_SCHEDULE, checked whole, or null when unset. A schedule needs a
 * destination: without one every slot would fail, and no agent would ever say so until then.
 * Any frequency is allowed (every minute too: the tests use it): one backup runs at a time,
 * and a slot that comes while one runs waits for it, within its 10 minutes' grace.
 */
function backupSchedule(flags: FlagReader, destination: string | null): BackupSchedule | null {
  const text = flags.string("backup-schedule");
  if (text === undefined) return null;
  const schedule = parseBackupSchedule(text);
  if ("problem" in schedule) {
    throw flags.error(
      "backup-schedule",
      `${JSON.stringify(text)} is not a backup schedule: ${schedule.problem}; give five cron fields in UTC (minute hour day-of-month month day-of-week), e.g. ${scheduleExample}`,
    );
  }
  if (destination === null) {
    throw flags.error(
      "backup-schedule",
      `${JSON.stringify(text)} is set but ${settings.backupDestination.env} is not, and the scheduled backups would have nowhere to go; set it too, on every agent alike (a shared folder or s3://bucket/prefix), e.g. ${settings.backupDestination.env}=/srv/backups`,
    );
  }
  return schedule;
}

function defaultAddress(): string {
  const candidates = localAddresses().filter((a) => isIP(a) === 4 && !a.startsWith("127."));
  return candidates[0] ?? "127.0.0.1";
}

/**
 * Parses `galera-pilot [options] seed|node …` and the environment into AgentOptions.
 * Throws BadInputError (one line, nothing touched) on anything malformed, HelpRequested for
 * --help.
 */
export function parseAgentOptions(argv: readonly string[], env: Env): AgentOptions {
  const { flags, operands: rest } = parseCommandLine(agentGrammar(argv), argv, env);
  const mode = rest[0];
  if (mode !== "seed" && mode !== "node") {
    throw new BadInputError(
      mode === undefined
        ? "missing mode: say seed or node; nothing was started; see galera-pilot --help"
        : `unknown mode "${mode}": say seed or node; nothing was started; see galera-pilot --help`,
    );
  }
  // Right after the mode, --help is ours: mariadbd's own help starts no node.
  if (isHelpFlag(rest[1])) throw new HelpRequested(usage);
  let hosts: HostSpec[] = [];
  let mysqldArgs = rest.slice(1);
  const configuredPeers = flags.string("peers");
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

  const durability = flags.choice<DurabilityProfile>("durability", ["strict", "process", "seed"], "strict");
  const sstMethod = flags.choice("sst-method", ["mariabackup", "rsync"], "mariabackup");
  const stopTimeoutSeconds = flags.integer("stop-timeout", 120, 1, undefined, "seconds");
  const clusterName = flags.value("cluster-name", nameRule, matching(namePattern)) ?? "galera";
  // The host name is checked too: it becomes the node's name when --name is absent.
  const nodeName = flags.value("name", nameRule, matching(namePattern), hostname());
  const syncingAnswer = flags.choice("syncing-answer", ["100", "503"], "100");
  const dnsServerRaw = flags.string("dns-server");
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

  const address = flags.value("address", "an IP address", ipAddress) ?? defaultAddress();
  const dnsServers = dnsServerRaw
    ? dnsServerRaw
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;
  if (dnsServers) checkDnsServers(dnsServers);
  const healthAddress = flags.value("health-address", "an IP address", ipAddress) ?? "0.0.0.0";
  const sstRateLimit =
    flags.value(
      "sst-rate-limit",
      "bytes per second with an optional k, m or g (e.g. 50m)",
      matching(/^[1-9][0-9]*[kmgKMG]?$/),
    ) ?? null;
  const extraProviderOptions = providerOptions(flags);
  const tlsFiles = [flags.string("tls-ca"), flags.string("tls-cert"), flags.string("tls-key")];
  if (tlsFiles.some((f) => f !== undefined) && !tlsFiles.every((f) => f !== undefined && f !== "")) {
    throw new BadInputError(
      `TLS needs all three of ${settings.tlsCa.env}, ${settings.tlsCert.env} and ${settings.tlsKey.env} (or --tls-ca, --tls-cert, --tls-key), got ${tlsFiles.filter((f) => f).length}; nothing was started; set all three or none`,
    );
  }
  const [tlsCa, tlsCert, tlsKey] = tlsFiles;
  const tls = tlsCa && tlsCert && tlsKey ? { ca: tlsCa, cert: tlsCert, key: tlsKey } : null;
  const datadir = flags.value("datadir", "an absolute path", absolutePath) ?? "/var/lib/mysql";
  const runDir = flags.value("run-dir", "an absolute path", absolutePath) ?? "/run/galera-pilot";
  const galeraPort = flags.port("galera-port", 4567);
  const rootPassword = requireSecret(env, "MYSQL_ROOT_PASSWORD", "the database root password");
  const sstPassword = requireSecret(env, "XTRABACKUP_PASSWORD", "the password of the SST user");
  const cluster = clusterSecretFrom(env, sstPassword, clusterName);
  const backupDestination =
    flags.value(
      "backup-destination",
      "an absolute folder path or s3://bucket/prefix",
      matching(/^(\/|s3:\/\/)/),
    ) ?? null;
  const restoreFrom =
    flags.value("restore-from", "a backup's id, like 20261206T210000Z-n2", matching(backupIdPattern)) ?? null;
  if (restoreFrom !== null && backupDestination === null) {
    throw flags.error(
      "restore-from",
      "needs the backup destination it is on: set GALERA_PILOT_BACKUP_DESTINATION (or --backup-destination) too",
    );
  }
  const restoreTo =
    flags.value(
      "restore-to",
      "latest, an ISO time with its zone (2026-12-07T14:03:00Z) or a GTID DOMAIN-SERVER-SEQNO",
      pointFromText,
    ) ?? null;
  if (restoreTo !== null && backupDestination === null) {
    throw flags.error(
      "restore-to",
      "needs the backup destination its backups and binlog archive are on: set GALERA_PILOT_BACKUP_DESTINATION (or --backup-destination) too",
    );
  }
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
      mysql: flags.port("port", 3306),
      galera: galeraPort,
      ist: flags.port("ist-port", 4568),
      sst: flags.port("sst-port", 4444),
      health: flags.port("health-port", 8080),
    },
    healthAddress,
    durability,
    sstMethod,
    dnsServers,
    providerOptions: extraProviderOptions,
    mysqldPath: flags.string("mysqld") ?? "/usr/sbin/mariadbd",
    galeraLibrary: flags.string("galera-library") ?? "/usr/lib/galera/libgalera_smm.so",
    serverUser: flags.string("server-user") ?? "mysql",
    stopTimeoutMs: stopTimeoutSeconds * 1000,
    sstRateLimit,
    drainMs: flags.integer("drain", 3, 0, 3600, "seconds") * 1000,
    sampleIntervalMs: flags.integer(
      "sample-interval",
      DEFAULT_SAMPLE_INTERVAL_MS,
      100,
      60_000,
      "milliseconds",
    ),
    writerHandoverMs: flags.integer("writer-handover", writerHandoverMs(), 0, 60_000, "milliseconds"),
    evictDead: yesNo(flags, "evict-dead", true),
    dashboard: yesNo(flags, "dashboard", false),
    backupDestination,
    backupCpu: {
      threads: flags.integer("backup-threads", defaultBackupCpu.threads, 1, 16, "threads"),
      lowPriority: flags.choice("backup-priority", ["low", "normal"], "low") === "low",
    },
    restoreFrom,
    restoreTo,
    archive: yesNo(flags, "archive", true),
    backupSchedule: backupSchedule(flags, backupDestination),
    health: {
      availableWhenDonor: yesNo(flags, "donor-available", true),
      availableWhenReadOnly: yesNo(flags, "read-only-available", false),
      syncingCode: syncingAnswer === "503" ? 503 : 100,
    },
    rootPassword,
    sstPassword,
    appUser: appUserName !== undefined && appPassword ? { name: appUserName, password: appPassword } : null,
    clusterSecret: cluster.secret,
    clusterSecretDerived: cluster.derivedFromSstPassword,
    forceBootstrapAfterMs: flags.has("force-bootstrap-after")
      ? flags.integer("force-bootstrap-after", 0, 0, 31_536_000, "seconds") * 1000
      : null,
    tls,
  };
}
