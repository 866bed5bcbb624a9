import type { NodeStatusReport } from "../model/node-status.js";
import { compareAddresses } from "./writer-election.js";

/** What a joiner needs of a peer's /status to choose its donors. */
export type DonorCandidate = Pick<
  NodeStatusReport,
  "node" | "incomingAddress" | "phase" | "writer" | "writerEligibleSince"
>;

/**
 * The donors a joiner asks Galera for (`--wsrep-sst-donor=A,B,`), from its peers' reports.
 * Pure. A donor leaves the Synced state, even for an IST, so the single writer chosen as
 * donor loses its role in the middle of client sessions, which the router then cuts
 * (HAProxy's on-marked-down shutdown-sessions). So the list holds the synced peers except the
 * writer, and except the peer that is about to become writer when none claims the role yet
 * (right after a failover, while reports catch up): the one eligible the longest, ties to
 * the lowest address, the election's own order (writer-election.ts). Empty when no other
 * peer can serve: Galera then chooses, which a trailing comma allows anyway.
 */
export function preferredDonors(peers: readonly (DonorCandidate | null)[]): string[] {
  const synced = peers.filter(
    (p): p is DonorCandidate => p !== null && p.phase === "synced" && /^[A-Za-z0-9_.-]+$/.test(p.node),
  );
  const claimed = synced.find((p) => p.writer);
  const writer = claimed ?? likelyWriter(synced);
  return synced
    .filter((p) => p !== writer)
    .map((p) => p.node)
    .sort();
}

function likelyWriter(synced: readonly DonorCandidate[]): DonorCandidate | undefined {
  // Not eligible (null) is no time either: Date.parse("null") is NaN.
  const eligible = synced.filter((p) => !Number.isNaN(Date.parse(String(p.writerEligibleSince))));
  return eligible.sort(
    (a, b) =>
      Date.parse(a.writerEligibleSince!) - Date.parse(b.writerEligibleSince!) ||
      compareAddresses(a.incomingAddress, b.incomingAddress),
  )[0];
}
