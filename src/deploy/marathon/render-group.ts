/**
 * Renders the Marathon app group for a galera-pilot cluster. Pure.
 *
 * Seed layout (the 2015 post's galera.json, corrected): apps `seed` (1 instance, `seed`) and
 * `node` (0 instances, `node DISCOVERY-NAME`, depends on the seed). `deploy` starts the seed,
 * scales the nodes once it is healthy, and suspends the seed once a node is healthy.
 *
 * Auto layout: one app `galera`, N instances of `node DISCOVERY-NAME` and no seed: the agents
 * bootstrap a new cluster among themselves and recover it after any outage (docs/recovery.md).
 *
 * Both check `/` on the health port with `ignoreHttp1xx` (see docs/marathon.md, "Health checks"):
 * Marathon kills a task whose checks fail, so the check must fail only when a restart can help.
 * `/` answers 100 while a node prepares, waits for its peers or receives a state transfer
 * (ignored, however long), 200 once synced (Marathon's "healthy", which deployments wait for),
 * 503 when it fell out of the primary component or mariadbd is down.
 */
import type { MarathonApp, MarathonEnvValue, MarathonGroup, MarathonVolume } from "./marathon-types.js";
import type { MarathonRenderOptions } from "./render-options.js";

export const sqlPort = 3306;
export const healthPort = 8080;
/** Where the image's agent keeps the datadir (GALERA_PILOT_DATADIR's default). */
export const datadir = "/var/lib/mysql";
/** Files mode: where the agents' secret folder is mounted read-only. */
export const secretsMountPath = "/run/secrets/galera-pilot";
/** The relative sandbox path of the local persistent volume (Marathon wants one level, no slash). */
export const persistentVolumePath = "data";

/** The three secrets, the variable that carries each, and the key/file name used for it. */
export const secretNames = [
  { variable: "MYSQL_ROOT_PASSWORD", key: "mysql-root-password" },
  { variable: "XTRABACKUP_PASSWORD", key: "xtrabackup-password" },
  { variable: "GALERA_PILOT_CLUSTER_SECRET", key: "cluster-secret" },
] as const;

export interface RenderedApps {
  group: MarathonGroup;
  /** The app ids `deploy`, `scale` and `status` act on. */
  seedAppId: string | null;
  nodeAppId: string;
}

export function renderGroup(options: MarathonRenderOptions): RenderedApps {
  if (options.layout === "auto") {
    const nodeAppId = `${options.groupId}/galera`;
    const app = renderApp(options, { id: nodeAppId, role: "node", instances: options.nodes });
    return { group: { id: options.groupId, apps: [app] }, seedAppId: null, nodeAppId };
  }
  const seedAppId = `${options.groupId}/seed`;
  const nodeAppId = `${options.groupId}/node`;
  const seed = renderApp(options, { id: seedAppId, role: "seed", instances: 1 });
  // The post's order: the seed first, the nodes at 0 until the seed is healthy.
  const node = {
    ...renderApp(options, { id: nodeAppId, role: "node", instances: 0 }),
    dependencies: [seedAppId],
  };
  return { group: { id: options.groupId, apps: [seed, node] }, seedAppId, nodeAppId };
}

interface AppRole {
  id: string;
  role: "seed" | "node";
  instances: number;
}

function renderApp(options: MarathonRenderOptions, app: AppRole): MarathonApp {
  const persistent = options.persistentVolumeMiB !== null;
  const rendered: MarathonApp = {
    id: app.id,
    instances: app.instances,
    cpus: options.cpus,
    mem: options.mem,
    args: app.role === "seed" ? ["seed"] : ["node", options.discoveryName],
    container: {
      type: "DOCKER",
      docker: { image: options.image },
      portMappings: [
        { containerPort: sqlPort, hostPort: 0, protocol: "tcp", name: "mysql" },
        { containerPort: healthPort, hostPort: 0, protocol: "tcp", name: "health" },
      ],
      volumes: volumes(options),
    },
    networks: [{ mode: "container/bridge" }],
    env: { ...options.extraEnv, ...registratorEnv(options, app.role), ...secretEnv(options) },
    healthChecks: [
      {
        protocol: "HTTP",
        path: "/",
        portIndex: 1,
        gracePeriodSeconds: options.health.gracePeriodSeconds,
        intervalSeconds: options.health.intervalSeconds,
        maxConsecutiveFailures: options.health.maxConsecutiveFailures,
        ignoreHttp1xx: true,
      },
    ],
    upgradeStrategy: upgradeStrategy(app.role, persistent),
    maxLaunchDelaySeconds: 10,
    taskKillGracePeriodSeconds: options.killGraceSeconds,
  };
  if (options.secrets === "marathon") rendered.secrets = marathonSecrets(options);
  if (options.constraintHosts.length > 0) {
    rendered.constraints = [
      ["hostname", "UNIQUE"],
      ["hostname", "LIKE", options.constraintHosts.join("|")],
    ];
  } else if (options.hostVolume !== null || persistent) {
    // One datadir per agent: two tasks on one host would share a host volume.
    rendered.constraints = [["hostname", "UNIQUE"]];
  }
  if (persistent) {
    // A resident app: Marathon ≤1.9 reads `residency`, 1.4+ wants unreachable tasks never
    // replaced elsewhere (their data stays on the agent), so both are given.
    rendered.residency = { relaunchEscalationTimeoutSeconds: 3600, taskLostBehavior: "WAIT_FOREVER" };
    rendered.unreachableStrategy = "disabled";
  }
  return rendered;
}

function volumes(options: MarathonRenderOptions): MarathonVolume[] {
  const list: MarathonVolume[] = [];
  if (options.hostVolume !== null) {
    list.push({ containerPath: datadir, hostPath: options.hostVolume, mode: "RW" });
  }
  if (options.persistentVolumeMiB !== null) {
    // Marathon mounts a persistent volume at a one-level path of the sandbox; the documented way
    // to give it an absolute path is a second volume whose hostPath names the first one.
    list.push({ containerPath: datadir, hostPath: persistentVolumePath, mode: "RW" });
    list.push({
      containerPath: persistentVolumePath,
      mode: "RW",
      persistent: { size: options.persistentVolumeMiB },
    });
  }
  if (options.secrets === "files") {
    list.push({ containerPath: secretsMountPath, hostPath: options.secretsHostDir, mode: "RO" });
  }
  return list;
}

/**
 * Registrator (v7+) registers a two-port container as `NAME-3306` and `NAME-8080` unless told
 * per port: the SQL port gets the discovery name (`galera.service.consul` resolves to the nodes),
 * the health port `NAME-health`, both tagged with the role (`seed.galera.service.consul`).
 */
function registratorEnv(options: MarathonRenderOptions, role: "seed" | "node"): Record<string, string> {
  return {
    [`SERVICE_${sqlPort}_NAME`]: options.serviceName,
    [`SERVICE_${sqlPort}_TAGS`]: role,
    [`SERVICE_${healthPort}_NAME`]: `${options.serviceName}-health`,
    [`SERVICE_${healthPort}_TAGS`]: role,
  };
}

/** Passwords by reference only: Marathon secrets, or `_FILE` paths in a read-only host folder. */
function secretEnv(options: MarathonRenderOptions): Record<string, MarathonEnvValue> {
  const env: Record<string, MarathonEnvValue> = {};
  for (const { variable, key } of secretNames) {
    env[options.secrets === "marathon" ? variable : `${variable}_FILE`] =
      options.secrets === "marathon" ? { secret: key } : `${secretsMountPath}/${key}`;
  }
  return env;
}

function marathonSecrets(options: MarathonRenderOptions): Record<string, { source: string }> {
  const prefix = options.secretSourcePrefix.endsWith("/")
    ? options.secretSourcePrefix
    : `${options.secretSourcePrefix}/`;
  return Object.fromEntries(secretNames.map(({ key }) => [key, { source: `${prefix}${key}` }]));
}

/**
 * The seed never runs twice (a second seed with an empty datadir would found a second cluster):
 * 0 / 0 kills the old one before the new one starts. The nodes keep the post's 0.8 / 0.2. A local
 * persistent volume cannot be held by two tasks at once: Marathon requires at most 0.5 / 0.
 */
function upgradeStrategy(
  role: "seed" | "node",
  persistent: boolean,
): { minimumHealthCapacity: number; maximumOverCapacity: number } {
  if (role === "seed") return { minimumHealthCapacity: 0, maximumOverCapacity: 0 };
  return persistent
    ? { minimumHealthCapacity: 0.5, maximumOverCapacity: 0 }
    : { minimumHealthCapacity: 0.8, maximumOverCapacity: 0.2 };
}
