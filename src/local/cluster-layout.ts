import { join } from "node:path";

/** Where one node of the local cluster lives and listens. */
export interface LocalNode {
  name: string;
  address: string;
  dir: string;
  datadir: string;
  runDir: string;
  socket: string;
  agentLog: string;
  healthUrl: string;
}

export interface LayoutOptions {
  stateDir: string;
  nodeCount: number;
  /** The first node's address; the others follow (127.0.0.2, .3, .4 by default). */
  firstAddress: string;
  healthPort: number;
}

export const defaultStateDir = "/var/lib/galera-pilot/local";

/** Node n1 at firstAddress, n2 at the next address, and so on. Pure. */
export function localLayout(options: LayoutOptions): LocalNode[] {
  const parts = options.firstAddress.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`the first node address must be an IPv4 address, got "${options.firstAddress}"`);
  }
  const base = ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
  return Array.from({ length: options.nodeCount }, (_, i) => {
    const n = base + i;
    const address = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
    const name = `n${i + 1}`;
    const dir = join(options.stateDir, name);
    return {
      name,
      address,
      dir,
      datadir: join(dir, "data"),
      runDir: join(dir, "run"),
      socket: join(dir, "run", "mysqld.sock"),
      agentLog: join(dir, "agent.log"),
      healthUrl: `http://${address}:${options.healthPort}`,
    };
  });
}
