import assert from "node:assert/strict";
import { chmodSync, chownSync, copyFileSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { runToCompletion } from "../../src/process/child-exit.js";
import type { OsUser } from "../../src/mysqld/os-user.js";

export interface KeyPair {
  cert: string;
  key: string;
}

export interface TestPki {
  ca: KeyPair;
  /** A second CA that signed nothing of the cluster's. */
  wrongCa: KeyPair;
  node(name: string): KeyPair;
  /** A node certificate issued by the wrong CA. */
  stranger: KeyPair;
  /** n's key, owned by root and 0600: mariadbd (user mysql) cannot read it. */
  rootOnlyKey: string;
  /** GALERA_PILOT_TLS_CA/_CERT/_KEY for a node of the cluster's CA. */
  nodeEnv(name: string): Record<string, string>;
}

async function openssl(args: string[]): Promise<void> {
  const result = await runToCompletion("openssl", args);
  assert.equal(result.exitCode, 0, `openssl ${args.join(" ")}: ${result.stderr}`);
}

async function makeCa(dir: string, name: string): Promise<KeyPair> {
  const pair = { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) };
  await openssl(
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", pair.key, "-out", pair.cert].concat([
      "-days",
      "2",
      "-subj",
      `/CN=${name}`,
    ]),
  );
  return pair;
}

async function issue(dir: string, name: string, ca: KeyPair): Promise<KeyPair> {
  const pair = { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) };
  const csr = join(dir, `${name}.csr`);
  await openssl([
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    pair.key,
    "-out",
    csr,
    "-subj",
    `/CN=${name}`,
  ]);
  await openssl(
    ["x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-CAcreateserial"].concat([
      "-out",
      pair.cert,
      "-days",
      "2",
    ]),
  );
  return pair;
}

/**
 * A CA and node certificates made with the openssl command, plus a second CA and a node
 * certificate of it, owned by the server's user (keys 0600) as an operator would install them.
 */
export async function makeTestPki(dir: string, names: string[], serverUser: OsUser): Promise<TestPki> {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  const ca = await makeCa(dir, "ca");
  const wrongCa = await makeCa(dir, "wrong-ca");
  const nodes = new Map<string, KeyPair>();
  for (const name of names) nodes.set(name, await issue(dir, name, ca));
  const stranger = await issue(dir, "stranger", wrongCa);
  for (const file of readdirSync(dir)) {
    chownSync(join(dir, file), serverUser.uid, serverUser.gid);
    chmodSync(join(dir, file), file.endsWith(".key") ? 0o600 : 0o644);
  }
  const first = nodes.get(names[0]!)!;
  const rootOnlyKey = join(dir, "root-only.key");
  copyFileSync(first.key, rootOnlyKey);
  chownSync(rootOnlyKey, 0, 0);
  chmodSync(rootOnlyKey, 0o600);
  const node = (name: string): KeyPair => {
    const pair = nodes.get(name);
    if (!pair) throw new Error(`no certificate for ${name}`);
    return pair;
  };
  return {
    ca,
    wrongCa,
    node,
    stranger,
    rootOnlyKey,
    nodeEnv: (name) => ({
      GALERA_PILOT_TLS_CA: ca.cert,
      GALERA_PILOT_TLS_CERT: node(name).cert,
      GALERA_PILOT_TLS_KEY: node(name).key,
    }),
  };
}
