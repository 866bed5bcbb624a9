/**
 * The discovery adapter family: something that names the other members of the cluster.
 * Every backend (DNS today; Consul, Marathon or Kubernetes later) folds all of its failures into
 * DiscoveryUnavailable (src/errors.ts), so the agent has one branch: "discovery is not accessible".
 */

/** One peer's Galera group-communication endpoint. */
export interface PeerEndpoint {
  /** A normalized IP address, without brackets. */
  address: string;
  port: number;
}

export interface Discovery {
  /** One line for logs and /status, e.g. `DNS galera.service.dc1.consul via 127.0.53.1:5353`. */
  describe(): string;
  /**
   * The peers, sorted and without duplicates or the node's own addresses; possibly empty.
   * Rejects with DiscoveryUnavailable only.
   */
  discover(): Promise<PeerEndpoint[]>;
}

/** `host:port`, with IPv6 addresses in brackets (`[fd00::3]:4567`), as gcomm:// needs them. */
export function formatEndpoint(endpoint: PeerEndpoint): string {
  return endpoint.address.includes(":")
    ? `[${endpoint.address}]:${endpoint.port}`
    : `${endpoint.address}:${endpoint.port}`;
}
