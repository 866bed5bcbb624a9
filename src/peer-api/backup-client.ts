// `galera-pilot backup` asking an agent for a backup of its node (POST /backup, signed with
// the cluster secret over its path and query, as the peer API is: peer-auth.ts), and reading
// how it goes (GET /backup).
import type { Secret } from "../config/secret.js";
import type { BackupActivity } from "../model/backup-activity.js";
import { httpRequest, HttpRequestFailed } from "../http-client/http-request.js";
import { answerHeader, newNonce, requestHeader, signRequest, verifyAnswer } from "./peer-auth.js";

export const backupRequestPath = "/backup";

export type BackupAsked =
  | { ok: true; id: string }
  /** The agent refused, with its sentence (409: a rule or a backup under way; 503: it failed to start). */
  | { ok: false; refused: string }
  /** No answer that can be trusted: unreachable, the secret refused, an unsigned answer. */
  | { ok: false; problem: string };

export async function askForBackup(
  baseUrl: string,
  secret: Secret,
  allowWriter: boolean,
  timeoutMs = 30_000,
): Promise<BackupAsked> {
  const target = `${backupRequestPath}${allowWriter ? "?allow-writer=yes" : ""}`;
  const nonce = newNonce();
  let answer;
  try {
    answer = await httpRequest({
      url: `${baseUrl}${target}`,
      method: "POST",
      headers: { [requestHeader]: signRequest(secret, target, nonce) },
      timeoutMs,
      maxBodyBytes: 64 * 1024,
    });
  } catch (error) {
    return {
      ok: false,
      problem: `its agent did not answer (${error instanceof HttpRequestFailed ? error.reason : String(error)})`,
    };
  }
  if (answer.status === 401) {
    return {
      ok: false,
      problem: "its agent refused our cluster secret (GALERA_PILOT_CLUSTER_SECRET differs)",
    };
  }
  if (answer.status === 404) {
    return { ok: false, problem: "its agent takes no backups (an older galera-pilot, without POST /backup)" };
  }
  const mac = answer.headers[answerHeader];
  if (!verifyAnswer(secret, nonce, answer.body, typeof mac === "string" ? mac : null)) {
    return {
      ok: false,
      problem: `its agent answered ${answer.status} without the cluster secret's signature`,
    };
  }
  const body = JSON.parse(answer.body) as { accepted?: string; refused?: string };
  if (answer.status === 202 && typeof body.accepted === "string") return { ok: true, id: body.accepted };
  return { ok: false, refused: body.refused ?? `its agent answered ${answer.status}` };
}

/**
 * What GET /backup answers (model/backup-activity.ts), as an agent of an earlier version may
 * answer it: without `recorded` (taken as true) or `schedule`.
 */
export type BackupActivityAnswer = Omit<BackupActivity, "last" | "schedule"> & {
  last: (Omit<NonNullable<BackupActivity["last"]>, "recorded"> & { recorded?: boolean }) | null;
  schedule?: BackupActivity["schedule"];
};

/** GET /backup; null when the agent does not answer. */
export async function readBackupActivity(
  baseUrl: string,
  timeoutMs = 5_000,
): Promise<BackupActivityAnswer | null> {
  try {
    const answer = await httpRequest({
      url: `${baseUrl}${backupRequestPath}`,
      timeoutMs,
      maxBodyBytes: 64 * 1024,
    });
    if (answer.status !== 200) return null;
    return JSON.parse(answer.body) as BackupActivityAnswer;
  } catch {
    return null;
  }
}
