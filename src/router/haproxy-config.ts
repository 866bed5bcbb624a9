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
  /**
   * Health check timings of each backend; a field left out keeps its default
   * (defaultCheckTimings). See docs/routing.md for the trade-offs.
   */
  checks?: { writer?: Partial<CheckTimings>; reader?: Partial<CheckTimings> };
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
  /**
   * HAProxy's threads (`nbthread`); left out, HAProxy starts one per core, right for a proxy
   * host of its own. On one machine shared with the databases (the local cluster), one
   * thread leaves the other cores to mariadbd.
   */
  threads?: number;
}

/** HAProxy's check timings of one backend (`default-server inter … fastinter … downinter … rise … fall …`). */
export interface CheckTimings {
  /** Between checks of a server that is UP and passing. */
  interMs: number;
  /** Between checks of a server in transition: UP but failing, or DOWN but passing. */
  fastinterMs: number;
  /** Between checks of a server that is DOWN. */
  downinterMs: number;
  /** Consecutive passes that bring a DOWN server UP. */
  rise: number;
  /** Consecutive failures that take an UP server DOWN. */
  fall: number;
}

/**
 * Our defaults, chosen for a LAN (docs/routing.md has the table and the measurements).
 * Writer: a writer that stops answering 200 is DOWN after one check interval plus one fast
 * interval (fall 2), half a second; the node elected next is UP at its first 200, checked
 * every 250 ms while DOWN (rise 1). rise 1 cannot bring a second writer in: an agent answers
 * 200 on /writer only after its claim has held for the handover time (writerHandoverMs), by
 * when HAProxy has taken the previous writer DOWN, and no two agents hold a claim at once.
 * Reader: a node must pass twice to enter the read pool, so a node flapping between
 * Synced and not does not take reads at each flap.
 */
export const defaultCheckTimings: Readonly<Record<"writer" | "reader", Readonly<CheckTimings>>> = {
  writer: { interMs: 250, fastinterMs: 250, downinterMs: 250, rise: 1, fall: 2 },
  reader: { interMs: 1000, fastinterMs: 250, downinterMs: 1000, rise: 2, fall: 2 },
};

/** Time allowed for one check's answer to reach HAProxy (a LAN's round trip is a millisecond). */
export const checkAnswerAllowanceMs = 50;
/** An agent's health listener serves the answers its agent posts every 100 ms. */
export const answersPostingMs = 100;

/**
 * How long after a node's agent stops claiming the writer role HAProxy may still count it UP,
 * with these writer check timings: its listener may serve the old answer until the next
 * posting; the check already under way may still find 200; the next one starts one interval
 * after it, and each of `fall` failures in a row a fast interval after the one before, each
 * answered within checkAnswerAllowanceMs. An agent waits this long into its claim before it
 * answers 200 (the writer handover), so HAProxy never has two writers UP. A check that gets
 * no answer at all fails only at `timeout check`: that is an agent that answers nobody, which
 * its peers wait for much longer (abandonAfterMs).
 */
export function writerHandoverMs(t: Readonly<CheckTimings> = defaultCheckTimings.writer): number {
  return answersPostingMs + t.interMs + (t.fall - 1) * t.fastinterMs + (t.fall + 1) * checkAnswerAllowanceMs;
}

/** The `default-server` line of a backend with these timings. */
export function defaultServerLine(t: CheckTimings): string {
  for (const [name, value] of Object.entries(t)) {
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`HAProxy check ${name} must be a whole number ≥ 1, got ${String(value)}`);
    }
  }
  return `    default-server inter ${t.interMs} fastinter ${t.fastinterMs} downinter ${t.downinterMs} rise ${t.rise} fall ${t.fall} on-marked-down shutdown-sessions`;
}

/**
 * A server-state file (HAProxy's `show servers state` format, version 1) that has every
 * server of both backends DOWN. HAProxy 2.6 takes every server for UP from its start until
 * its first check fails (`init-state` came only in 3.1): several writers UP at once. Loaded at
 * start (`load-server-state-from-file`), this file makes each server earn its first UP by
 * passing its checks. Servers are found by backend and server name; the ids are not used.
 * Pure.
 */
export function renderStartDownServerState(nodes: readonly RouterBackendNode[]): string {
  const header =
    "# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord";
  const lines = ["galera_writer", "galera_readers"].flatMap((backend, b) =>
    // op_state 0: stopped (DOWN); check health 0: it needs `rise` passing checks to come UP.
    nodes.map(
      (n, i) =>
        `${b + 1} ${backend} ${i + 1} ${n.name} ${n.address} 0 0 1 1 0 1 0 0 6 0 0 0 - ${n.sqlPort} -`,
    ),
  );
  return ["1", header, ...lines, ""].join("\n");
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
  const checks = (path: string, backend: "writer" | "reader"): string[] => [
    `    option httpchk GET ${path}`,
    "    http-check expect status 200",
    defaultServerLine({ ...defaultCheckTimings[backend], ...input.checks?.[backend] }),
  ];
  return [
    "# Rendered by galera-pilot; edits here are lost.",
    "global",
    `    stats socket ${input.statsSocket} mode 600 level admin`,
    ...(input.threads ? [`    nbthread ${input.threads}`] : []),
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
    ...checks(input.writerCheckPath, "writer"),
    ...input.nodes.map(server),
    "",
    "frontend galera_readers",
    `    bind ${input.reader.address}:${input.reader.port}`,
    "    default_backend galera_readers",
    "",
    "backend galera_readers",
    "    balance leastconn",
    ...checks(input.readerCheckPath, "reader"),
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
