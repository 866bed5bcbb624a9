/**
 * The options of `galera-pilot marathon render|deploy|scale|status`, and their defaults. The
 * health-check defaults are the 2015 post's (grace 30 s, every 5 s, 6 failures).
 */
import type { FlagReader } from "../../config/flag-reader.js";
import { parseExtraEnv } from "../../config/extra-env.js";

export type MarathonLayout = "seed" | "auto";
export type SecretsMode = "marathon" | "files";

export interface MarathonRenderOptions {
  layout: MarathonLayout;
  /** The group's absolute id, e.g. `/galera`. */
  groupId: string;
  image: string;
  /** Auto layout: the app's instances. Seed layout: the node count `deploy` scales to. */
  nodes: number;
  cpus: number;
  mem: number;
  /** What `node` is given to find its peers (the post's `galera.service.dc1.consul`). */
  discoveryName: string;
  /** Registrator's name for the SQL port; the health port is `NAME-health`. */
  serviceName: string;
  health: { gracePeriodSeconds: number; intervalSeconds: number; maxConsecutiveFailures: number };
  /** `["hostname","UNIQUE"]` and `["hostname","LIKE","h1|h2"]`, when given. */
  constraintHosts: string[];
  hostVolume: string | null;
  /** A local persistent volume of this many MiB, or null. */
  persistentVolumeMiB: number | null;
  secrets: SecretsMode;
  /** Marathon mode: the secret store path prefix, e.g. `/galera/` → `/galera/mysql-root-password`. */
  secretSourcePrefix: string;
  /** Files mode: the agents' folder holding the three password files. */
  secretsHostDir: string;
  /** Seconds between Marathon's SIGTERM and SIGKILL: the agent's drain plus mariadbd's stop. */
  killGraceSeconds: number;
  /** Extra `NAME=VALUE` settings for every task (GALERA_PILOT_*), never a password. */
  extraEnv: Record<string, string>;
}

export const renderFlagNames = [
  "layout",
  "id",
  "image",
  "nodes",
  "cpus",
  "mem",
  "discovery-name",
  "service-name",
  "health-grace",
  "health-interval",
  "health-failures",
  "constraint-hosts",
  "host-volume",
  "persistent-volume-size",
  "secrets",
  "secret-source-prefix",
  "secrets-host-dir",
  "kill-grace",
  "env",
] as const;

export const defaultRenderOptions: Omit<MarathonRenderOptions, "layout"> = {
  groupId: "/galera",
  image: "galera-pilot:latest",
  nodes: 3,
  cpus: 1,
  mem: 1024,
  discoveryName: "galera.service.consul",
  serviceName: "galera",
  health: { gracePeriodSeconds: 30, intervalSeconds: 5, maxConsecutiveFailures: 6 },
  constraintHosts: [],
  hostVolume: null,
  persistentVolumeMiB: null,
  secrets: "marathon",
  secretSourcePrefix: "/galera/",
  secretsHostDir: "/etc/galera-pilot/secrets",
  // The agent drains for 3 s, then gives mariadbd 120 s to leave the cluster (docs/cli.md).
  killGraceSeconds: 130,
  extraEnv: {},
};

const pathSegment = /^(\.\.|[a-z0-9][a-z0-9.-]*[a-z0-9]|[a-z0-9])$/;

const groupId = (text: string): string | undefined =>
  text.startsWith("/") &&
  text !== "/" &&
  text
    .slice(1)
    .split("/")
    .every((s) => pathSegment.test(s))
    ? text
    : undefined;
const absolutePath = (text: string): string | undefined => (text.startsWith("/") ? text : undefined);
const hostNames = (text: string): string[] | undefined => {
  const hosts = text.split(",").map((h) => h.trim());
  return hosts.every((host) => /^[A-Za-z0-9.-]+$/.test(host)) ? hosts : undefined;
};

export function renderOptionsFromFlags(flags: FlagReader, layoutRequired = true): MarathonRenderOptions {
  const d = defaultRenderOptions;
  const layout = layoutRequired
    ? flags.choice<MarathonLayout>("layout", ["seed", "auto"])
    : flags.choice<MarathonLayout>("layout", ["seed", "auto"], "seed");
  const id =
    flags.value(
      "id",
      `an absolute Marathon group id; give lower-case names, digits, dots and dashes after a slash, e.g. "/galera" (not the root group "/")`,
      groupId,
    ) ?? d.groupId;
  const hostVolume = flags.value("host-volume", "an absolute path on the agents", absolutePath) ?? null;
  const persistent = flags.has("persistent-volume-size")
    ? flags.integer("persistent-volume-size", 0, 1)
    : null;
  if (hostVolume !== null && persistent !== null) {
    throw flags.error("host-volume", "and --persistent-volume-size both give the datadir; choose one");
  }
  const constraintHosts =
    flags.value(
      "constraint-hosts",
      `a comma-separated list of host names, e.g. "host1,host2,host3"`,
      hostNames,
    ) ?? [];
  const secretsHostDir =
    flags.value("secrets-host-dir", "an absolute path", absolutePath) ?? d.secretsHostDir;
  return {
    layout,
    groupId: id,
    image: nonEmpty(flags, "image", d.image),
    nodes: flags.integer("nodes", d.nodes, 1, 99),
    cpus: flags.number("cpus", d.cpus, 0.01, 1024),
    mem: flags.integer("mem", d.mem, 256),
    discoveryName: nonEmpty(flags, "discovery-name", d.discoveryName),
    serviceName:
      flags.value("service-name", `a DNS label (lower case, digits, dashes), e.g. "galera"`, (text) =>
        /^[a-z][a-z0-9-]*$/.test(text) ? text : undefined,
      ) ?? d.serviceName,
    health: {
      gracePeriodSeconds: flags.integer("health-grace", d.health.gracePeriodSeconds, 0),
      intervalSeconds: flags.integer("health-interval", d.health.intervalSeconds, 1),
      maxConsecutiveFailures: flags.integer("health-failures", d.health.maxConsecutiveFailures, 0),
    },
    constraintHosts,
    hostVolume,
    persistentVolumeMiB: persistent,
    secrets: flags.choice<SecretsMode>("secrets", ["marathon", "files"], d.secrets),
    secretSourcePrefix: nonEmpty(flags, "secret-source-prefix", d.secretSourcePrefix),
    secretsHostDir,
    killGraceSeconds: flags.integer("kill-grace", d.killGraceSeconds, 0),
    extraEnv: parseExtraEnv(
      flags,
      "app definition; passwords come by reference only (--secrets marathon|files)",
    ),
  };
}

function nonEmpty(flags: FlagReader, name: string, fallback: string): string {
  const value = flags.string(name) ?? fallback;
  if (value.trim() === "") throw flags.error(name, "is empty");
  return value;
}
