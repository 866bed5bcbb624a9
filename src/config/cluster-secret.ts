import { scryptSync } from "node:crypto";
import { readSecret } from "./read-secret.js";
import { Secret } from "./secret.js";

type Env = Readonly<Record<string, string | undefined>>;

/** Fixed context of the derivation: a key derived here is good for the peer API only. */
const context = "galera-pilot peer API key v1";

/**
 * The key that authenticates the agents' peer API: GALERA_PILOT_CLUSTER_SECRET (or its _FILE)
 * when given; otherwise derived from the SST password, which every node of a cluster shares
 * already, so that the 2015 post's commands (root and SST passwords only) run as written.
 *
 * The derivation is scrypt (N=2^15, r=8, p=1: about 0.1 s once per start) over the password
 * with a fixed context and the cluster name as salt. The password never leaves the node and
 * the key is not the password: a peer that learns the key cannot log in to MariaDB with it,
 * and a slow derivation makes guessing the password from the API's MACs expensive. An
 * explicit secret is still better (a key of its own, rotated apart from the SST password).
 */
export function clusterSecretFrom(
  env: Env,
  sstPassword: Secret,
  clusterName: string,
): { secret: Secret; derivedFromSstPassword: boolean } {
  const given = readSecret(env, "GALERA_PILOT_CLUSTER_SECRET");
  if (given) return { secret: given, derivedFromSstPassword: false };
  const key = scryptSync(sstPassword.reveal(), `${context}\0${clusterName}`, 32, {
    N: 32_768,
    r: 8,
    p: 1,
    maxmem: 64 * 1024 * 1024,
  });
  return { secret: new Secret(key.toString("hex")), derivedFromSstPassword: true };
}
