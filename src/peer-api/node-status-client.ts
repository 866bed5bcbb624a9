import { httpRequest, HttpRequestFailed, type HttpAnswer } from "../http-client/http-request.js";
import type { NodeStatusReport } from "../model/node-status.js";
import { maxPeerAnswerBytes } from "./peer-state-client.js";

type StatusSchema = typeof import("../model/node-status-schema.js");
let statusSchema: Promise<StatusSchema> | undefined;

/**
 * The /status schema (and valibot, 10–20 ms to load): loaded when the first request goes out,
 * while its answer is awaited, not at the agent's start.
 */
function loadStatusSchema(): Promise<StatusSchema> {
  if (statusSchema === undefined) {
    statusSchema = import("../model/node-status-schema.js");
    // Awaited where an answer arrives; an unreachable first peer must not leave it unobserved.
    statusSchema.catch(() => undefined);
  }
  return statusSchema;
}

/** Reads an agent's GET /status; null when it does not answer within the timeout. */
export async function fetchNodeStatus(
  healthUrl: string,
  timeoutMs = 1000,
  onMalformed: (line: string) => void = () => {},
): Promise<NodeStatusReport | null> {
  const answer = await readNodeStatusOrRefusal(`${healthUrl}/status`, timeoutMs, onMalformed);
  return answer === "refused" ? null : answer;
}

/** Reads the status at an agent's full /status URL; null without a 2xx JSON answer in time. */
export async function readNodeStatus(statusUrl: string, timeoutMs: number): Promise<NodeStatusReport | null> {
  const answer = await readNodeStatusOrRefusal(statusUrl, timeoutMs);
  return answer === "refused" ? null : answer;
}

/**
 * A member's /status, or that its agent refused the connection (nothing listens on its health
 * port: the agent is not running, for an agent that fails to listen exits), or null: no
 * answer in time, or not one we can read. An answer that is not a status
 * (src/model/node-status-schema.ts) is null too, and `onMalformed` hears what is wrong in one
 * line: `peer 10.0.0.3 answered /status with a status whose phase is "x", not one of …`.
 */
export async function readNodeStatusOrRefusal(
  statusUrl: string,
  timeoutMs: number,
  onMalformed: (line: string) => void = () => {},
): Promise<NodeStatusReport | "refused" | null> {
  const schema = loadStatusSchema();
  let response: HttpAnswer;
  try {
    response = await httpRequest({ url: statusUrl, timeoutMs, maxBodyBytes: maxPeerAnswerBytes });
  } catch (error) {
    return error instanceof HttpRequestFailed && error.code === "ECONNREFUSED" ? "refused" : null;
  }
  if (response.status < 200 || response.status > 299) return null;
  const url = new URL(statusUrl);
  const who = `peer ${url.hostname.replace(/^\[|\]$/g, "")} answered ${url.pathname}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.body);
  } catch {
    onMalformed(`${who} with something else than JSON`);
    return null;
  }
  const checked = (await schema).checkNodeStatus(parsed);
  if (!checked.ok) {
    onMalformed(`${who} with ${checked.problem}`);
    return null;
  }
  return checked.value;
}
