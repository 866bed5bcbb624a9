/**
 * `marathon deploy|scale|status`: create or update the group, follow each deployment until
 * Marathon drops it from /v2/deployments, and wait for healthy tasks. For the seed layout,
 * deploy then walks the 2015 post's procedure: seed healthy → scale the nodes → one node healthy
 * → suspend the seed (instances 0) → every node healthy. Each step prints one progress line.
 */
import type { MarathonClient } from "./marathon-client.js";
import { MarathonRequestFailed } from "./marathon-client.js";
import {
  type MarathonAppInfo,
  type MarathonGroup,
  type MarathonGroupInfo,
  taskIsHealthy,
} from "./marathon-types.js";
import type { RenderedApps } from "./render-group.js";

export interface WaitOptions {
  /** Give up after this long, per wait. */
  timeoutMs: number;
  /** Between two polls of /v2/deployments or of an app's tasks. */
  pollMs: number;
  force: boolean;
  progress: (line: string) => void;
}

export const defaultWaitTimeoutMs = 900_000;
export const defaultPollMs = 2000;

/** Create (POST) or update (PUT) the group, then bring the cluster up; returns the final line. */
export async function deployCluster(
  client: MarathonClient,
  rendered: RenderedApps,
  targetNodes: number,
  wait: WaitOptions,
): Promise<string> {
  const group = rendered.group;
  const existing = await client.getGroup(group.id);
  if (existing === null) {
    const result = await client.createGroup(group, wait.force);
    wait.progress(`created group ${group.id}: deployment ${result.deploymentId} (version ${result.version})`);
    await followDeployment(client, result.deploymentId, wait);
  } else {
    const update = keepRunningCounts(group, existing, rendered);
    const result = await client.updateGroup(update.group, wait.force);
    wait.progress(
      `updated group ${group.id}${update.note}: deployment ${result.deploymentId} (version ${result.version})`,
    );
    await followDeployment(client, result.deploymentId, wait);
  }
  if (rendered.seedAppId === null) {
    await waitHealthy(client, rendered.nodeAppId, targetNodes, wait);
    return `cluster ${group.id} is up: ${targetNodes} of ${targetNodes} tasks of ${rendered.nodeAppId} healthy`;
  }
  const nodes = await client.getApp(rendered.nodeAppId);
  if (nodes !== null && nodes.instances > 0) {
    // The seed procedure is for a new cluster only; a running one keeps its nodes.
    await waitHealthy(client, rendered.nodeAppId, nodes.instances, wait);
    return `cluster ${group.id} is up: ${nodes.instances} of ${nodes.instances} tasks of ${rendered.nodeAppId} healthy`;
  }
  await waitHealthy(client, rendered.seedAppId, 1, wait);
  await scaleAndFollow(client, rendered.nodeAppId, targetNodes, wait);
  await waitHealthy(client, rendered.nodeAppId, 1, wait);
  // The post: "After the first normal node is healthy, the seed can and should be suspended."
  await scaleAndFollow(client, rendered.seedAppId, 0, wait, "suspending the seed");
  await waitHealthy(client, rendered.nodeAppId, targetNodes, wait);
  return `cluster ${group.id} is up: ${targetNodes} of ${targetNodes} tasks of ${rendered.nodeAppId} healthy, seed suspended`;
}

/** Scale the node app (the only app of the auto layout) and wait until every task is healthy. */
export async function scaleCluster(
  client: MarathonClient,
  nodeAppId: string,
  instances: number,
  wait: WaitOptions,
): Promise<string> {
  const app = await client.getApp(nodeAppId);
  if (app === null) {
    throw new MarathonRequestFailed(
      `Marathon has no app ${nodeAppId}; deploy the group first (galera-pilot marathon deploy), or check --id and --layout`,
      404,
    );
  }
  await scaleAndFollow(client, nodeAppId, instances, wait);
  if (instances > 0) await waitHealthy(client, nodeAppId, instances, wait);
  return `${nodeAppId} runs ${instances} healthy task${instances === 1 ? "" : "s"}`;
}

/** One line per app: instances, running, healthy, and each task's address and health. */
export async function clusterStatus(client: MarathonClient, rendered: RenderedApps): Promise<string[]> {
  const group = await client.getGroup(rendered.group.id);
  if (group === null) return [`group ${rendered.group.id}: not deployed`];
  const deployments = await client.deployments();
  const lines: string[] = [];
  for (const appId of [rendered.seedAppId, rendered.nodeAppId]) {
    if (appId === null) continue;
    const app = await client.getApp(appId);
    if (app === null) {
      lines.push(`${appId}: absent`);
      continue;
    }
    lines.push(
      appLine(
        app,
        deployments.filter((d) => d.affectedApps?.includes(appId)).map((d) => d.id),
      ),
    );
  }
  return lines;
}

function appLine(app: MarathonAppInfo, deploymentIds: string[]): string {
  const tasks = app.tasks ?? [];
  const healthy = tasks.filter(taskIsHealthy).length;
  const taskText = tasks
    .map((task) => {
      const health = taskIsHealthy(task)
        ? "healthy"
        : (task.healthCheckResults ?? []).length === 0
          ? "no health result yet"
          : "unhealthy";
      return `${task.host}:${task.ports?.join("/") ?? "?"} ${task.state ?? "?"} ${health}`;
    })
    .join(", ");
  const deploying = deploymentIds.length > 0 ? `; deploying (${deploymentIds.join(", ")})` : "";
  return (
    `${app.id}: ${app.instances} instance${app.instances === 1 ? "" : "s"}, ${tasks.length} task${tasks.length === 1 ? "" : "s"}, ` +
    `${healthy} healthy${deploying}${taskText === "" ? "" : `: ${taskText}`}`
  );
}

async function scaleAndFollow(
  client: MarathonClient,
  appId: string,
  instances: number,
  wait: WaitOptions,
  why = "scaling",
): Promise<void> {
  const result = await client.scaleApp(appId, instances, wait.force);
  wait.progress(
    `${why}: ${appId} to ${instances} instance${instances === 1 ? "" : "s"}: deployment ${result.deploymentId}`,
  );
  await followDeployment(client, result.deploymentId, wait);
}

/** Poll /v2/deployments until the deployment is gone (Marathon's sign that it finished). */
export async function followDeployment(
  client: MarathonClient,
  deploymentId: string,
  wait: WaitOptions,
): Promise<void> {
  const deadline = Date.now() + wait.timeoutMs;
  let lastStep = "";
  for (;;) {
    const current = (await client.deployments()).find((d) => d.id === deploymentId);
    if (current === undefined) {
      wait.progress(`deployment ${deploymentId} finished`);
      return;
    }
    const actions = (current.currentActions ?? []).map((a) => `${a.action} ${a.app ?? ""}`.trim()).join(", ");
    const step = `step ${current.currentStep ?? "?"} of ${current.totalSteps ?? "?"}${actions ? ` (${actions})` : ""}`;
    if (step !== lastStep) wait.progress(`deployment ${deploymentId}: ${step}`);
    lastStep = step;
    if (Date.now() > deadline) {
      throw new MarathonRequestFailed(
        `deployment ${deploymentId} still runs after ${Math.round(wait.timeoutMs / 1000)} s at ${step}; ` +
          `it goes on in Marathon; see GET /v2/deployments, or roll back with a new deploy`,
        null,
      );
    }
    await sleep(wait.pollMs);
  }
}

/** Poll the app until at least `wanted` tasks are healthy. */
export async function waitHealthy(
  client: MarathonClient,
  appId: string,
  wanted: number,
  wait: WaitOptions,
): Promise<void> {
  const deadline = Date.now() + wait.timeoutMs;
  let last = "";
  for (;;) {
    const app = await client.getApp(appId);
    const tasks = app?.tasks ?? [];
    const healthy = tasks.filter(taskIsHealthy).length;
    const line = `${appId}: ${healthy} of ${wanted} task${wanted === 1 ? "" : "s"} healthy (${tasks.length} running)`;
    if (line !== last) wait.progress(line);
    last = line;
    if (healthy >= wanted) return;
    if (Date.now() > deadline) {
      throw new MarathonRequestFailed(
        `${appId} has ${healthy} of ${wanted} healthy tasks after ${Math.round(wait.timeoutMs / 1000)} s; ` +
          `the tasks stay as they are; see each task's /status on its health port`,
        null,
      );
    }
    await sleep(wait.pollMs);
  }
}

/**
 * An update must not undo the seed procedure: re-sending the rendered group (seed 1, nodes 0)
 * would start a second seed and stop every node. The running instance counts are kept.
 */
function keepRunningCounts(
  group: MarathonGroup,
  existing: MarathonGroupInfo,
  rendered: RenderedApps,
): { group: MarathonGroup; note: string } {
  if (rendered.seedAppId === null) return { group, note: "" };
  const running = new Map((existing.apps ?? []).map((app) => [app.id, app.instances]));
  const notes: string[] = [];
  const apps = (group.apps ?? []).map((app) => {
    const instances = running.get(app.id);
    if (instances === undefined || instances === app.instances) return app;
    notes.push(`${app.id} stays at ${instances}`);
    return { ...app, instances };
  });
  return { group: { ...group, apps }, note: notes.length > 0 ? ` (${notes.join(", ")})` : "" };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
