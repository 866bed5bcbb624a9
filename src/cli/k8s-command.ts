/**
 * `galera-pilot k8s render` (docs/kubernetes.md): the manifests as YAML on stdout.
 */
import { stringify } from "yaml";

import { k8sFlagNames, k8sOptionsFromFlags } from "../deploy/kubernetes/k8s-options.js";
import { type K8sObject, renderManifests } from "../deploy/kubernetes/render-manifests.js";
import { BadInputError, ExitCode } from "../errors.js";
import { HelpRequested, isHelpFlag, parseCommandLine, type CommandGrammar } from "../options/command-line.js";

export const k8sUsage = `Kubernetes (docs/kubernetes.md):
  galera-pilot k8s render [--replicas N] [--image IMG] [--namespace NS] [--storage-class SC]
    [--storage 10Gi] [--name galera] [--secret-name NAME-secrets] [--haproxy-image IMG]
    [--cluster-domain cluster.local] [--env NAME=VALUE,…]      the manifests as YAML on stdout
  --env adds settings to every pod (e.g. GALERA_PILOT_BACKUP_DESTINATION, GALERA_PILOT_RESTORE_FROM);
  never a password or key: those come from the Secret`;

export const k8sRenderGrammar: CommandGrammar = { name: "k8s render", usage: k8sUsage, values: k8sFlagNames };

export function k8sCommand(argv: string[]): number {
  const [sub, ...rest] = argv;
  if (isHelpFlag(sub)) throw new HelpRequested(k8sUsage);
  if (sub !== "render") {
    throw new BadInputError(
      `${sub === undefined ? "k8s needs a subcommand" : `unknown subcommand "k8s ${sub}"`}: render`,
    );
  }
  const { flags } = parseCommandLine(k8sRenderGrammar, rest);
  process.stdout.write(manifestsToYaml(renderManifests(k8sOptionsFromFlags(flags))));
  return ExitCode.ok;
}

/** One YAML document per object, `---` between them, as `kubectl apply -f -` takes them. */
export function manifestsToYaml(objects: K8sObject[]): string {
  return objects.map((object) => stringify(object, { lineWidth: 0 })).join("---\n");
}
