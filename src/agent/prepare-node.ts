import { chmodSync, chownSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { AgentOptions } from "../options/agent-options.js";
import { BadInputError, RefusedError } from "../errors.js";
import { ZERO_UUID } from "../model/galera-state.js";
import { inspectDatadir, type DatadirFacts } from "../mysqld/datadir.js";
import type { OsUser } from "../mysqld/os-user.js";
import { renderServerConfig } from "../mysqld/server-config.js";
import { DnsDiscovery } from "../discovery/dns-discovery.js";
import { formatEndpoint, type PeerEndpoint } from "../discovery/discovery.js";
import type { Logger } from "../logger.js";
import {
  checkFreeSpace,
  checkPortFree,
  checkServerFiles,
  checkTlsFiles,
  checkTraversable,
  checkWritable,
  defaultGcacheBytes,
  findOnPath,
  parseGaleraSize,
} from "./preflight.js";
import { runPaths, sstUserName } from "./run-paths.js";
import type { PeerDirectory } from "./peer-directory.js";
import { removeLeftoverSstHelpers } from "./sst-leftovers.js";
import { initialiseDatadir } from "../mysqld/initialise.js";
import type { NodeReport } from "../model/peer-report.js";

/**
 * The peers: from the discovery backend when GALERA_PILOT_DISCOVERY names one (Consul,
 * Marathon), else the host list (`node HOSTS`, GALERA_PILOT_PEERS) through DNS.
 */
export async function discoverPeers(options: AgentOptions, log: Logger): Promise<PeerEndpoint[]> {
  if (options.discovery) {
    const peers = await options.discovery.discover();
    log.info(`peers from ${options.discovery.describe()}: ${peers.map(formatEndpoint).join(", ") || "none"}`);
    return peers;
  }
  if (options.hosts.length === 0) return [];
  const discovery = new DnsDiscovery({
    hosts: options.hosts,
    ownAddresses: [options.address],
    // Hosts given without a port listen on the Galera port this cluster is set to, as this node does.
    defaultPort: options.ports.galera,
    ...(options.dnsServers ? { dnsServers: options.dnsServers } : {}),
  });
  const peers = await discovery.discover();
  log.info(`peers from ${discovery.describe()}: ${peers.map(formatEndpoint).join(", ") || "none"}`);
  return peers;
}

/** Every port the node will bind must be free before anything is written. */
export async function checkPorts(options: AgentOptions): Promise<void> {
  for (const [purpose, port] of [
    ["SQL", options.ports.mysql],
    ["Galera replication", options.ports.galera],
    ["IST", options.ports.ist],
    ["SST", options.ports.sst],
  ] as const) {
    await checkPortFree(options.address, port, purpose);
  }
  await checkPortFree(options.healthAddress, options.ports.health, "health");
}

/** The programs and files the start will read: mariadbd, the Galera library, the TLS files. */
export function checkLocalFiles(options: AgentOptions, serverUser: OsUser): void {
  checkServerFiles(options.mysqldPath, options.galeraLibrary);
  if (options.tls) {
    checkTlsFiles(options.tls, serverUser);
    if (options.sstMethod === "rsync" && findOnPath("stunnel") === null) {
      throw new BadInputError(
        "TLS with the rsync SST needs stunnel, which is not installed; nothing was started and the datadir was not touched; install stunnel4 or use GALERA_PILOT_SST_METHOD=mariabackup",
      );
    }
  }
}

/**
 * What would fail a start half-way, or never end: a read-only datadir or run directory, too
 * little free space, and a seed alone with data but no Galera position.
 */
export function checkDatadirUsable(options: AgentOptions, datadir: DatadirFacts, serverUser: OsUser): void {
  checkWritable(options.datadir, "datadir", "GALERA_PILOT_DATADIR");
  checkWritable(options.runDir, "run directory", "GALERA_PILOT_RUN_DIR");
  checkTraversable(options.datadir, "datadir", "GALERA_PILOT_DATADIR", serverUser);
  checkTraversable(options.runDir, "run directory", "GALERA_PILOT_RUN_DIR", serverUser);
  const gcacheSize = options.providerOptions["gcache.size"];
  checkFreeSpace(
    options.datadir,
    { empty: datadir.empty, gcachePresent: existsSync(join(options.datadir, "galera.cache")) },
    (gcacheSize === undefined ? null : parseGaleraSize(gcacheSize)) ?? defaultGcacheBytes,
  );
  const noPosition = datadir.grastate === null || datadir.grastate.uuid === ZERO_UUID;
  const alone = options.hosts.length === 0 && options.discovery === null;
  if (!datadir.empty && noPosition && options.mode === "seed" && alone) {
    const what = datadir.grastateEmpty
      ? "an empty grastate.dat"
      : datadir.grastate === null
        ? "no grastate.dat"
        : "a grastate.dat of a node that never joined a cluster";
    throw new RefusedError(
      `datadir ${options.datadir} holds data but ${what}, so it has no Galera position, and this seed has no peers to take the cluster's data from: it would wait forever; nothing was changed; restore grastate.dat from a backup, give the seed its peers (GALERA_PILOT_PEERS) so it rejoins by SST, or empty the datadir to start a new cluster`,
    );
  }
}

/** Reads the datadir (no change) and checks what would make a start fail half-way. */
export function inspect(options: AgentOptions, serverUser: OsUser): DatadirFacts {
  const transferPending = existsSync(runPaths(options.runDir).stateTransferMarker);
  return inspectDatadir(options.datadir, serverUser, transferPending);
}

/**
 * Writes the server config into the run directory (not the datadir): 0600, owned by the
 * server's user, since it holds the SST password.
 */
export function writeServerConfig(
  options: AgentOptions,
  serverUser: OsUser,
  peers: readonly PeerEndpoint[],
): void {
  const paths = runPaths(options.runDir);
  // The parents keep the usual mode: a recursive mkdir with 0750 would make them untraversable
  // for mysql, and a datadir beside the run directory (…/n1/data, …/n1/run) unusable.
  mkdirSync(dirname(options.runDir), { recursive: true });
  mkdirSync(options.runDir, { recursive: true, mode: 0o750 });
  chownSync(options.runDir, serverUser.uid, serverUser.gid);
  const config = renderServerConfig({
    datadir: options.datadir,
    socket: paths.socket,
    pidFile: paths.pidFile,
    errorLog: null,
    bindAddress: options.address,
    port: options.ports.mysql,
    nodeAddress: options.address,
    nodeName: options.nodeName,
    clusterName: options.clusterName,
    clusterAddresses: peers.map(formatEndpoint),
    galeraPort: options.ports.galera,
    istPort: options.ports.ist,
    sstPort: options.ports.sst,
    sstMethod: options.sstMethod,
    sstUser: sstUserName,
    sstPassword: options.sstPassword.reveal(),
    durability: options.durability,
    providerOptions: options.providerOptions,
    galeraLibrary: options.galeraLibrary,
    sstRateLimit: options.sstRateLimit,
    tls: options.tls,
  });
  writeFileSync(paths.config, config, { mode: 0o600 });
  chmodSync(paths.config, 0o600);
  chownSync(paths.config, serverUser.uid, serverUser.gid);
}

/**
 * The agent's first steps, before anything is written: the input checked, the peers found
 * and asked once (peers of another cluster name refuse the start: Galera would drop the
 * handshake again and again), the config written. Returns the datadir as found and the
 * peers' first reports.
 */
export async function checkBeforeStart(
  options: AgentOptions,
  serverUser: OsUser,
  peers: PeerDirectory,
  log: Logger,
): Promise<{ datadir: DatadirFacts; firstReports: NodeReport[] }> {
  checkLocalFiles(options, serverUser);
  peers.configure(await discoverPeers(options, log));
  // A transfer's helpers left by a killed mariadbd would hold the SST port: not another process's.
  await removeLeftoverSstHelpers(options, log);
  await checkPorts(options);
  const datadir = inspect(options, serverUser);
  checkDatadirUsable(options, datadir, serverUser);
  const firstReports = await peers.gather(peers.configured);
  writeServerConfig(options, serverUser, peers.configured);
  return { datadir, firstReports };
}

/** An empty datadir gets its system tables and the users the agent and the SST need. */
export async function initialiseIfEmpty(
  options: AgentOptions,
  serverUser: OsUser,
  datadir: DatadirFacts,
  log: Logger,
): Promise<void> {
  if (!datadir.empty) return;
  log.info(`initialising the empty datadir ${options.datadir}`);
  await initialiseDatadir({
    datadir: options.datadir,
    mysqldPath: options.mysqldPath,
    serverUser,
    rootPassword: options.rootPassword,
    sstUser: sstUserName,
    sstPassword: options.sstPassword,
    appUser: options.appUser,
  });
}
