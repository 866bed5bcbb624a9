/**
 * The part of Marathon's app and group definitions galera-pilot renders, typed after
 * `AppDefinition.json` / `Group.json` of Marathon v1.7.236 (the last release with JSON schemas;
 * copies in test/fixtures/marathon-reference/, with their provenance). Field names are
 * Marathon's, case included: the schema rejects `ignoreHttp1XX` and a string `hostPort`, and so
 * do these types.
 */

export interface MarathonGroup {
  id: string;
  apps?: MarathonApp[];
  groups?: MarathonGroup[];
  dependencies?: string[];
}

export interface MarathonPortMapping {
  containerPort: number;
  /** An integer: 0 asks Marathon for a port from the offer. The 2015 post's "0" is invalid. */
  hostPort: number;
  protocol: "tcp" | "udp" | "udp,tcp";
  name?: string;
  labels?: Record<string, string>;
}

export interface MarathonVolume {
  containerPath: string;
  mode: "RO" | "RW";
  hostPath?: string;
  /** A local persistent volume, size in MiB; pins the task to the agent that holds it. */
  persistent?: { size: number; type?: "root" | "path" | "mount" };
}

export interface MarathonHealthCheck {
  protocol: "HTTP" | "HTTPS" | "TCP" | "COMMAND" | "MESOS_HTTP" | "MESOS_HTTPS" | "MESOS_TCP";
  path?: string;
  portIndex?: number;
  gracePeriodSeconds: number;
  intervalSeconds: number;
  maxConsecutiveFailures: number;
  timeoutSeconds?: number;
  /** Marathon ignores 100–199 answers with this on (HTTP/HTTPS only): the seed's "still syncing". */
  ignoreHttp1xx?: boolean;
}

/** An environment value: a literal, or a reference to one of the app's `secrets`. */
export type MarathonEnvValue = string | { secret: string };

export interface MarathonApp {
  id: string;
  instances: number;
  cpus: number;
  mem: number;
  disk?: number;
  args: string[];
  container: {
    type: "DOCKER" | "MESOS";
    docker: { image: string; forcePullImage?: boolean };
    portMappings: MarathonPortMapping[];
    volumes: MarathonVolume[];
  };
  networks: { mode: "container" | "container/bridge" | "host"; name?: string }[];
  env: Record<string, MarathonEnvValue>;
  secrets?: Record<string, { source: string }>;
  labels?: Record<string, string>;
  constraints?: string[][];
  healthChecks: MarathonHealthCheck[];
  upgradeStrategy: { minimumHealthCapacity: number; maximumOverCapacity: number };
  residency?: {
    relaunchEscalationTimeoutSeconds?: number;
    taskLostBehavior?: "WAIT_FOREVER" | "RELAUNCH_AFTER_TIMEOUT";
  };
  unreachableStrategy?: "disabled" | { inactiveAfterSeconds: number; expungeAfterSeconds: number };
  maxLaunchDelaySeconds?: number;
  taskKillGracePeriodSeconds?: number;
  dependencies?: string[];
}

/** One task as `GET /v2/apps/{id}?embed=app.tasks` and `GET /v2/apps/{id}/tasks` show it. */
export interface MarathonTask {
  id: string;
  appId: string;
  host: string;
  state?: string;
  ports?: number[];
  ipAddresses?: { ipAddress: string; protocol?: string }[];
  healthCheckResults?: { alive: boolean; consecutiveFailures?: number; instanceId?: string }[];
  startedAt?: string;
}

/**
 * `GET /v2/groups/{id}` answers the group as Marathon holds it: what galera-pilot reads of it
 * (the instance count of each app), not the definition it renders (MarathonGroup), since a
 * group changed by hand in Marathon need not be one.
 */
export interface MarathonGroupInfo {
  id: string;
  apps?: MarathonAppInfo[];
}

/** `GET /v2/apps/{id}?embed=app.tasks` answers `{ app: … }`. */
export interface MarathonAppInfo {
  id: string;
  instances: number;
  tasksRunning?: number;
  tasksHealthy?: number;
  tasksStaged?: number;
  tasksUnhealthy?: number;
  deployments?: { id: string }[];
  tasks?: MarathonTask[];
}

/** One entry of `GET /v2/deployments`. */
export interface MarathonDeployment {
  id: string;
  version?: string;
  affectedApps?: string[];
  currentStep?: number;
  totalSteps?: number;
  currentActions?: { action: string; app?: string }[];
}

/** What a change (POST/PUT of a group or an app) answers. */
export interface MarathonDeploymentResult {
  deploymentId: string;
  version: string;
}

/** A task counts as healthy when it has health results and every one says alive. */
export function taskIsHealthy(task: MarathonTask): boolean {
  const results = task.healthCheckResults ?? [];
  return results.length > 0 && results.every((result) => result.alive);
}
