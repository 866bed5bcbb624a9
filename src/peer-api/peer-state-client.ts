import type { Secret } from "../config/secret.js";
import { httpRequest, type HttpAnswer } from "../http-client/http-request.js";
import type { NodeReport } from "../model/peer-report.js";
import { answerHeader, newNonce, requestHeader, signRequest, verifyAnswer } from "./peer-auth.js";

export const peerStatePath = "/peer/state";

/** A peer agent's answer is a small JSON document: anything longer is not one. */
export const maxPeerAnswerBytes = 1024 * 1024;

/** Why a peer's state is missing: shown in /status so an operator sees a wrong secret at once. */
export type PeerStateProblem =
  "unreachable" | "rejected our secret" | "answer not signed with the cluster secret" | "malformed answer";

export type PeerStateResult = { ok: true; report: NodeReport } | { ok: false; problem: PeerStateProblem };

/**
 * Asks one peer agent for its state. The answer counts only when it is signed with the
 * cluster secret for our fresh nonce: a forged or replayed state changes nothing.
 * `reportedAt` is set to our receive time (our clock, not the peer's).
 */
export async function fetchPeerState(
  baseUrl: string,
  secret: Secret,
  timeoutMs: number,
): Promise<PeerStateResult> {
  const nonce = newNonce();
  let response: HttpAnswer;
  try {
    response = await httpRequest({
      url: `${baseUrl}${peerStatePath}`,
      headers: { [requestHeader]: signRequest(secret, peerStatePath, nonce) },
      timeoutMs,
      maxBodyBytes: maxPeerAnswerBytes,
    });
  } catch {
    return { ok: false, problem: "unreachable" };
  }
  const { status, body } = response;
  if (status === 401) return { ok: false, problem: "rejected our secret" };
  const mac = response.headers[answerHeader];
  if (
    status < 200 ||
    status > 299 ||
    !verifyAnswer(secret, nonce, body, typeof mac === "string" ? mac : null)
  ) {
    return { ok: false, problem: "answer not signed with the cluster secret" };
  }
  try {
    const report = JSON.parse(body) as NodeReport;
    if (typeof report.name !== "string" || typeof report.inPrimary !== "boolean") {
      return { ok: false, problem: "malformed answer" };
    }
    return { ok: true, report: { ...report, reportedAt: Date.now() } };
  } catch {
    return { ok: false, problem: "malformed answer" };
  }
}
