import { httpRequest, HttpRequestFailed } from "../http-client/http-request.js";
import type { NodeStatusReport } from "../model/node-status.js";
import { maxPeerAnswerBytes } from "./peer-state-client.js";

/** Reads an agent's GET /status; null when it does not answer within the timeout. */
export async function fetchNodeStatus(healthUrl: string, timeoutMs = 1000): Promise<NodeStatusReport | null> {
  return readNodeStatus(`${healthUrl}/status`, timeoutMs);
}

/** Reads the status at an agent's full /status URL; null without a 2xx JSON answer in time. */
export async function readNodeStatus(statusUrl: string, timeoutMs: number): Promise<NodeStatusReport | null> {
  const answer = await readNodeStatusOrRefusal(statusUrl, timeoutMs);
  return answer === "refused" ? null : answer;
}

/**
 * A member's /status, or that its agent refused the connection (nothing listens on its health
 * port: the agent is not running, for an agent that fails to listen exits), or null: no
 * answer in time, or not one we can read.
 */
export async function readNodeStatusOrRefusal(
  statusUrl: string,
  timeoutMs: number,
): Promise<NodeStatusReport | "refused" | null> {
  try {
    const response = await httpRequest({ url: statusUrl, timeoutMs, maxBodyBytes: maxPeerAnswerBytes });
    if (response.status < 200 || response.status > 299) return null;
    return JSON.parse(response.body) as NodeStatusReport;
  } catch (error) {
    return error instanceof HttpRequestFailed && error.code === "ECONNREFUSED" ? "refused" : null;
  }
}
