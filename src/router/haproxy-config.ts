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
}

/**
 * Renders haproxy.cfg for the cluster: a writer frontend and a reader frontend in TCP mode,
 * each backend checked over HTTP on the agents' health port. `on-marked-down
 * shutdown-sessions` closes a failed node's client connections at once, so clients
 * reconnect to a healthy node instead of hanging on a dead one. Pure.
 */
export function renderHaproxyConfig(input: HaproxyConfigInput): string {
  const server = (n: RouterBackendNode): string =>
    `    server ${n.name} ${n.address}:${n.sqlPort} check addr ${n.address} port ${n.healthPort}`;
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
    "",
    "defaults",
    "    mode tcp",
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
  ].join("\n");
}
