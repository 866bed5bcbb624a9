// HAProxy in front of a benchmark's cluster: the config galera-pilot renders for its nodes,
// and the servers' states and counters read from the runtime API.
import type { LocalNode } from "../../src/local/cluster-layout.js";
import { renderHaproxyConfig, type HaproxyConfigInput } from "../../src/router/haproxy-config.js";
import type { HaproxyProcess } from "../../src/router/haproxy-process.js";
import { agentHealthPort } from "./bench-cluster.js";

/**
 * `galera-pilot haproxy render`'s config for the nodes: writes on `writer`, reads on the next
 * port, the writer backend checked on /writer and the read pool on /ready.
 */
export function renderedRouterConfig(
  nodes: readonly LocalNode[],
  writer: { address: string; port: number },
  statsSocket: string,
  more: Partial<HaproxyConfigInput> = {},
): string {
  return renderHaproxyConfig({
    nodes: nodes.map((n) => ({
      name: n.name,
      address: n.address,
      sqlPort: 3306,
      healthPort: agentHealthPort,
    })),
    writer,
    reader: { address: writer.address, port: writer.port + 1 },
    statsSocket,
    writerCheckPath: "/writer",
    readerCheckPath: "/ready",
    ...more,
  });
}

/** A backend's server rows of `show stat`, split into fields. */
async function serverRows(proxy: HaproxyProcess, backend: string): Promise<string[][]> {
  return (await proxy.runtime("show stat"))
    .split("\n")
    .map((line) => line.split(","))
    .filter((f) => f[0] === backend && f[1] !== "FRONTEND" && f[1] !== "BACKEND" && f[1]);
}

/** A backend's servers and their states (UP, DOWN, …) from HAProxy's runtime API. */
export async function serverStates(proxy: HaproxyProcess, backend: string): Promise<Map<string, string>> {
  const states = new Map<string, string>();
  try {
    for (const f of await serverRows(proxy, backend)) states.set(f[1]!, f[17] ?? "");
  } catch {
    // The socket is not there yet: no states.
  }
  return states;
}

/**
 * Resolves once HAProxy marks a writer UP (it sends writes nowhere before: at its start, and
 * after it marked the writer DOWN); throws after `withinMs`.
 */
export async function writerMarkedUp(proxy: HaproxyProcess, withinMs = 60_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (![...(await serverStates(proxy, "galera_writer")).values()].includes("UP")) {
    if (Date.now() > deadline) throw new Error(`HAProxy marked no writer UP within ${withinMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** UP → DOWN transitions (HAProxy's chkdown) summed over a backend's servers. */
export async function downTransitions(proxy: HaproxyProcess, backend: string): Promise<number> {
  let sum = 0;
  for (const f of await serverRows(proxy, backend)) sum += Number(f[22] ?? 0);
  return sum;
}

/** UP → DOWN transitions (HAProxy's chkdown) of each server of a backend, by server name. */
export async function downTransitionsByServer(
  proxy: HaproxyProcess,
  backend: string,
): Promise<Map<string, number>> {
  const downs = new Map<string, number>();
  for (const f of await serverRows(proxy, backend)) downs.set(f[1]!, Number(f[22] ?? 0));
  return downs;
}
