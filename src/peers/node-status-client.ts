import type { NodeStatusReport } from "../agent/node-status.js";

/** Reads an agent's GET /status; null when it does not answer within the timeout. */
export async function fetchNodeStatus(healthUrl: string, timeoutMs = 1000): Promise<NodeStatusReport | null> {
  try {
    const response = await fetch(`${healthUrl}/status`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return null;
    return (await response.json()) as NodeStatusReport;
  } catch {
    return null;
  }
}
