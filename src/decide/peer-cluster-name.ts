// Galera drops the handshake of a node whose cluster name differs, and mariadbd then times out
// joining, again and again. A peer that reports another cluster name is refused before
// mariadbd starts: the node would never get in, and nothing has touched its datadir yet.

/** A peer's answer, where it was asked. */
export interface AnsweredPeer {
  address: string;
  report: { name: string; clusterName?: string | undefined };
}

/**
 * The refusal sentence when a peer belongs to another cluster name (the first such peer, in
 * the order given); null when every answer is of this cluster or says no name (an older
 * agent). Pure.
 */
export function clusterNameRefusal(ownClusterName: string, peers: readonly AnsweredPeer[]): string | null {
  const stranger = peers.find(
    ({ report }) => typeof report.clusterName === "string" && report.clusterName !== ownClusterName,
  );
  if (!stranger) return null;
  return `peer ${stranger.report.name} (${stranger.address}) belongs to cluster "${stranger.report.clusterName}" but this node is set to "${ownClusterName}", and Galera never lets a node of another cluster name join; mariadbd was not started with it and the datadir was not changed by galera-pilot; set the same GALERA_PILOT_CLUSTER_NAME on every node, or point this node at its own cluster's peers`;
}
