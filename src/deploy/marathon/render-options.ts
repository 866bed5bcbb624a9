/**
 * The options of `galera-pilot marathon render|deploy|scale|status`, and their defaults. The
 * health-check defaults are the 2015 post's (grace 30 s, every 5 s, 6 failures).
 */
import { BadInputError } from "../../errors.js";
import type { Flags } from "../flags.js";

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

/** The variables that carry passwords: they may only come by reference. */
const secretVariables = [
  "MYSQL_ROOT_PASSWORD",
  "XTRABACKUP_PASSWORD",
  "GALERA_PILOT_CLUSTER_SECRET",
  "MYSQL_PASSWORD",
];

const pathSegment = /^(\.\.|[a-z0-9][a-z0-9.-]*[a-z0-9]|[a-z0-9])$/;

export function renderOptionsFromFlags(
  command: string,
  flags: Flags,
  layoutRequired = true,
): MarathonRenderOptions {
  const d = defaultRenderOptions;
  const layout = layoutRequired
    ? flags.choice<MarathonLayout>("layout", ["seed", "auto"])
    : flags.choice<MarathonLayout>("layout", ["seed", "auto"], "seed");
  const groupId = flags.string("id") ?? d.groupId;
  if (
    !groupId.startsWith("/") ||
    groupId === "/" ||
    !groupId
      .slice(1)
      .split("/")
      .every((s) => pathSegment.test(s))
  ) {
    throw new BadInputError(
      `${command}: --id ${JSON.stringify(groupId)} is not an absolute Marathon group id; ` +
        `give lower-case names, digits, dots and dashes after a slash, e.g. "/galera" (not the root group "/")`,
    );
  }
  const hostVolume = flags.string("host-volume") ?? null;
  if (hostVolume !== null && !hostVolume.startsWith("/")) {
    throw new BadInputError(
      `${command}: --host-volume ${JSON.stringify(hostVolume)} is not an absolute path on the agents`,
    );
  }
  const persistent = flags.has("persistent-volume-size")
    ? flags.integer("persistent-volume-size", 0, 1)
    : null;
  if (hostVolume !== null && persistent !== null) {
    throw new BadInputError(
      `${command}: --host-volume and --persistent-volume-size both give the datadir; choose one`,
    );
  }
  const constraintText = flags.string("constraint-hosts");
  const constraintHosts = constraintText === undefined ? [] : constraintText.split(",").map((h) => h.trim());
  if (constraintHosts.some((host) => !/^[A-Za-z0-9.-]+$/.test(host))) {
    throw new BadInputError(
      `${command}: --constraint-hosts ${JSON.stringify(constraintText)} is not a comma-separated list of host names, e.g. "host1,host2,host3"`,
    );
  }
  const secretsHostDir = flags.string("secrets-host-dir") ?? d.secretsHostDir;
  if (!secretsHostDir.startsWith("/")) {
    throw new BadInputError(
      `${command}: --secrets-host-dir ${JSON.stringify(secretsHostDir)} is not an absolute path`,
    );
  }
  const prefix = flags.string("secret-source-prefix") ?? d.secretSourcePrefix;
  return {
    layout,
    groupId,
    image: nonEmpty(command, "image", flags.string("image") ?? d.image),
    nodes: flags.integer("nodes", d.nodes, 1, 99),
    cpus: flags.number("cpus", d.cpus, 0.01, 1024),
    mem: flags.integer("mem", d.mem, 256),
    discoveryName: nonEmpty(command, "discovery-name", flags.string("discovery-name") ?? d.discoveryName),
    serviceName: registratorName(command, flags.string("service-name") ?? d.serviceName),
    health: {
      gracePeriodSeconds: flags.integer("health-grace", d.health.gracePeriodSeconds, 0),
      intervalSeconds: flags.integer("health-interval", d.health.intervalSeconds, 1),
      maxConsecutiveFailures: flags.integer("health-failures", d.health.maxConsecutiveFailures, 0),
    },
    constraintHosts,
    hostVolume,
    persistentVolumeMiB: persistent,
    secrets: flags.choice<SecretsMode>("secrets", ["marathon", "files"], d.secrets),
    secretSourcePrefix: nonEmpty(command, "secret-source-prefix", prefix),
    secretsHostDir,
    killGraceSeconds: flags.integer("kill-grace", d.killGraceSeconds, 0),
    extraEnv: parseExtraEnv(command, flags.string("env")),
  };
}

function nonEmpty(command: string, flag: string, value: string): string {
  if (value.trim() === "") throw new BadInputError(`${command}: --${flag} is empty`);
  return value;
}

function registratorName(command: string, name: string): string {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) {
    throw new BadInputError(
      `${command}: --service-name ${JSON.stringify(name)} is not a DNS label (lower case, digits, dashes), e.g. "galera"`,
    );
  }
  return name;
}

/** `NAME=VALUE,NAME=VALUE`; a password variable is refused: it would be inlined in the JSON. */
function parseExtraEnv(command: string, text: string | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  if (text === undefined) return env;
  for (const item of text.split(",")) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(item.trim());
    if (!match) {
      throw new BadInputError(`${command}: --env item ${JSON.stringify(item)} is not NAME=VALUE`);
    }
    const [, name = "", value = ""] = match;
    if (secretVariables.some((secret) => name === secret || name === `${secret}_FILE`)) {
      throw new BadInputError(
        `${command}: --env ${name} would put a password into the app definition; ` +
          `passwords come by reference only (--secrets marathon|files)`,
      );
    }
    env[name] = value;
  }
  return env;
}
