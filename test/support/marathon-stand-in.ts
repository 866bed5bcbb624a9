/**
 * A STAND-IN for Marathon's REST API, for tests: no real Marathon (nor Mesos) can run here, and
 * both are archived. It is an HTTP server on a 127.0.40.x loopback address that:
 *
 * - validates every group it is sent (POST /v2/groups, PUT /v2/groups/{id}) with Marathon's own
 *   JSON schema (v1.7.236 Group.json + AppDefinition.json, test/support/marathon-schema.ts), and
 *   every app update (PUT /v2/apps/{id}) with AppDefinition.json as an AppUpdate (every field
 *   optional), and answers 422 with Marathon's `{message, details: [{path, errors}]}` when it fails;
 * - answers in the shapes of the v1.10.26 RAML examples (examples/deployments_result.json,
 *   deployments.json, app_tasks.json, tasks.json, group.json, and app_list.json's app for
 *   GET /v2/apps/{id}, wrapped in `{"app": …}` as Marathon's AppsResource answers; 409 and 422
 *   bodies from groups.raml/apps.raml), with Marathon's defaults (types/app.raml) for the app
 *   fields a definition leaves out;
 * - plays the cluster: each deployment scales the apps' tasks; a task gets an alive health result
 *   `healthyAfterMs` after it starts; a deployment leaves /v2/deployments when every task of its
 *   apps is healthy (as Marathon's deployments wait for health checks).
 *
 * What it does not do: Mesos offers, constraints, volumes, health checks against real ports,
 * the /v2/events stream, authentication. It is a stand-in for Marathon's API contract only.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import type { ValidateFunction } from "ajv-draft-04";

import { compileAppUpdateSchema, compileGroupSchema, marathonDetails } from "./marathon-schema.js";

export interface StandInOptions {
  /** A 127.0.40.x address. */
  address: string;
  /** How long a started task waits before its health check says alive (-1: never). */
  healthyAfterMs?: number;
  /** Deployments never finish (to test 409 and --force). */
  holdDeployments?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
}

interface StandInTask {
  id: string;
  appId: string;
  host: string;
  ports: number[];
  ipAddresses: { ipAddress: string; protocol: string }[];
  slaveId: string;
  stagedAt: string;
  startedAt: string;
  version: string;
  state: string;
  region: string;
  zone: string;
  role: string;
  healthCheckResults?: {
    alive: boolean;
    consecutiveFailures: number;
    firstSuccess: string;
    instanceId: string;
    lastSuccess: string;
  }[];
  startedAtMs: number;
  /** Set by a test: this task's health is forced. */
  forcedAlive?: boolean;
}

interface StandInApp {
  definition: Record<string, unknown> & { id: string; instances: number };
  /** The last change of any kind (Marathon's versionInfo.lastScalingAt). */
  version: string;
  /** The last change other than scaling (versionInfo.lastConfigChangeAt). */
  configChangedAt: string;
  tasks: StandInTask[];
}

/**
 * Marathon's defaults for the app fields the RAML examples show (types/app.raml `default:`; the
 * unset optional ones are null in examples/app_list.json). `ports` and `uris` are derived.
 */
const appDefaults: Record<string, unknown> = {
  cmd: null,
  args: null,
  user: null,
  env: {},
  instances: 1,
  cpus: 1,
  mem: 128,
  disk: 0,
  executor: "",
  constraints: [],
  requirePorts: false,
  backoffSeconds: 1,
  backoffFactor: 1.15,
  maxLaunchDelaySeconds: 300,
  container: null,
  healthChecks: [],
  dependencies: [],
  upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 1 },
  labels: {},
  acceptedResourceRoles: null,
};

interface StandInDeployment {
  id: string;
  version: string;
  affectedApps: string[];
}

export class MarathonStandIn {
  readonly requests: RecordedRequest[] = [];
  readonly groups = new Map<string, { id: string; version: string; appIds: string[] }>();
  readonly apps = new Map<string, StandInApp>();
  readonly deployments: StandInDeployment[] = [];
  holdDeployments: boolean;
  healthyAfterMs: number;
  #server: Server | null = null;
  #ticker: NodeJS.Timeout | null = null;
  #validate: ValidateFunction;
  #validateAppUpdate: ValidateFunction;
  #taskCount = 0;
  readonly #address: string;

  constructor(options: StandInOptions) {
    if (!/^127\.0\.40\.\d+$/.test(options.address))
      throw new Error("the Marathon stand-in listens on 127.0.40.x only");
    this.#address = options.address;
    this.healthyAfterMs = options.healthyAfterMs ?? 30;
    this.holdDeployments = options.holdDeployments ?? false;
    this.#validate = compileGroupSchema();
    this.#validateAppUpdate = compileAppUpdateSchema();
  }

  url = "";

  async start(): Promise<this> {
    const server = createServer((request, response) => void this.#handle(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, this.#address, () => resolve());
    });
    this.#server = server;
    this.url = `http://${this.#address}:${(server.address() as AddressInfo).port}`;
    this.#ticker = setInterval(() => this.#tick(), 10);
    return this;
  }

  async stop(): Promise<void> {
    if (this.#ticker) clearInterval(this.#ticker);
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Force the health of every task of an app (a test's "the node fell out of the cluster"). */
  setAppHealth(appId: string, alive: boolean): void {
    for (const task of this.apps.get(appId)?.tasks ?? []) task.forcedAlive = alive;
  }

  /** Start an app directly, with running healthy tasks (a cluster that is already there). */
  seedApp(groupId: string, definition: StandInApp["definition"]): void {
    const version = new Date().toISOString();
    const group = this.groups.get(groupId) ?? { id: groupId, version, appIds: [] };
    group.appIds.push(definition.id);
    this.groups.set(groupId, group);
    const app: StandInApp = { definition, version, configChangedAt: version, tasks: [] };
    this.apps.set(definition.id, app);
    for (let i = 0; i < definition.instances; i++) app.tasks.push(this.#newTask(app, Date.now() - 60_000));
  }

  #tick(): void {
    const now = Date.now();
    for (const app of this.apps.values()) {
      for (const task of app.tasks) {
        const alive =
          task.forcedAlive ?? (this.healthyAfterMs >= 0 && now - task.startedAtMs >= this.healthyAfterMs);
        if (alive || task.forcedAlive === false) {
          const at = new Date(now).toISOString();
          task.healthCheckResults = [
            {
              alive,
              consecutiveFailures: alive ? 0 : 1,
              firstSuccess: task.healthCheckResults?.[0]?.firstSuccess ?? at,
              instanceId: task.id.replace(/\._app\.\d+$/, ""),
              lastSuccess: alive ? at : (task.healthCheckResults?.[0]?.lastSuccess ?? at),
            },
          ];
        }
      }
    }
    if (this.holdDeployments) return;
    for (let i = this.deployments.length - 1; i >= 0; i--) {
      const deployment = this.deployments[i];
      if (!deployment) continue;
      const done = deployment.affectedApps.every((appId) => {
        const app = this.apps.get(appId);
        return !app || app.tasks.every((task) => task.healthCheckResults?.every((r) => r.alive) === true);
      });
      if (done) this.deployments.splice(i, 1);
    }
  }

  #newTask(app: StandInApp, startedAtMs = Date.now()): StandInTask {
    const n = ++this.#taskCount;
    const instance = `${app.definition.id.slice(1).replace(/\//g, "_")}.instance-${randomUUID()}`;
    const at = new Date(startedAtMs).toISOString();
    return {
      id: `${instance}._app.1`,
      appId: app.definition.id,
      host: `10.0.40.${n}`,
      ports: [31000 + 2 * n, 31001 + 2 * n],
      ipAddresses: [{ ipAddress: `172.17.0.${n}`, protocol: "IPv4" }],
      slaveId: `stand-in-agent-${n}`,
      stagedAt: at,
      startedAt: at,
      version: app.version,
      state: "TASK_RUNNING",
      region: "primary",
      zone: "a",
      role: "*",
      startedAtMs,
    };
  }

  /** Apply a deployment: each app gets its instance count of tasks (new ones unhealthy at first). */
  #deploy(appIds: string[]): StandInDeployment {
    const version = new Date().toISOString();
    for (const appId of appIds) {
      const app = this.apps.get(appId);
      if (!app) continue;
      while (app.tasks.length > app.definition.instances) app.tasks.pop();
      while (app.tasks.length < app.definition.instances) app.tasks.push(this.#newTask(app));
    }
    const deployment = { id: randomUUID(), version, affectedApps: appIds };
    this.deployments.push(deployment);
    return deployment;
  }

  #locking(appIds: string[]): StandInDeployment[] {
    return this.deployments.filter((d) => d.affectedApps.some((appId) => appIds.includes(appId)));
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const url = new URL(request.url ?? "/", "http://stand-in");
    const method = request.method ?? "GET";
    let body: unknown = undefined;
    if (text !== "") {
      try {
        body = JSON.parse(text);
      } catch {
        return send(response, 400, {
          message: "Invalid JSON",
          details: [{ path: "/", errors: ["error.expected.jsobject"] }],
        });
      }
    }
    this.requests.push({ method, path: `${url.pathname}${url.search}`, body });
    const force = url.searchParams.get("force") === "true";
    const path = url.pathname.replace(/\/+$/, "");

    if (method === "GET" && path === "/v2/deployments") return send(response, 200, this.#deploymentList());
    if (path.startsWith("/v2/groups"))
      return this.#groups(method, path.slice("/v2/groups".length), body, force, response);
    const tasksMatch = /^\/v2\/apps(\/.+)\/tasks$/.exec(path);
    if (method === "GET" && tasksMatch) {
      const app = this.apps.get(tasksMatch[1] ?? "");
      if (!app) return send(response, 404, { message: `App '${tasksMatch[1]}' does not exist` });
      return send(response, 200, { tasks: app.tasks.map(publicTask) });
    }
    const appMatch = /^\/v2\/apps(\/.+)$/.exec(path);
    if (appMatch) return this.#app(method, appMatch[1] ?? "", body, force, url, response);
    return send(response, 404, { message: `the stand-in does not serve ${method} ${path}` });
  }

  #groups(method: string, id: string, body: unknown, force: boolean, response: ServerResponse): void {
    if (method === "GET") {
      const group = this.groups.get(id);
      if (!group) return send(response, 404, { message: `Group '${id}' does not exist` });
      // In the shape of examples/group.json.
      return send(response, 200, {
        id: group.id,
        apps: group.appIds.flatMap((appId) => {
          const app = this.apps.get(appId);
          return app ? [appShape(app)] : [];
        }),
        groups: [],
        dependencies: [],
        version: group.version,
      });
    }
    if (method !== "POST" && method !== "PUT")
      return send(response, 405, { message: `${method} not allowed` });
    if (!this.#validate(body)) {
      return send(response, 422, {
        message: "Object is not valid",
        details: marathonDetails(this.#validate.errors),
      });
    }
    const group = body as { id: string; apps?: StandInApp["definition"][] };
    if (method === "PUT" && id !== group.id) {
      return send(response, 422, {
        message: "Object is not valid",
        details: [{ path: "/id", errors: [`group id ${group.id} does not match the path ${id}`] }],
      });
    }
    const exists = this.groups.has(group.id);
    if (method === "POST" && exists) {
      return send(response, 409, {
        message: `Group ${group.id} is already created. Use PUT to change this group.`,
      });
    }
    const appIds = (group.apps ?? []).map((app) => app.id);
    const locking = this.#locking(appIds);
    if (locking.length > 0 && !force) return sendLocked(response, locking);
    if (force) this.#cancel(locking);
    const version = new Date().toISOString();
    const old = this.groups.get(group.id);
    for (const removed of (old?.appIds ?? []).filter((appId) => !appIds.includes(appId)))
      this.apps.delete(removed);
    for (const definition of group.apps ?? []) {
      const app = this.apps.get(definition.id);
      if (app) {
        if (!sameButInstances(app.definition, definition)) app.configChangedAt = version;
        app.definition = definition;
        app.version = version;
      } else this.apps.set(definition.id, { definition, version, configChangedAt: version, tasks: [] });
    }
    this.groups.set(group.id, { id: group.id, version, appIds });
    const deployment = this.#deploy(appIds);
    return send(
      response,
      method === "POST" ? 201 : 200,
      { version: deployment.version, deploymentId: deployment.id },
      deployment.id,
    );
  }

  #app(
    method: string,
    appId: string,
    body: unknown,
    force: boolean,
    url: URL,
    response: ServerResponse,
  ): void {
    const app = this.apps.get(appId);
    if (!app) return send(response, 404, { message: `App '${appId}' does not exist` });
    if (method === "GET") {
      const embed = url.searchParams.getAll("embed");
      const tasks = app.tasks.map(publicTask);
      // In the shape of examples/app_list.json's app (an AppInfo), in `{"app": …}`.
      const info: Record<string, unknown> = {
        ...appShape(app),
        tasksStaged: 0,
        tasksRunning: tasks.length,
        tasksHealthy: app.tasks.filter((t) => t.healthCheckResults?.every((r) => r.alive)).length,
        tasksUnhealthy: app.tasks.filter((t) => t.healthCheckResults?.some((r) => !r.alive)).length,
        deployments: this.#locking([appId]).map((d) => ({ id: d.id })),
      };
      if (embed.includes("app.tasks")) info["tasks"] = tasks;
      return send(response, 200, { app: info });
    }
    if (method !== "PUT") return send(response, 405, { message: `${method} not allowed` });
    if (!this.#validateAppUpdate(body)) {
      return send(response, 422, {
        message: "Object is not valid",
        details: marathonDetails(this.#validateAppUpdate.errors),
      });
    }
    const locking = this.#locking([appId]);
    if (locking.length > 0 && !force) return sendLocked(response, locking);
    if (force) this.#cancel(locking);
    // Marathon's default partialUpdate=true: the fields given replace the app's, the rest stay.
    const definition = { ...app.definition, ...(body as Record<string, unknown>), id: app.definition.id };
    app.version = new Date().toISOString();
    if (!sameButInstances(app.definition, definition)) app.configChangedAt = app.version;
    app.definition = definition;
    const deployment = this.#deploy([appId]);
    return send(response, 200, { version: deployment.version, deploymentId: deployment.id }, deployment.id);
  }

  #cancel(deployments: StandInDeployment[]): void {
    for (const deployment of deployments) this.deployments.splice(this.deployments.indexOf(deployment), 1);
  }

  /** In the shape of examples/deployments.json. */
  #deploymentList(): unknown[] {
    return this.deployments.map((d) => ({
      id: d.id,
      version: d.version,
      affectedApps: d.affectedApps,
      affectedPods: [],
      steps: d.affectedApps.map((app) => ({ actions: [{ action: "ScaleApplication", app }] })),
      currentActions: d.affectedApps.map((app) => ({
        action: "ScaleApplication",
        app,
        readinessCheckResults: [],
      })),
      currentStep: 1,
      totalSteps: d.affectedApps.length,
    }));
  }
}

/** The app as Marathon answers it (an App, as in examples/group.json and app_list.json). */
function appShape(app: StandInApp): Record<string, unknown> {
  const definition = app.definition as Record<string, unknown>;
  const portDefinitions = (definition["portDefinitions"] ?? []) as { port?: number }[];
  const fetch = (definition["fetch"] ?? []) as { uri: string }[];
  return {
    ...appDefaults,
    // The examples (dated 2015) show the old `ports` and `uris`; the stand-in derives them from
    // the app's portDefinitions and fetch, whatever else the definition has is answered as given.
    ports: portDefinitions.map((p) => p.port ?? 0),
    uris: fetch.map((f) => f.uri),
    ...definition,
    version: app.version,
    versionInfo: { lastScalingAt: app.version, lastConfigChangeAt: app.configChangedAt },
  };
}

function sameButInstances(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return JSON.stringify({ ...a, instances: 0 }) === JSON.stringify({ ...b, instances: 0 });
}

function publicTask(task: StandInTask): Record<string, unknown> {
  const copy: Partial<StandInTask> = { ...task };
  delete copy.startedAtMs;
  delete copy.forcedAlive;
  return copy;
}

function sendLocked(response: ServerResponse, locking: StandInDeployment[]): void {
  send(response, 409, {
    message:
      "App is locked by one or more deployments. Override with the option '?force=true'. " +
      `View details at '/v2/deployments/<DEPLOYMENT_ID>'.`,
    deployments: locking.map((d) => ({ id: d.id })),
  });
}

function send(response: ServerResponse, status: number, body: unknown, deploymentId?: string): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...(deploymentId ? { "marathon-deployment-id": deploymentId } : {}),
  });
  response.end(text);
}

export async function startMarathonStandIn(options: StandInOptions): Promise<MarathonStandIn> {
  return new MarathonStandIn(options).start();
}
