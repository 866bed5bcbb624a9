// Who this agent asks and waits for while deciding: its configured or discovered peers, the
// members seen in its primary views (kept in the datadir: remembered-members.ts), and peers
// that proved the cluster secret by asking for its state. Holds each peer's last answer.
import { clusterNameRefusal } from "../decide/peer-cluster-name.js";
import { formatEndpoint, type PeerEndpoint } from "../discovery/discovery.js";
import { ClusterMismatchError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { NodeReport } from "../model/peer-report.js";
import type { AgentOptions } from "../options/agent-options.js";
import { fetchPeerState, type PeerStateProblem } from "../peer-api/peer-state-client.js";
import type { PeerStatusPoller } from "../peer-api/peer-status-poller.js";
import { readRememberedMembers, rememberMembers, type RememberedMember } from "./remembered-members.js";

type DirectoryOptions = Pick<
  AgentOptions,
  "address" | "datadir" | "ports" | "clusterSecret" | "sampleIntervalMs" | "clusterName"
>;

export class PeerDirectory {
  readonly #options: DirectoryOptions;
  readonly #log: Logger;
  readonly #poller: PeerStatusPoller;
  /** Configured or discovered at the agent's start. */
  #configured: PeerEndpoint[] = [];
  /** Galera endpoints of members seen in our views: a restarted server rejoins them. */
  readonly #knownMembers = new Set<string>();
  /** The members last saved to the datadir (remembered-members.ts); null until read or written. */
  #savedMembers: RememberedMember[] | null = null;
  /** Node names of remembered members, by Galera host: what the recovery rules expect them as. */
  readonly #rememberedNames = new Map<string, string>();
  /** Galera endpoints of peers that asked for this node's state, proving the cluster secret. */
  readonly #askers = new Set<string>();
  /** The last answer of each peer's state API, by host; `malformed`: what was wrong with the last one. */
  readonly #states = new Map<
    string,
    { report: NodeReport | null; problem: PeerStateProblem | null; malformed: string | null }
  >();

  constructor(options: DirectoryOptions, poller: PeerStatusPoller, log: Logger) {
    this.#options = options;
    this.#poller = poller;
    this.#log = log;
  }

  get configured(): readonly PeerEndpoint[] {
    return this.#configured;
  }

  /**
   * The configured peers; with none configured or discovered, the members this node last saw
   * become its peers: a restarted seed asks them before deciding, and expects them (never
   * bootstraps alone while they may hold the cluster). Configured peers are the membership.
   */
  configure(peers: PeerEndpoint[]): void {
    this.#configured = peers;
    const remembered = readRememberedMembers(this.#options.datadir);
    this.#savedMembers = remembered;
    if (peers.length > 0 || remembered.length === 0) return;
    for (const { endpoint, name } of remembered) {
      this.#knownMembers.add(endpoint);
      if (name !== null)
        this.#rememberedNames.set(endpoint.replace(/:\d+$/, "").replace(/^\[|\]$/g, ""), name);
    }
    const described = remembered.map((m) => (m.name ? `${m.name} at ${m.endpoint}` : m.endpoint));
    this.#log.info(
      `no peers configured: asking the members this node last saw in its cluster (${described.join(", ")}), and waiting for them as for configured peers; one that comes back at another address is known by its name once it asks for this node's state`,
    );
  }

  /**
   * A peer proved the cluster secret asking for this node's state: it is a member, wherever it
   * runs now (a container started again gets another address). It is asked back from now on.
   */
  noteAsker(address: string): void {
    // A connection over loopback leaves from 127.0.0.1 whatever address its sender listens on:
    // that says nothing of where the peer is (it is one of this machine's configured peers).
    if (address === this.#options.address || /^127\./.test(address) || address === "::1") return;
    const endpoint = `${address.includes(":") ? `[${address}]` : address}:${this.#options.ports.galera}`;
    if (this.#askers.has(endpoint) || this.#knownMembers.has(endpoint)) return;
    if (this.#configured.some((p) => p.address === address)) return;
    this.#askers.add(endpoint);
    this.#log.info(`peer ${address} asked for this node's state: asking it too from now on`);
  }

  /**
   * The members of a primary view this node is in: known from now on, and kept in the
   * datadir when they changed, but only once synced since this start (a donor too): a state
   * transfer into this node owns the datadir until then.
   */
  primaryView(incomingAddresses: readonly string[], selfAddress: string, syncedSinceStart: boolean): void {
    const members: RememberedMember[] = [];
    for (const member of incomingAddresses) {
      if (member === selfAddress || !/:\d+$/.test(member)) continue;
      const host = member.replace(/:\d+$/, "");
      const name = this.#poller.get(member)?.report.node ?? this.#rememberedNames.get(host) ?? null;
      members.push({ endpoint: `${host}:${this.#options.ports.galera}`, name });
    }
    for (const member of members) this.#knownMembers.add(member.endpoint);
    if (!syncedSinceStart) return;
    try {
      if (rememberMembers(this.#options.datadir, members, this.#savedMembers))
        this.#savedMembers = [...members];
    } catch (error) {
      this.#log.warn(
        `could not save the cluster's members in the datadir (${error instanceof Error ? error.message : String(error)}); a restart without configured peers would not know them`,
      );
    }
  }

  /** The peers to ask and to join: configured ones, plus members seen in our views and askers. */
  endpoints(): PeerEndpoint[] {
    const known = [...this.#knownMembers, ...this.#askers].map((e) => {
      const i = e.lastIndexOf(":");
      return { address: e.slice(0, i).replace(/^\[|\]$/g, ""), port: Number(e.slice(i + 1)) };
    });
    const seen = new Map([...this.#configured, ...known].map((p) => [formatEndpoint(p), p]));
    return [...seen.values()];
  }

  /**
   * The names the recovery rules expect besides this node's: a peer is known by its reported
   * name once it answered, by its address before. Peers known only because they asked are
   * asked, not waited for: one that is a remembered member is expected under its name already.
   */
  expectedNames(peers: readonly PeerEndpoint[]): string[] {
    return peers
      .filter((p) => !this.#askers.has(formatEndpoint(p)))
      .map(
        (p) => this.#states.get(p.address)?.report?.name ?? this.#rememberedNames.get(p.address) ?? p.address,
      );
  }

  /**
   * Asks every peer for its state, in parallel; remembers each answer or problem by host.
   * Peers of another cluster name refuse the start (peer-cluster-name.ts): thrown.
   */
  async gather(peers: readonly PeerEndpoint[]): Promise<NodeReport[]> {
    const { ports, clusterSecret, sampleIntervalMs, clusterName } = this.#options;
    const timeoutMs = Math.min(1000, sampleIntervalMs * 2);
    await Promise.all(
      peers.map(async (peer) => {
        const host = peer.address.includes(":") ? `[${peer.address}]` : peer.address;
        const heard: { malformed?: string } = {};
        const result = await fetchPeerState(
          `http://${host}:${ports.health}`,
          clusterSecret,
          timeoutMs,
          (line) => (heard.malformed = line),
        );
        const previous = this.#states.get(peer.address);
        // Said once for each new way a peer's answer is wrong, not at every ask.
        if (heard.malformed !== undefined && heard.malformed !== previous?.malformed) {
          this.#log.warn(`${heard.malformed}; it counts as not answering`);
        }
        this.#states.set(peer.address, {
          report: result.ok ? result.report : (previous?.report ?? null),
          problem: result.ok ? null : result.problem,
          malformed: result.ok ? null : (heard.malformed ?? previous?.malformed ?? null),
        });
      }),
    );
    const reports = peers.flatMap((p) => {
      const report = this.#states.get(p.address)?.report;
      return report ? [{ address: p.address, report }] : [];
    });
    const refusal = clusterNameRefusal(clusterName, reports);
    if (refusal !== null) throw new ClusterMismatchError(refusal);
    return reports.map(({ report }) => report);
  }
}
