/**
 * Renders the Kubernetes objects of a galera-pilot cluster. Pure; typed with the official
 * client's model types (@kubernetes/client-node, types only: nothing of it runs).
 *
 * - StatefulSet `NAME`: `node` with GALERA_PILOT_PEERS = the headless Service's name, Parallel pod
 *   management (after a total outage every pod must come back at once: the agents wait until
 *   every member reported before choosing who bootstraps; OrderedReady would wait for pod 0 to be
 *   ready first, which it cannot be alone), one PersistentVolumeClaim per pod.
 * - Probes: startup and liveness on `/live` (the agent answers: a node in a long SST or waiting
 *   for its peers is not killed), readiness on `/ready` (Synced, Primary, writable).
 * - Service `NAME` (headless, `publishNotReadyAddresses`): the peers' DNS name. Not-ready pods
 *   must be in it: the agents of a cluster that is down find each other through it.
 * - Service `NAME-read`: every ready pod (reads, balanced by kube-proxy).
 * - Service `NAME-write` → Deployment `NAME-haproxy` checking `/writer`: a Service selects by
 *   labels and one readiness probe, so it cannot express "the single elected writer"; HAProxy
 *   can, as in the local cluster (docs/kubernetes.md).
 * - PodDisruptionBudget: at most one pod evicted at a time (a drain never takes the quorum).
 */
import type {
  V1ConfigMap,
  V1Container,
  V1Deployment,
  V1EnvVar,
  V1PodDisruptionBudget,
  V1Service,
  V1StatefulSet,
} from "@kubernetes/client-node";

import { haproxyImageLacksInitState, type K8sRenderOptions } from "./k8s-options.js";
import { defaultCheckTimings, defaultServerLine } from "../../router/haproxy-config.js";

export const ports = { mysql: 3306, galera: 4567, ist: 4568, sst: 4444, health: 8080 } as const;
/** The agent drains 3 s, then gives mariadbd 120 s to leave the cluster (docs/cli.md). */
export const terminationGraceSeconds = 130;

export type K8sObject = V1Service | V1StatefulSet | V1PodDisruptionBudget | V1ConfigMap | V1Deployment;

export const secretKeys = [
  { variable: "MYSQL_ROOT_PASSWORD", key: "mysql-root-password" },
  { variable: "XTRABACKUP_PASSWORD", key: "xtrabackup-password" },
  { variable: "GALERA_PILOT_CLUSTER_SECRET", key: "cluster-secret" },
] as const;

export function renderManifests(options: K8sRenderOptions): K8sObject[] {
  return [
    headlessService(options),
    readService(options),
    writeService(options),
    haproxyConfigMap(options),
    haproxyDeployment(options),
    statefulSet(options),
    podDisruptionBudget(options),
  ];
}

/** The peers' DNS name: one A record per pod, ready or not. */
export function peersName(options: K8sRenderOptions): string {
  return `${options.name}.${options.namespace}.svc.${options.clusterDomain}`;
}

function labels(options: K8sRenderOptions, component: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": "galera-pilot",
    "app.kubernetes.io/instance": options.name,
    "app.kubernetes.io/component": component,
  };
}

function metadata(
  options: K8sRenderOptions,
  name: string,
  component: string,
): { name: string; namespace: string; labels: Record<string, string> } {
  return { name, namespace: options.namespace, labels: labels(options, component) };
}

function headlessService(options: K8sRenderOptions): V1Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: metadata(options, options.name, "database"),
    spec: {
      clusterIP: "None",
      publishNotReadyAddresses: true,
      selector: labels(options, "database"),
      ports: Object.entries(ports).map(([name, port]) => ({ name, port, targetPort: name, protocol: "TCP" })),
    },
  };
}

function readService(options: K8sRenderOptions): V1Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: metadata(options, `${options.name}-read`, "database"),
    spec: {
      type: "ClusterIP",
      selector: labels(options, "database"),
      ports: [{ name: "mysql", port: ports.mysql, targetPort: "mysql", protocol: "TCP" }],
    },
  };
}

function writeService(options: K8sRenderOptions): V1Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: metadata(options, `${options.name}-write`, "router"),
    spec: {
      type: "ClusterIP",
      selector: labels(options, "router"),
      ports: [{ name: "mysql", port: ports.mysql, targetPort: "mysql", protocol: "TCP" }],
    },
  };
}

/**
 * HAProxy for writes only: every pod's stable name, checked on `/writer`; the agents elect one
 * writer, so every HAProxy replica sends writes to the same pod. Names resolve at run time
 * (`resolvers`, `init-addr none`): pods may not exist yet when HAProxy starts.
 *
 * `init-state down` (HAProxy 3.1 and later): a server starts DOWN, and is DOWN again whenever
 * its name resolves anew (a pod started or moved), until its `/writer` check answers 200.
 * Without it HAProxy takes such a server for UP until its first check fails — for that moment
 * a second writer. An older image gets the config without the keyword, and says why in it.
 */
export function renderWriterHaproxyConfig(options: K8sRenderOptions): string {
  const lacksInitState = haproxyImageLacksInitState(options.haproxyImage);
  const servers = Array.from({ length: options.replicas }, (_, i) => {
    const host = `${options.name}-${i}.${peersName(options)}`;
    return `    server ${options.name}-${i} ${host}:${ports.mysql} check port ${ports.health} resolvers cluster init-addr none${lacksInitState ? "" : " init-state down"}`;
  });
  return [
    "# Rendered by galera-pilot k8s render; writes go to the node whose /writer answers 200.",
    ...(lacksInitState
      ? [
          `# ${options.haproxyImage} predates HAProxy 3.1's init-state: a pod whose name resolves again`,
          "# counts as UP until its first /writer check fails (up to 250 ms: a second writer).",
        ]
      : []),
    "global",
    "    maxconn 2000",
    "",
    "resolvers cluster",
    "    parse-resolv-conf",
    "    hold valid 5s",
    "",
    "defaults",
    "    mode tcp",
    "    timeout connect 3s",
    "    timeout client 1h",
    "    timeout server 1h",
    "    timeout check 1s",
    "",
    "frontend galera_writer",
    `    bind :${ports.mysql}`,
    "    default_backend galera_writer",
    "",
    "backend galera_writer",
    "    option httpchk GET /writer",
    "    http-check expect status 200",
    defaultServerLine(defaultCheckTimings.writer),
    ...servers,
    "",
  ].join("\n");
}

function haproxyConfigMap(options: K8sRenderOptions): V1ConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: metadata(options, `${options.name}-haproxy`, "router"),
    data: { "haproxy.cfg": renderWriterHaproxyConfig(options) },
  };
}

function haproxyDeployment(options: K8sRenderOptions): V1Deployment {
  const container: V1Container = {
    name: "haproxy",
    image: options.haproxyImage,
    args: ["-f", "/usr/local/etc/haproxy/haproxy.cfg"],
    ports: [{ name: "mysql", containerPort: ports.mysql, protocol: "TCP" }],
    readinessProbe: { tcpSocket: { port: "mysql" }, periodSeconds: 5 },
    volumeMounts: [{ name: "config", mountPath: "/usr/local/etc/haproxy", readOnly: true }],
  };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: metadata(options, `${options.name}-haproxy`, "router"),
    spec: {
      replicas: 2,
      selector: { matchLabels: labels(options, "router") },
      template: {
        metadata: { labels: labels(options, "router") },
        spec: {
          containers: [container],
          volumes: [{ name: "config", configMap: { name: `${options.name}-haproxy` } }],
        },
      },
    },
  };
}

function statefulSet(options: K8sRenderOptions): V1StatefulSet {
  const env: V1EnvVar[] = [
    { name: "GALERA_PILOT_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
    { name: "GALERA_PILOT_ADDRESS", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
    { name: "GALERA_PILOT_PEERS", value: peersName(options) },
    { name: "GALERA_PILOT_CLUSTER_NAME", value: options.name },
    // Passwords by reference: the Secret's values never appear in these manifests.
    ...secretKeys.map(({ variable, key }): V1EnvVar => ({
      name: variable,
      valueFrom: { secretKeyRef: { name: options.secretName, key } },
    })),
  ];
  // --env (k8s-options.ts refuses the names above): backups, GALERA_PILOT_RESTORE_FROM, …
  for (const [name, value] of Object.entries(options.extraEnv)) env.push({ name, value });
  const http = (path: string): { httpGet: { path: string; port: string } } => ({
    httpGet: { path, port: "health" },
  });
  const container: V1Container = {
    name: "galera",
    image: options.image,
    args: ["node"],
    env,
    ports: Object.entries(ports).map(([name, containerPort]) => ({ name, containerPort, protocol: "TCP" })),
    // Up to 10 minutes to prepare, recover and wait for peers before liveness applies.
    startupProbe: { ...http("/live"), periodSeconds: 10, failureThreshold: 60, timeoutSeconds: 3 },
    livenessProbe: { ...http("/live"), periodSeconds: 10, failureThreshold: 6, timeoutSeconds: 3 },
    readinessProbe: { ...http("/ready"), periodSeconds: 2, failureThreshold: 2, timeoutSeconds: 2 },
    volumeMounts: [{ name: "data", mountPath: "/var/lib/mysql" }],
  };
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: metadata(options, options.name, "database"),
    spec: {
      serviceName: options.name,
      replicas: options.replicas,
      podManagementPolicy: "Parallel",
      updateStrategy: { type: "RollingUpdate" },
      selector: { matchLabels: labels(options, "database") },
      template: {
        metadata: { labels: labels(options, "database") },
        spec: {
          terminationGracePeriodSeconds: terminationGraceSeconds,
          containers: [container],
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  podAffinityTerm: {
                    topologyKey: "kubernetes.io/hostname",
                    labelSelector: { matchLabels: labels(options, "database") },
                  },
                },
              ],
            },
          },
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: "data", labels: labels(options, "database") },
          spec: {
            accessModes: ["ReadWriteOnce"],
            ...(options.storageClass === null ? {} : { storageClassName: options.storageClass }),
            resources: { requests: { storage: options.storage } },
          },
        },
      ],
    },
  };
}

function podDisruptionBudget(options: K8sRenderOptions): V1PodDisruptionBudget {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: metadata(options, options.name, "database"),
    spec: { maxUnavailable: 1, selector: { matchLabels: labels(options, "database") } },
  };
}
