/**
 * The binary log settings that let one transaction carry the same GTID on every node, so that
 * an archive of one node's binlog can be continued from another's (docs/point-in-time.md).
 *
 * With `wsrep_gtid_mode=ON` MariaDB gives every replicated transaction the GTID
 * `wsrep_gtid_domain_id-SERVER-SEQNO` on every node alike: the domain is the cluster's, one
 * number that all nodes must agree on. Events a node writes to its binlog on its own (not
 * replicated) take its `gtid_domain_id` and `server_id`: those must differ from node to node
 * and from the cluster's domain, or a node's local event would take a GTID the cluster uses.
 *
 * No node is asked: each number is derived from what every agent of the cluster already holds
 * (the cluster name; the node's own name), so a restarted or replaced node renders the same
 * ones. Pure.
 */

/**
 * The ranges: the cluster's domain has four digits and a node's server_id at most six, so that
 * the GTIDs people type (`restore --to-gtid 4212-385621-1234`) stay short; local domains start
 * above the cluster domains' range, so the two never meet. A server_id shared by two nodes
 * (about 1 in 30,000 for nine nodes) only makes their local events look alike.
 */
const CLUSTER_DOMAINS = { first: 1000, count: 9000 };
const LOCAL_DOMAINS = { first: 10_000, count: 2 ** 31 - 10_000 };
const SERVER_IDS = { first: 1, count: 999_999 };

export interface BinlogIdentity {
  /** wsrep_gtid_domain_id: the cluster's transactions, on every node. */
  clusterDomain: number;
  /** gtid_domain_id: events this node writes on its own. */
  localDomain: number;
  /** server_id: this node's, in its local events. */
  serverId: number;
}

/** FNV-1a, 32 bits: stable across versions and platforms, spreads short names well. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, "utf8")) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * The cluster's GTID domain: from its name, so that clusters of different names (whose
 * archives must never be mixed) most likely use different domains.
 */
export function clusterGtidDomain(clusterName: string): number {
  return inRange(fnv1a(`cluster:${clusterName}`), CLUSTER_DOMAINS);
}

export function binlogIdentity(clusterName: string, nodeName: string): BinlogIdentity {
  return {
    clusterDomain: clusterGtidDomain(clusterName),
    localDomain: inRange(fnv1a(`domain:${clusterName}:${nodeName}`), LOCAL_DOMAINS),
    serverId: inRange(fnv1a(`server:${clusterName}:${nodeName}`), SERVER_IDS),
  };
}

function inRange(hash: number, range: { first: number; count: number }): number {
  return range.first + (hash % range.count);
}
