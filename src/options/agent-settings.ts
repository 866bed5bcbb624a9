/**
 * The agent's settings: each one a flag before the mode and a GALERA_PILOT_ variable, the
 * flag winning (docs/cli.md); the usage that lists them; the grammar that reads them.
 */
import { writerHandoverMs } from "../router/haproxy-config.js";
import type { CommandGrammar } from "./command-line.js";

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
  backupDestination: {
    flag: "--backup-destination",
    env: "GALERA_PILOT_BACKUP_DESTINATION",
    help: "where this agent writes backups asked of it: an absolute folder path (an NFS mount too) or s3://bucket/prefix; unset (default): it takes none",
  },
  backupThreads: {
    flag: "--backup-threads",
    env: "GALERA_PILOT_BACKUP_THREADS",
    help: "zstd's compression threads while this agent takes a backup: 1 to 16, default 2",
  },
  backupPriority: {
    flag: "--backup-priority",
    env: "GALERA_PILOT_BACKUP_PRIORITY",
    help: "the CPU priority of a backup's mariabackup and zstd: low (default: nice 19, the database first) | normal",
  },
  archive: {
    flag: "--archive",
    env: "GALERA_PILOT_ARCHIVE",
    help: "take part in archiving the binlog to the backup destination, for point-in-time restores: yes (default, with a destination) | no",
  },
  restoreTo: {
    flag: "--restore-to",
    env: "GALERA_PILOT_RESTORE_TO",
    help: "a point to start a new cluster at: latest | an ISO time with its zone | a GTID DOMAIN-SERVER-SEQNO; the node that bootstraps restores the newest backup before it (or GALERA_PILOT_RESTORE_FROM's) and replays the binlog archive up to it; ignored once the datadir holds data",
  },
  restoreFrom: {
    flag: "--restore-from",
    env: "GALERA_PILOT_RESTORE_FROM",
    help: "a complete backup's id on the backup destination: a new cluster starts from it (the node that bootstraps restores it; the others join by SST); ignored once the datadir holds data",
  },
  backupSchedule: {
    flag: "--backup-schedule",
    env: "GALERA_PILOT_BACKUP_SCHEDULE",
    help: 'when the agents back the cluster up: five cron fields in UTC (minute hour day-of-month month day-of-week), e.g. "0 2 * * *"; one agent takes each slot; needs --backup-destination, shared by every agent; unset (default): none',
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

export const usage = `usage: galera-pilot [options] seed [mariadbd args…]
       galera-pilot [options] node HOST[,HOST…] [mariadbd args…]
HOST: an IP, ip:port, a DNS name with many A records, or an SRV name (_service._tcp.domain).
Secrets: MYSQL_ROOT_PASSWORD, XTRABACKUP_PASSWORD (the SST user's), GALERA_PILOT_CLUSTER_SECRET
(authenticates the agents to each other; derived from XTRABACKUP_PASSWORD when not set),
optionally MYSQL_USER and MYSQL_PASSWORD; each also as NAME_FILE. Options, before the mode, as --flag value
or --flag=value (each also as its environment variable; --help, also right after the mode, prints this):
${Object.values(settings)
  .map((s) => `  ${s.flag.padEnd(20)} ${s.env.padEnd(30)} ${s.help}`)
  .join("\n")}`;

/**
 * `galera-pilot [options] seed|node …`: errors name the mode given (or "seed|node" when none
 * is), and say that nothing was started.
 */
export function agentGrammar(argv: readonly string[]): CommandGrammar {
  const all = Object.values(settings);
  return {
    name: argv.find((arg) => arg === "seed" || arg === "node") ?? "seed|node",
    usage,
    values: all.map((s) => s.flag.slice(2)),
    env: Object.fromEntries(all.map((s) => [s.flag.slice(2), s.env])),
    optionsFirst: true,
    outcome: "nothing was started",
  };
}
