import { chmodSync, chownSync, mkdirSync, writeFileSync } from "node:fs";
import type { AgentOptions } from "../cli/agent-options.js";
import { inspectDatadir, type DatadirFacts } from "../mysqld/datadir.js";
import type { OsUser } from "../mysqld/os-user.js";
import { renderServerConfig } from "../mysqld/server-config.js";
import { DnsDiscovery } from "../peers/dns-discovery.js";
import { formatEndpoint, type PeerEndpoint } from "../peers/discovery.js";
import type { Logger } from "./logger.js";
import { checkPortFree } from "./preflight.js";
import { runPaths, sstUserName } from "./run-paths.js";

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
    defaultPort: 4567,
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

/** Reads the datadir (no change) and checks what would make a start fail half-way. */
export function inspect(options: AgentOptions, serverUser: OsUser): DatadirFacts {
  return inspectDatadir(options.datadir, serverUser);
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
  });
  writeFileSync(paths.config, config, { mode: 0o600 });
  chmodSync(paths.config, 0o600);
  chownSync(paths.config, serverUser.uid, serverUser.gid);
}
