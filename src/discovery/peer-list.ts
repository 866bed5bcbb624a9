/**
 * What every discovery backend does last: drop the node's own addresses, normalize, sort
 * (IPv4 before IPv6, numerically), remove duplicates. Shared by the Consul and Marathon backends.
 */
import { isIP } from "node:net";

import type { PeerEndpoint } from "./discovery.js";
import { normalizeAddress } from "./dns-discovery.js";

export function finishPeerList(peers: PeerEndpoint[], ownAddresses: string[]): PeerEndpoint[] {
  const own = new Set(ownAddresses.map(key));
  const unique = new Map<string, PeerEndpoint>();
  for (const peer of peers) {
    const address = normalizeAddress(peer.address);
    if (own.has(key(address))) continue;
    unique.set(`${address} ${peer.port}`, { address, port: peer.port });
  }
  return [...unique.values()].sort((a, b) => compare(a.address, b.address) || a.port - b.port);
}

function key(address: string): string {
  return normalizeAddress(address).split("%", 1)[0] ?? "";
}

function compare(a: string, b: string): number {
  const fa = isIP(a);
  const fb = isIP(b);
  if (fa !== fb) return fa - fb;
  if (fa === 4) {
    const na = a.split(".").map(Number);
    const nb = b.split(".").map(Number);
    for (let i = 0; i < 4; i++) if ((na[i] ?? 0) !== (nb[i] ?? 0)) return (na[i] ?? 0) - (nb[i] ?? 0);
    return 0;
  }
  const ea = expand(a);
  const eb = expand(b);
  return ea < eb ? -1 : ea > eb ? 1 : 0;
}

function expand(address: string): string {
  const bare = address.split("%", 1)[0] ?? "";
  const [head = "", tail] = bare.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return groups.map((group) => group.padStart(4, "0")).join("");
}
