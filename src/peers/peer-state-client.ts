import { request } from "node:http";
import type { Secret } from "../config/secret.js";
import type { NodeReport } from "../decide/recovery-facts.js";
import { answerHeader, newNonce, requestHeader, signRequest, verifyAnswer } from "./peer-auth.js";

export const peerStatePath = "/peer/state";

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
  let response: PlainResponse;
  try {
    response = await getText(
      `${baseUrl}${peerStatePath}`,
      { [requestHeader]: signRequest(secret, peerStatePath, nonce) },
      timeoutMs,
    );
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

interface PlainResponse {
  status: number;
  headers: NodeJS.Dict<string | string[]>;
  body: string;
}

/** A peer's answer is a small JSON report: anything longer is not one. */
const maxAnswerBytes = 1024 * 1024;

/**
 * One GET with node:http, whole within timeoutMs. Not fetch: its first call loads undici,
 * 40–100 ms of a recovering agent's critical path, which asks its peers before anything else.
 */
function getText(url: string, headers: Record<string, string>, timeoutMs: number): Promise<PlainResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
      const chunks: Buffer[] = [];
      let length = 0;
      res.on("data", (chunk: Buffer) => {
        length += chunk.length;
        if (length > maxAnswerBytes) return void req.destroy(new Error("answer too long"));
        chunks.push(chunk);
      });
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}
