/** The options of `galera-pilot k8s render` and their defaults. */
import type { FlagReader } from "../../config/flag-reader.js";
import { parseExtraEnv } from "../../config/extra-env.js";

export interface K8sRenderOptions {
  /** Prefix of every object's name. */
  name: string;
  namespace: string;
  replicas: number;
  image: string;
  haproxyImage: string;
  /** null: the cluster's default StorageClass. */
  storageClass: string | null;
  /** A Kubernetes quantity, e.g. `10Gi`. */
  storage: string;
  /** The Secret holding `mysql-root-password`, `xtrabackup-password` and `cluster-secret`. */
  secretName: string;
  /** The cluster domain of Service DNS names (`cluster.local`). */
  clusterDomain: string;
  /** More settings for every pod (`--env`), e.g. GALERA_PILOT_BACKUP_DESTINATION; never a password. */
  extraEnv: Record<string, string>;
}

export const k8sFlagNames = [
  "name",
  "namespace",
  "replicas",
  "image",
  "haproxy-image",
  "storage-class",
  "storage",
  "secret-name",
  "cluster-domain",
  "env",
] as const;

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const matching =
  (pattern: RegExp) =>
  (text: string): string | undefined =>
    pattern.test(text) ? text : undefined;

export function k8sOptionsFromFlags(flags: FlagReader): K8sRenderOptions {
  const name = flags.string("name") ?? "galera";
  const namespace = flags.string("namespace") ?? "default";
  const secretName = flags.string("secret-name") ?? `${name}-secrets`;
  for (const [flag, value, max] of [
    ["name", name, 40],
    ["namespace", namespace, 63],
    ["secret-name", secretName, 63],
  ] as const) {
    if (!dnsLabel.test(value) || value.length > max) {
      throw flags.error(
        flag,
        `${JSON.stringify(value)} is not a DNS label of at most ${max} characters (lower case, digits, dashes)`,
      );
    }
  }
  const storage =
    flags.value(
      "storage",
      `a Kubernetes quantity, e.g. "10Gi"`,
      matching(/^\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/),
    ) ?? "10Gi";
  const storageClass =
    flags.value("storage-class", "a StorageClass name", matching(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/)) ?? null;
  const image = flags.string("image") ?? "galera-pilot:latest";
  // 3.1 brought `init-state`, which keeps a DNS-resolved server down until its check passes
  // (renderWriterHaproxyConfig); 3.2 is the long-term-support release that has it.
  const haproxyImage = flags.string("haproxy-image") ?? "haproxy:3.2";
  for (const [flag, value] of [
    ["image", image],
    ["haproxy-image", haproxyImage],
  ] as const) {
    if (value.trim() === "" || /\s/.test(value))
      throw flags.error(flag, `${JSON.stringify(value)} is not an image name`);
  }
  const clusterDomain =
    flags.value("cluster-domain", "a domain", matching(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/)) ??
    "cluster.local";
  return {
    name,
    namespace,
    replicas: flags.integer("replicas", 3, 1, 99),
    image,
    haproxyImage,
    storageClass,
    storage,
    secretName,
    clusterDomain,
    extraEnv: k8sExtraEnv(flags),
  };
}

/**
 * Whether an HAProxy image's tag names a release before 3.1, which lacks the `init-state`
 * server keyword (`haproxy:2.8`, `haproxytech/haproxy-alpine:3.0.5`). A tag without a version
 * (`latest`, a digest) is taken for a current release: such an HAProxy that is older refuses
 * the rendered config at its start, loudly, rather than run without the keyword.
 */
export function haproxyImageLacksInitState(image: string): boolean {
  const lastSegment = image.split("@")[0]!.split("/").pop() ?? "";
  const tag = /:(\d+)\.(\d+)/.exec(lastSegment);
  if (tag === null) return false;
  const [major, minor] = [Number(tag[1]), Number(tag[2])];
  return major < 3 || (major === 3 && minor < 1);
}

/** The variables the StatefulSet sets itself, from the pod and the options: `--env` cannot. */
const renderedVariables = [
  "GALERA_PILOT_NAME",
  "GALERA_PILOT_ADDRESS",
  "GALERA_PILOT_PEERS",
  "GALERA_PILOT_CLUSTER_NAME",
];

function k8sExtraEnv(flags: FlagReader): Record<string, string> {
  const env = parseExtraEnv(flags, "manifests; passwords come from the Secret (--secret-name) only");
  const taken = Object.keys(env).find((name) => renderedVariables.includes(name));
  if (taken) {
    throw flags.error(
      "env",
      `${taken} is set by the rendering itself (from the pod or --name); leave it out`,
    );
  }
  return env;
}
