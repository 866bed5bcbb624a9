/**
 * Discovery through Consul's HTTP health API: `GET /v1/health/service/NAME?passing[&tag=T][&dc=D]`
 * answers one entry per instance whose checks pass, `{ Node: { Address }, Service: { Address,
 * Port } }`. The instance's address is Service.Address, or Node.Address when the service was
 * registered without one (Consul's rule). Every failure becomes DiscoveryUnavailable.
 */
import { isIP } from "node:net";

import { BadInputError, DiscoveryUnavailable } from "../errors.js";
import { httpRequest, HttpRequestFailed, type HttpAnswer } from "../http-client/http-request.js";
import type { Checked } from "../model/wire-check.js";
import type { Discovery, PeerEndpoint } from "./discovery.js";
import { finishPeerList } from "./peer-list.js";

export interface ConsulApiDiscoveryOptions {
  /** Consul's HTTP address, e.g. `http://127.0.0.1:8500`. */
  url: string;
  service: string;
  tag?: string;
  datacenter?: string;
  /** Use Service.Port instead of defaultPort (for a service registered on the Galera port). */
  useServicePort?: boolean;
  ownAddresses: string[];
  defaultPort: number;
  timeoutMs?: number;
}

type AnswerSchema = typeof import("./consul-answer.js");
let answerSchema: Promise<AnswerSchema> | undefined;

/** The answer's schema (and valibot): loaded with the first request, not at the agent's start. */
function loadAnswerSchema(): Promise<AnswerSchema> {
  if (answerSchema === undefined) {
    answerSchema = import("./consul-answer.js");
    answerSchema.catch(() => undefined);
  }
  return answerSchema;
}

const nothingStarted = "nothing was started";
const advice = "check that Consul's HTTP API is reachable (GALERA_PILOT_CONSUL_URL)";

export class ConsulApiDiscovery implements Discovery {
  readonly #options: ConsulApiDiscoveryOptions;
  readonly #url: string;

  constructor(options: ConsulApiDiscoveryOptions) {
    this.#options = options;
    this.#url = httpUrl(options.url, "Consul URL").replace(/\/+$/, "");
    if (!/^[A-Za-z0-9_-]+$/.test(options.service)) {
      throw new BadInputError(
        `Consul service name ${JSON.stringify(options.service)} is not a service name; ${nothingStarted}`,
      );
    }
  }

  describe(): string {
    const tag = this.#options.tag ? ` tag ${this.#options.tag}` : "";
    return `Consul health API ${this.#url} service ${this.#options.service}${tag} (passing only)`;
  }

  async discover(): Promise<PeerEndpoint[]> {
    const query = new URLSearchParams();
    query.set("passing", "true");
    if (this.#options.tag) query.set("tag", this.#options.tag);
    if (this.#options.datacenter) query.set("dc", this.#options.datacenter);
    const path = `/v1/health/service/${encodeURIComponent(this.#options.service)}?${query.toString()}`;
    const schema = loadAnswerSchema();
    const answer = await getJson(`${this.#url}${path}`, "Consul", this.#options.timeoutMs, advice);
    if (!Array.isArray(answer)) {
      throw new DiscoveryUnavailable(
        `Consul answered ${path} with something else than a list; ${nothingStarted}; ${advice}`,
      );
    }
    const entries = checked((await schema).checkHealthEntries(answer), "Consul", path, advice);
    const peers: PeerEndpoint[] = [];
    for (const entry of entries) {
      const address = entry.Service?.Address || entry.Node?.Address || "";
      if (isIP(address) === 0) {
        throw new DiscoveryUnavailable(
          `Consul lists an instance of ${this.#options.service} (${entry.Service?.ID ?? "?"}) without an IP address ` +
            `(${JSON.stringify(address)}); ${nothingStarted}; register the service with its IP address`,
        );
      }
      const port = this.#options.useServicePort ? entry.Service?.Port : this.#options.defaultPort;
      if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) {
        throw new DiscoveryUnavailable(
          `Consul lists ${address} without a usable port (${JSON.stringify(port)}); ${nothingStarted}; ${advice}`,
        );
      }
      peers.push({ address, port });
    }
    return finishPeerList(peers, this.#options.ownAddresses);
  }
}

export const defaultHttpDiscoveryTimeoutMs = 3000;

/** A URL that must be http(s); a BadInputError otherwise. */
export function httpUrl(text: string, what: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new BadInputError(
      `${what} ${JSON.stringify(text)} is not a URL; ${nothingStarted}; give e.g. http://127.0.0.1:8500`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new BadInputError(
      `${what} ${JSON.stringify(text)} is not an http:// or https:// URL; ${nothingStarted}`,
    );
  }
  return text;
}

/** GET JSON; any failure (network, timeout, status, body) is one DiscoveryUnavailable line. */
export async function getJson(
  url: string,
  who: string,
  timeoutMs: number | undefined,
  hint: string,
): Promise<unknown> {
  const limit = timeoutMs ?? defaultHttpDiscoveryTimeoutMs;
  let response: HttpAnswer;
  try {
    response = await httpRequest({
      url,
      headers: { accept: "application/json" },
      timeoutMs: limit,
      followRedirects: true,
    });
  } catch (error) {
    const reason = error instanceof HttpRequestFailed ? error.reason : String(error);
    throw new DiscoveryUnavailable(`cannot reach ${who} at ${url}: ${reason}; ${nothingStarted}; ${hint}`, {
      cause: error,
    });
  }
  const text = response.body;
  if (response.status < 200 || response.status > 299) {
    const body = text.replace(/\s+/g, " ").trim().slice(0, 200);
    throw new DiscoveryUnavailable(
      `${who} answered ${url} with ${response.status} ${response.statusText}${body ? ` (${body})` : ""}; ${nothingStarted}; ${hint}`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new DiscoveryUnavailable(
      `${who} answered ${url} with something else than JSON; ${nothingStarted}; ${hint}`,
      {
        cause: error,
      },
    );
  }
}

/** A checked answer's value, or the DiscoveryUnavailable line that says what is wrong with it. */
export function checked<T>(result: Checked<T>, who: string, path: string, hint: string): T {
  if (result.ok) return result.value;
  throw new DiscoveryUnavailable(
    `${who} answered ${path} with ${result.problem}; ${nothingStarted}; ${hint}`,
  );
}
