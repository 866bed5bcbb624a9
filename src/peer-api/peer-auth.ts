import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Secret } from "../config/secret.js";

/**
 * Authentication of the peer state API with the cluster's shared secret (S6 in docs/recovery.md). The
 * secret itself never travels: both sides prove they hold it with HMAC-SHA256.
 * - A request carries a fresh random nonce and mac(secret, "request", path, nonce).
 * - The answer carries mac(secret, "answer", nonce, body): an impostor at a peer's address
 *   cannot forge a state, and an old answer cannot be replayed against a new nonce.
 * Comparisons are constant-time.
 */
export const requestHeader = "x-galera-pilot-auth";
export const answerHeader = "x-galera-pilot-mac";

function mac(secret: Secret, ...parts: string[]): string {
  const h = createHmac("sha256", secret.reveal());
  for (const part of parts) h.update(`${part.length}:${part}`);
  return h.digest("hex");
}

function equalHex(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

export function newNonce(): string {
  return randomBytes(16).toString("hex");
}

/** The request header value: "nonce=…, mac=…". */
export function signRequest(secret: Secret, path: string, nonce: string): string {
  return `nonce=${nonce}, mac=${mac(secret, "request", path, nonce)}`;
}

/** Checks a request header; returns its nonce when it proves the secret, else null. */
export function verifyRequest(secret: Secret, path: string, header: string | undefined): string | null {
  const match = /^nonce=([0-9a-f]{32}), mac=([0-9a-f]{64})$/.exec(header ?? "");
  if (!match) return null;
  const [, nonce, given] = match as unknown as [string, string, string];
  return equalHex(given, mac(secret, "request", path, nonce)) ? nonce : null;
}

export function signAnswer(secret: Secret, nonce: string, body: string): string {
  return mac(secret, "answer", nonce, body);
}

export function verifyAnswer(secret: Secret, nonce: string, body: string, header: string | null): boolean {
  return (
    header !== null && /^[0-9a-f]{64}$/.test(header) && equalHex(header, signAnswer(secret, nonce, body))
  );
}
