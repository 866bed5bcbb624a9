/**
 * `k8s render`: the objects' structure, and the YAML that carries them.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";

import type {
  V1ConfigMap,
  V1Deployment,
  V1PodDisruptionBudget,
  V1Service,
  V1StatefulSet,
} from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";

import { parseCommandLine } from "../../../../src/options/command-line.js";
import { k8sRenderGrammar, manifestsToYaml } from "../../../../src/cli/k8s-command.js";
import { k8sOptionsFromFlags, type K8sRenderOptions } from "../../../../src/deploy/kubernetes/k8s-options.js";
import {
  type K8sObject,
  renderManifests,
  renderWriterHaproxyConfig,
} from "../../../../src/deploy/kubernetes/render-manifests.js";
import { runToCompletion } from "../../../../src/process/child-exit.js";
import { BadInputError } from "../../../../src/errors.js";

function options(...argv: string[]): K8sRenderOptions {
  return k8sOptionsFromFlags(parseCommandLine(k8sRenderGrammar, argv).flags);
}

function find<T extends K8sObject>(objects: K8sObject[], kind: string, name: string): T {
  const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
  assert.ok(found, `${kind} ${name} among ${objects.map((o) => `${o.kind}/${o.metadata?.name}`).join(" ")}`);
  return found as T;
}

void describe("k8s render with the defaults", () => {
  const objects = renderManifests(options());
  const sts = find<V1StatefulSet>(objects, "StatefulSet", "galera");
  const pod = sts.spec?.template.spec;
  const container = pod?.containers[0];

  void it("renders a headless Service, read and write Services, HAProxy, the StatefulSet and a PDB", () => {
    assert.deepEqual(
      objects.map((o) => `${o.kind}/${o.metadata?.name}`),
      [
        "Service/galera",
        "Service/galera-read",
        "Service/galera-write",
        "ConfigMap/galera-haproxy",
        "Deployment/galera-haproxy",
        "StatefulSet/galera",
        "PodDisruptionBudget/galera",
      ],
    );
    for (const object of objects) assert.equal(object.metadata?.namespace, "default");
  });

  void it("starts every pod at once (Parallel), three replicas, one 10Gi claim each", () => {
    assert.equal(sts.spec?.podManagementPolicy, "Parallel");
    assert.equal(sts.spec?.replicas, 3);
    assert.equal(sts.spec?.serviceName, "galera");
    const claim = sts.spec?.volumeClaimTemplates?.[0];
    assert.equal(claim?.metadata?.name, "data");
    assert.deepEqual(claim?.spec?.accessModes, ["ReadWriteOnce"]);
    assert.equal(claim?.spec?.resources?.requests?.["storage"], "10Gi");
    assert.equal(claim?.spec?.storageClassName, undefined);
    assert.deepEqual(container?.volumeMounts, [{ name: "data", mountPath: "/var/lib/mysql" }]);
    assert.equal(pod?.terminationGracePeriodSeconds, 130);
  });

  void it("probes /live for startup and liveness, /ready for readiness, on port 8080", () => {
    assert.equal(container?.startupProbe?.httpGet?.path, "/live");
    assert.equal(container?.livenessProbe?.httpGet?.path, "/live");
    assert.equal(container?.readinessProbe?.httpGet?.path, "/ready");
    for (const probe of [container?.startupProbe, container?.livenessProbe, container?.readinessProbe]) {
      assert.equal(probe?.httpGet?.port, "health");
    }
    assert.equal(container?.ports?.find((p) => p.name === "health")?.containerPort, 8080);
  });

  void it("runs `node` with GALERA_PILOT_PEERS = the headless Service's DNS name", () => {
    assert.deepEqual(container?.args, ["node"]);
    const env = new Map(container?.env?.map((e) => [e.name, e]));
    assert.equal(env.get("GALERA_PILOT_PEERS")?.value, "galera.default.svc.cluster.local");
    assert.equal(env.get("GALERA_PILOT_ADDRESS")?.valueFrom?.fieldRef?.fieldPath, "status.podIP");
    assert.equal(env.get("GALERA_PILOT_NAME")?.valueFrom?.fieldRef?.fieldPath, "metadata.name");
  });

  void it("takes the three secrets from a Secret by reference, never by value", () => {
    const env = new Map(container?.env?.map((e) => [e.name, e]));
    for (const [variable, key] of [
      ["MYSQL_ROOT_PASSWORD", "mysql-root-password"],
      ["XTRABACKUP_PASSWORD", "xtrabackup-password"],
      ["GALERA_PILOT_CLUSTER_SECRET", "cluster-secret"],
    ] as const) {
      assert.deepEqual(env.get(variable), {
        name: variable,
        valueFrom: { secretKeyRef: { name: "galera-secrets", key } },
      });
    }
  });

  void it("publishes not-ready pods in the headless Service, so agents of a stopped cluster find each other", () => {
    const headless = find<V1Service>(objects, "Service", "galera");
    assert.equal(headless.spec?.clusterIP, "None");
    assert.equal(headless.spec?.publishNotReadyAddresses, true);
    assert.deepEqual(
      headless.spec?.ports?.map((p) => [p.name, p.port]),
      [
        ["mysql", 3306],
        ["galera", 4567],
        ["ist", 4568],
        ["sst", 4444],
        ["health", 8080],
      ],
    );
    assert.deepEqual(headless.spec?.selector, sts.spec?.selector.matchLabels);
  });

  void it("reads through a Service of the ready pods, writes through HAProxy checking /writer", () => {
    const read = find<V1Service>(objects, "Service", "galera-read");
    assert.deepEqual(read.spec?.selector, sts.spec?.selector.matchLabels);
    assert.equal(read.spec?.publishNotReadyAddresses, undefined);
    const write = find<V1Service>(objects, "Service", "galera-write");
    const haproxy = find<V1Deployment>(objects, "Deployment", "galera-haproxy");
    assert.deepEqual(write.spec?.selector, haproxy.spec?.selector.matchLabels);
    assert.notDeepEqual(write.spec?.selector, sts.spec?.selector.matchLabels);
    const config = find<V1ConfigMap>(objects, "ConfigMap", "galera-haproxy").data?.["haproxy.cfg"] ?? "";
    assert.match(config, /option httpchk GET \/writer/);
    // The same writer check timings as the rendered router's (docs/routing.md).
    assert.match(
      config,
      /^ {4}default-server inter 250 fastinter 250 downinter 250 rise 1 fall 2 on-marked-down shutdown-sessions$/m,
    );
    for (const i of [0, 1, 2]) {
      assert.match(
        config,
        new RegExp(
          `server galera-${i} galera-${i}\\.galera\\.default\\.svc\\.cluster\\.local:3306 check port 8080 resolvers cluster init-addr none init-state down$`,
          "m",
        ),
      );
    }
    // init-state needs HAProxy 3.1: the default image is one.
    assert.equal(haproxy.spec?.template.spec?.containers[0]?.image, "haproxy:3.2");
    assert.equal(haproxy.spec?.template.spec?.volumes?.[0]?.configMap?.name, "galera-haproxy");
  });

  void it("lets at most one pod be evicted at a time", () => {
    const pdb = find<V1PodDisruptionBudget>(objects, "PodDisruptionBudget", "galera");
    assert.equal(pdb.apiVersion, "policy/v1");
    assert.equal(pdb.spec?.maxUnavailable, 1);
    assert.deepEqual(pdb.spec?.selector?.matchLabels, sts.spec?.selector.matchLabels);
  });
});

void describe("k8s render options and YAML", () => {
  void it("applies replicas, image, namespace, storage class and size", () => {
    const objects = renderManifests(
      options(
        "--replicas",
        "5",
        "--image",
        "reg/galera-pilot:1",
        "--namespace",
        "db",
        "--storage-class",
        "fast",
        "--storage",
        "50Gi",
      ),
    );
    const sts = find<V1StatefulSet>(objects, "StatefulSet", "galera");
    assert.equal(sts.spec?.replicas, 5);
    assert.equal(sts.metadata?.namespace, "db");
    assert.equal(sts.spec?.template.spec?.containers[0]?.image, "reg/galera-pilot:1");
    assert.equal(sts.spec?.volumeClaimTemplates?.[0]?.spec?.storageClassName, "fast");
    assert.equal(sts.spec?.volumeClaimTemplates?.[0]?.spec?.resources?.requests?.["storage"], "50Gi");
    const env = sts.spec?.template.spec?.containers[0]?.env?.find((e) => e.name === "GALERA_PILOT_PEERS");
    assert.equal(env?.value, "galera.db.svc.cluster.local");
    const config = find<V1ConfigMap>(objects, "ConfigMap", "galera-haproxy").data?.["haproxy.cfg"] ?? "";
    assert.match(config, /server galera-4 galera-4\.galera\.db\.svc\.cluster\.local:3306/);
  });

  void it("keeps a pod's server down until its /writer check passes, with HAProxy 3.1 or later only", () => {
    const configWith = (image: string): string =>
      find<V1ConfigMap>(renderManifests(options("--haproxy-image", image)), "ConfigMap", "galera-haproxy")
        .data?.["haproxy.cfg"] ?? "";
    for (const image of [
      "haproxy:3.1",
      "haproxy:3.2.4-alpine",
      "reg:5000/haproxy:3.3",
      "haproxy",
      "haproxy:lts",
    ]) {
      const config = configWith(image);
      assert.equal((config.match(/ init-state down$/gm) ?? []).length, 3, image);
      assert.doesNotMatch(config, /predates/, image);
    }
    for (const image of ["haproxy:2.8", "haproxy:3.0.5-alpine", "reg:5000/haproxytech/haproxy-debian:2.6"]) {
      const config = configWith(image);
      assert.doesNotMatch(config, /^ {4}server .*init-state/m, image);
      assert.match(
        config,
        /^# .* predates HAProxy 3\.1's init-state: a pod whose name resolves again$/m,
        image,
      );
    }
  });

  void it("renders a writer config the real haproxy -c accepts (Debian's 2.6 here, so without 3.1's init-state)", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "gp-k8s-haproxy-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, "haproxy.cfg");
    const older = renderWriterHaproxyConfig(options("--haproxy-image", "haproxy:2.6"));
    writeFileSync(path, older);
    const check = await runToCompletion("haproxy", ["-c", "-f", path]);
    assert.equal(check.exitCode, 0, check.stderr + check.stdout);
    // The default config differs by the keyword alone: a 3.1 binary is not available here.
    const current = renderWriterHaproxyConfig(options());
    const withoutKeyword = current.replaceAll(" init-state down\n", "\n");
    assert.equal(
      withoutKeyword,
      older
        .split("\n")
        .filter((line) => !line.includes("predates") && !line.includes("counts as UP"))
        .join("\n"),
    );
  });

  void it("writes one YAML document per object that reads back to the same objects", () => {
    const objects = renderManifests(options());
    const yaml = manifestsToYaml(objects);
    const documents = parseAllDocuments(yaml);
    assert.equal(documents.length, objects.length);
    assert.deepEqual(
      documents.map((d) => d.toJS() as unknown),
      JSON.parse(JSON.stringify(objects)),
    );
    assert.match(yaml, /^kind: StatefulSet$/m);
    assert.doesNotMatch(yaml, /password:\s*\S/i);
  });

  void it("adds --env settings to every pod after its own, e.g. a backup destination and a restore", () => {
    const objects = renderManifests(
      options(
        "--env",
        "GALERA_PILOT_BACKUP_DESTINATION=s3://backups/galera,GALERA_PILOT_RESTORE_FROM=20261206T210000Z-n2",
      ),
    );
    const env =
      find<V1StatefulSet>(objects, "StatefulSet", "galera").spec?.template.spec?.containers[0]?.env ?? [];
    assert.deepEqual(env.slice(-2), [
      { name: "GALERA_PILOT_BACKUP_DESTINATION", value: "s3://backups/galera" },
      { name: "GALERA_PILOT_RESTORE_FROM", value: "20261206T210000Z-n2" },
    ]);
  });

  void it("refuses bad flags in one line", () => {
    for (const [argv, message] of [
      [["--replicas", "0"], /--replicas "0" is not a whole number from 1 to 99/],
      [["--namespace", "Prod"], /--namespace "Prod" is not a DNS label/],
      [["--storage", "10GB"], /--storage "10GB" is not a Kubernetes quantity/],
      [["--storage-class", "Fast_SSD"], /--storage-class "Fast_SSD"/],
      [["--image", "a b"], /--image "a b" is not an image name/],
      [["--env", "GALERA_PILOT_PEERS=x"], /GALERA_PILOT_PEERS is set by the rendering itself/],
      [["--env", "XTRABACKUP_PASSWORD=x"], /XTRABACKUP_PASSWORD would put a password into the manifests/],
      [["--env", "GALERA_PILOT_S3_SECRET_ACCESS_KEY_FILE=/k"], /would put a password into the manifests/],
      [["--env", "lower=x"], /item "lower=x" is not NAME=VALUE/],
    ] as const) {
      assert.throws(
        () => options(...argv),
        (error: unknown) =>
          error instanceof BadInputError && message.test(error.message) && !error.message.includes("\n"),
      );
    }
  });
});
