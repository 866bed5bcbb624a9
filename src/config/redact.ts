import type { Secret } from "./secret.js";

/** Replaces every occurrence of the secrets' values in text (a child's output) with "[secret]". */
export function redact(text: string, secrets: readonly Secret[]): string {
  let out = text;
  for (const secret of secrets) {
    const value = secret.reveal();
    if (value.length > 0) out = out.split(value).join("[secret]");
  }
  return out;
}
