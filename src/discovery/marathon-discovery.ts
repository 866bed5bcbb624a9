/**
 * Discovery through Marathon's tasks API: `GET /v2/apps/{id}/tasks` lists the app's tasks with
 * their agent (`host`), host ports and, in container networks, `ipAddresses`. Only tasks whose
 * every health result is alive count (Marathon's "healthy": the node was synced at its last
 * check), as the Marathon UI shows them.
 *
 * The address: the task's container IP when Marathon reports one (bridge or overlay networks,
 * where the nodes reach each other directly, as in the seed post), else its agent's address
 * (`host`, resolved when it is a name). The port is the Galera port, unless `portIndex` names the
 * host port that maps it.
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";

import { BadInputError, DiscoveryUnavailable } from "../errors.js";
import { checked, getJson, httpUrl } from "./consul-api-discovery.js";
import type { Discovery, PeerEndpoint } from "./discovery.js";
import type { TaskEntry } from "./marathon-answer.js";
import { finishPeerList } from "./peer-list.js";

export interface MarathonDiscoveryOptions {
  /** Marathon's URL, e.g. `http://marathon.mesos:8080`. */
  url: string;
  /** The apps' absolute ids, e.g. `/galera/seed` and `/galera/node`: their tasks together. */
  appIds: string[];
  /** Take `ports[portIndex]` as the Galera port instead of defaultPort. */
  portIndex?: number;
  /** `container`: ipAddresses first (default); `host`: always the agent's address. */
  addressFrom?: "container" | "host";
  /** Include tasks that are not healthy (default false). */
  includeUnhealthy?: boolean;
  ownAddresses: string[];
  defaultPort: number;
  timeoutMs?: number;
}

type AnswerSchema = typeof import("./marathon-answer.js");
let answerSchema: Promise<AnswerSchema> | undefined;

/** The answer's schema (and valibot): loaded with the first request, not at the agent's start. */
function loadAnswerSchema(): Promise<AnswerSchema> {
  if (answerSchema === undefined) {
    answerSchema = import("./marathon-answer.js");
    answerSchema.catch(() => undefined);
  }
  return answerSchema;
}

const nothingStarted = "nothing was started";
const advice = "check that Marathon is reachable (GALERA_PILOT_MARATHON_URL) and the app id";

export class MarathonDiscovery implements Discovery {
  readonly #options: MarathonDiscoveryOptions;
  readonly #url: string;

  constructor(options: MarathonDiscoveryOptions) {
    this.#options = options;
    this.#url = httpUrl(options.url, "Marathon URL").replace(/\/+$/, "");
    if (options.appIds.length === 0) {
      throw new BadInputError(
        `Marathon discovery was given no app id; ${nothingStarted}; give e.g. "/galera/node"`,
      );
    }
    for (const appId of options.appIds) {
      if (!/^(\/[a-z0-9][a-z0-9.-]*)+$/.test(appId)) {
        throw new BadInputError(
          `Marathon app id ${JSON.stringify(appId)} is not an absolute app id, e.g. "/galera/node"; ${nothingStarted}`,
        );
      }
    }
  }

  describe(): string {
    return `Marathon ${this.#url} app ${this.#options.appIds.join(",")} (${this.#options.includeUnhealthy ? "all" : "healthy"} tasks)`;
  }

  async discover(): Promise<PeerEndpoint[]> {
    const found = await Promise.all(this.#options.appIds.map((appId) => this.#appPeers(appId)));
    return finishPeerList(found.flat(), this.#options.ownAddresses);
  }

  async #appPeers(appId: string): Promise<PeerEndpoint[]> {
    const path = `/v2/apps${appId}/tasks`;
    const schema = loadAnswerSchema();
    const answer = await getJson(`${this.#url}${path}`, "Marathon", this.#options.timeoutMs, advice);
    if (!Array.isArray((answer as { tasks?: unknown } | null)?.tasks)) {
      throw new DiscoveryUnavailable(
        `Marathon answered ${path} without a task list; ${nothingStarted}; ${advice}`,
      );
    }
    const { tasks: all } = checked((await schema).checkTaskList(answer), "Marathon", path, advice);
    const tasks = all.filter((task) => this.#options.includeUnhealthy || isHealthy(task));
    return Promise.all(tasks.map((task) => this.#endpoint(task)));
  }

  async #endpoint(task: TaskEntry): Promise<PeerEndpoint> {
    const container = task.ipAddresses?.map((ip) => ip.ipAddress ?? "").find((ip) => isIP(ip) !== 0);
    let address = this.#options.addressFrom !== "host" && container ? container : (task.host ?? "");
    if (isIP(address) === 0) {
      try {
        address = (await lookup(address)).address;
      } catch (error) {
        throw new DiscoveryUnavailable(
          `cannot resolve the agent ${JSON.stringify(task.host)} of Marathon task ${task.id ?? "?"}; ${nothingStarted}; ` +
            `check the agents' DNS names`,
          { cause: error },
        );
      }
    }
    const index = this.#options.portIndex;
    const port = index === undefined ? this.#options.defaultPort : task.ports?.[index];
    if (port === undefined) {
      throw new DiscoveryUnavailable(
        `Marathon task ${task.id ?? "?"} has no port at index ${index}; ${nothingStarted}; check the app's port mappings`,
      );
    }
    return { address, port };
  }
}

function isHealthy(task: TaskEntry): boolean {
  const results = task.healthCheckResults ?? [];
  return results.length > 0 && results.every((result) => result.alive === true);
}
