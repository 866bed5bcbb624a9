import { readFileSync, statSync } from "node:fs";
import { BadInputError } from "../errors.js";
import { Secret } from "./secret.js";

type Env = Readonly<Record<string, string | undefined>>;

/** How the messages name the value: "a password" and "the password" unless told otherwise. */
export interface SecretNoun {
  /** With an indefinite article: "a password", "an access key id". */
  a: string;
  /** With the definite article: "the password", "the access key id". */
  the: string;
}

const password: SecretNoun = { a: "a password", the: "the password" };

/**
 * Reads a secret from `NAME` or from the file named by `NAME_FILE` (the Docker secrets
 * convention the seed's image and the official MariaDB image share). One trailing newline
 * is dropped, as editors and `echo` add one. Returns null when neither is set. `noun` names
 * the value in the messages (S3's keys are not passwords).
 */
export function readSecret(env: Env, name: string, noun: SecretNoun = password): Secret | null {
  const direct = env[name];
  const file = env[`${name}_FILE`];
  if (direct !== undefined && file !== undefined) {
    throw new BadInputError(
      `both ${name} and ${name}_FILE are set; nothing was started; set only one of them`,
    );
  }
  if (direct !== undefined) {
    if (direct === "") throw new BadInputError(`${name} is empty; nothing was started; set ${noun.a}`);
    return new Secret(direct);
  }
  if (file === undefined) return null;
  let text: string;
  try {
    if (!statSync(file).isFile()) throw new Error("not a regular file");
    text = readFileSync(file, "utf8");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new BadInputError(
      `cannot read ${name}_FILE ${file}: ${reason}; nothing was started; point it at a readable file holding ${noun.the}`,
      { cause: error },
    );
  }
  const value = text.replace(/\r?\n$/, "");
  if (value === "") {
    throw new BadInputError(`${name}_FILE ${file} is empty; nothing was started; write ${noun.the} into it`);
  }
  if (/[\n\r\0]/.test(value)) {
    throw new BadInputError(
      `${name}_FILE ${file} holds several lines or a NUL byte; nothing was started; keep ${noun.the} on one line`,
    );
  }
  return new Secret(value);
}

/** Like readSecret, but a missing secret is an error naming both ways to give it. */
export function requireSecret(env: Env, name: string, purpose: string): Secret {
  const secret = readSecret(env, name);
  if (!secret) {
    throw new BadInputError(
      `${name} is not set (${purpose}); nothing was started; set ${name} or ${name}_FILE`,
    );
  }
  return secret;
}
