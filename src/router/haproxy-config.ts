/** One database node as HAProxy sees it. */
export interface RouterBackendNode {
  name: string;
  address: string;
  sqlPort: number;
  healthPort: number;
}

export interface HaproxyConfigInput {
  nodes: readonly RouterBackendNode[];
  writer: { address: string; port: number };
  reader: { address: string; port: number };
  statsSocket: string;
  /** How often each node's health is checked, in milliseconds. */
  checkIntervalMs: number;
  /** Health path of the writer backend: only the node it answers 200 on takes writes. */
  writerCheckPath: string;
  /** Health path of the reader backend. */
  readerCheckPath: string;
  /** HAProxy's own stats page (HTML, read-only), or none. */
  statsPage?: { address: string; port: number };
  /**
   * Where the servers' states are saved before a reload and loaded by the new workers, so
   * a reload does not take every server for UP until its checks fail (a second writer).
   */
  serverStateFile?: string;
  /**
   * Servers that start with weight 0 (nodes just added): no traffic until they are synced
   * and given weight 1 through the runtime API. A new server would otherwise count as UP
   * until its checks fail, a second writer meanwhile.
   */
  enteringServers?: readonly string[];
}

/**
 * Renders haproxy.cfg for the cluster: a writer frontend and a reader frontend in TCP mode,
 * each backend checked over HTTP on the agents' health port. `on-marked-down
 * shutdown-sessions` closes a failed node's client connections at once, so clients
 * reconnect to a healthy node instead of hanging on a dead one. Pure.
 */
export function renderHaproxyConfig(input: HaproxyConfigInput): string {
  const server = (n: RouterBackendNode): string =>
    `    server ${n.name} ${n.address}:${n.sqlPort} check addr ${n.address} port ${n.healthPort}${input.enteringServers?.includes(n.name) ? " weight 0" : ""}`;
  const checks = (path: string): string[] => [
    `    option httpchk GET ${path}`,
    "    http-check expect status 200",
    `    default-server inter ${input.checkIntervalMs} fall 2 rise 2 on-marked-down shutdown-sessions`,
  ];
  return [
    "# Rendered by galera-pilot; edits here are lost.",
    "global",
    `    stats socket ${input.statsSocket} mode 600 level admin`,
    "    maxconn 2000",
    ...(input.serverStateFile ? [`    server-state-file ${input.serverStateFile}`] : []),
    "",
    "defaults",
    "    mode tcp",
    ...(input.serverStateFile ? ["    load-server-state-from-file global"] : []),
    "    timeout connect 3s",
    "    timeout client 1h",
    "    timeout server 1h",
    "    timeout check 1s",
    "",
    "frontend galera_writer",
    `    bind ${input.writer.address}:${input.writer.port}`,
    "    default_backend galera_writer",
    "",
    "backend galera_writer",
    ...checks(input.writerCheckPath),
    ...input.nodes.map(server),
    "",
    "frontend galera_readers",
    `    bind ${input.reader.address}:${input.reader.port}`,
    "    default_backend galera_readers",
    "",
    "backend galera_readers",
    "    balance leastconn",
    ...checks(input.readerCheckPath),
    ...input.nodes.map(server),
    "",
    ...(input.statsPage
      ? [
          "listen stats",
          "    mode http",
          `    bind ${input.statsPage.address}:${input.statsPage.port}`,
          "    stats enable",
          "    stats uri /",
          "    stats refresh 2s",
          "",
        ]
      : []),
  ].join("\n");
}
