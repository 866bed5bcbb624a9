import type { FlagReader } from "./flag-reader.js";

/**
 * The variables that carry passwords or keys: a rendering (a Marathon app group, Kubernetes
 * manifests) takes them only by reference, never as values written into it.
 */
export const secretVariables = [
  "MYSQL_ROOT_PASSWORD",
  "XTRABACKUP_PASSWORD",
  "GALERA_PILOT_CLUSTER_SECRET",
  "MYSQL_PASSWORD",
  "GALERA_PILOT_S3_ACCESS_KEY_ID",
  "GALERA_PILOT_S3_SECRET_ACCESS_KEY",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
];

/**
 * `--env NAME=VALUE,NAME=VALUE`: more settings for every node of a rendering (e.g.
 * GALERA_PILOT_BACKUP_DESTINATION, GALERA_PILOT_RESTORE_FROM). A password or key variable is
 * refused: it would be written into the rendered definition.
 */
export function parseExtraEnv(flags: FlagReader, references: string): Record<string, string> {
  const env: Record<string, string> = {};
  const text = flags.string("env");
  if (text === undefined) return env;
  for (const item of text.split(",")) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(item.trim());
    if (!match) throw flags.error("env", `item ${JSON.stringify(item)} is not NAME=VALUE`);
    const [, name = "", value = ""] = match;
    if (secretVariables.some((secret) => name === secret || name === `${secret}_FILE`)) {
      throw flags.error("env", `${name} would put a password into the ${references}`);
    }
    env[name] = value;
  }
  return env;
}
