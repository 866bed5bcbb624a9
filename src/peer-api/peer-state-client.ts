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

type ReportSchema = typeof import("../model/peer-report-schema.js");
let reportSchema: Promise<ReportSchema> | undefined;

/**
 * The report's schema (and valibot, 10–20 ms to load): loaded when the first request goes out,
 * while its answer is awaited, not at the agent's start.
 */
function loadReportSchema(): Promise<ReportSchema> {
  if (reportSchema === undefined) {
    reportSchema = import("../model/peer-report-schema.js");
    // Awaited where an answer arrives; an unreachable first peer must not leave it unobserved.
    reportSchema.catch(() => undefined);
  }
  return reportSchema;
}

/**
 * Asks one peer agent for its state. The answer counts only when it is signed with the
 * cluster secret for our fresh nonce: a forged or replayed state changes nothing.
 * `reportedAt` is set to our receive time (our clock, not the peer's).
 *
 * A signed answer that is not a report (src/model/peer-report-schema.ts) is a "malformed
 * answer", and `onMalformed` hears what is wrong in one line: `peer 10.0.0.3 answered
 * /peer/state with a report whose position.seqno is "x", not a whole number`.
 */
export async function fetchPeerState(
  baseUrl: string,
  secret: Secret,
  timeoutMs: number,
  onMalformed: (line: string) => void = () => {},
): Promise<PeerStateResult> {
  const nonce = newNonce();
  const schema = loadReportSchema();
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
  const who = `peer ${new URL(baseUrl).hostname.replace(/^\[|\]$/g, "")} answered ${peerStatePath}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    onMalformed(`${who} with something else than JSON`);
    return { ok: false, problem: "malformed answer" };
  }
  const checked = (await schema).checkNodeReport(parsed);
  if (!checked.ok) {
    onMalformed(`${who} with ${checked.problem}`);
    return { ok: false, problem: "malformed answer" };
  }
  return { ok: true, report: { ...checked.value, reportedAt: Date.now() } };
}
