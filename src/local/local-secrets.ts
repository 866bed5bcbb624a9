import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The local cluster's generated passwords: files under state/secrets, mode 0600, kept across runs. */
export interface LocalSecretFiles {
  rootPassword: string;
  sstPassword: string;
  appPassword: string;
  clusterSecret: string;
}

export const localAppUser = "app";

function ensureSecretFile(path: string): void {
  if (existsSync(path)) return;
  // base64url: no characters that need quoting in an option file or a shell.
  writeFileSync(path, randomBytes(18).toString("base64url") + "\n", { mode: 0o600 });
}

/** Creates the secrets once; returns their paths, passed to agents as NAME_FILE variables. */
export function ensureLocalSecrets(stateDir: string): LocalSecretFiles {
  const dir = join(stateDir, "secrets");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const files = {
    rootPassword: join(dir, "root.password"),
    sstPassword: join(dir, "sst.password"),
    appPassword: join(dir, "app.password"),
    clusterSecret: join(dir, "cluster.secret"),
  };
  for (const path of Object.values(files)) ensureSecretFile(path);
  return files;
}

/**
 * Writes client.cnf (0600): the application user, for
 * `mariadb --defaults-extra-file=client.cnf -h 127.0.0.1`.
 */
export function writeClientConfig(
  stateDir: string,
  secrets: LocalSecretFiles,
  host: string,
  port: number,
): string {
  const path = join(stateDir, "client.cnf");
  const password = readFileSync(secrets.appPassword, "utf8").trim();
  const text = `# Written by galera-pilot's local cluster: the application user, through the router.\n[client]\nuser=${localAppUser}\npassword=${password}\nhost=${host}\nport=${port}\n`;
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}
