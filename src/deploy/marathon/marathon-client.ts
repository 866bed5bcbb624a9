/**
 * A small client of Marathon's REST API v2 (shapes from the v1.10.26 RAML description): groups,
 * app scaling, app tasks, deployments. Every failure is one MarathonRequestFailed line that names
 * the request, Marathon's status and its message with every detail (422) or blocking deployment
 * (409), and what to do.
 */
import { ExitCode, GaleraPilotError } from "../../errors.js";
import { httpRequest, HttpRequestFailed, type HttpAnswer } from "../../http-client/http-request.js";
import type { Checked } from "../../model/wire-check.js";
import {
  checkApp,
  checkDeploymentResult,
  checkDeployments,
  checkGroup,
  checkTaskList,
} from "./marathon-answers.js";
import type {
  MarathonAppInfo,
  MarathonDeployment,
  MarathonDeploymentResult,
  MarathonGroup,
  MarathonGroupInfo,
  MarathonTask,
} from "./marathon-types.js";

/** Marathon answered with an error, or could not be reached. Exit code 1. */
export class MarathonRequestFailed extends GaleraPilotError {
  readonly status: number | null;
  constructor(message: string, status: number | null, options?: { cause?: unknown }) {
    super(message, ExitCode.serverFailed, options);
    this.status = status;
  }
}

export const defaultRequestTimeoutMs = 10_000;

export class MarathonClient {
  readonly baseUrl: string;
  readonly #timeoutMs: number;

  constructor(baseUrl: string, timeoutMs = defaultRequestTimeoutMs) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.#timeoutMs = timeoutMs;
  }

  /** The group as Marathon holds it, or null when Marathon has none of that id (404). */
  async getGroup(id: string): Promise<MarathonGroupInfo | null> {
    const answer = await this.#request("GET", `/v2/groups${id}`, checkGroup, undefined, [404]);
    return answer.status === 404 ? null : answer.body;
  }

  createGroup(group: MarathonGroup, force: boolean): Promise<MarathonDeploymentResult> {
    return this.#change("POST", `/v2/groups${forceQuery(force)}`, group);
  }

  updateGroup(group: MarathonGroup, force: boolean): Promise<MarathonDeploymentResult> {
    return this.#change("PUT", `/v2/groups${group.id}${forceQuery(force)}`, group);
  }

  scaleApp(appId: string, instances: number, force: boolean): Promise<MarathonDeploymentResult> {
    return this.#change("PUT", `/v2/apps${appId}${forceQuery(force)}`, { instances });
  }

  /** The app with its tasks and their health (`embed=app.tasks`), or null when absent. */
  async getApp(appId: string): Promise<MarathonAppInfo | null> {
    const answer = await this.#request(
      "GET",
      `/v2/apps${appId}?embed=app.tasks&embed=app.counts&embed=app.deployments`,
      checkApp,
      undefined,
      [404],
    );
    return answer.status === 404 ? null : answer.body.app;
  }

  async appTasks(appId: string): Promise<MarathonTask[]> {
    const answer = await this.#request("GET", `/v2/apps${appId}/tasks`, checkTaskList);
    return answer.body.tasks;
  }

  async deployments(): Promise<MarathonDeployment[]> {
    return (await this.#request("GET", "/v2/deployments", checkDeployments)).body;
  }

  async #change(method: "PUT" | "POST", path: string, body: unknown): Promise<MarathonDeploymentResult> {
    const answer = await this.#request(method, path, (value) => ({ ok: true, value }), body);
    const result = answer.body;
    if (typeof (result as { deploymentId?: unknown } | null)?.deploymentId !== "string") {
      throw new MarathonRequestFailed(
        `Marathon answered ${method} ${path} without a deploymentId (${JSON.stringify(result).slice(0, 200)}); ` +
          `check that --url points at Marathon`,
        answer.status,
      );
    }
    return checked(checkDeploymentResult(result), method, path, answer.status);
  }

  /**
   * One request; its 2xx answer (or one of `allowed`) parsed and checked. Anything else is a
   * MarathonRequestFailed line. An allowed status that is not 2xx is returned unchecked (its
   * body unread: a 404 says only that the id is absent).
   */
  async #request<T>(
    method: "GET" | "PUT" | "POST",
    path: string,
    check: (value: unknown) => Checked<T>,
    body?: unknown,
    allowed: number[] = [],
  ): Promise<{ status: number; body: T }> {
    const url = `${this.baseUrl}${path}`;
    let response: HttpAnswer;
    try {
      response = await httpRequest({
        url,
        method,
        headers: { accept: "application/json" },
        json: body,
        timeoutMs: this.#timeoutMs,
        followRedirects: true,
      });
    } catch (error) {
      const reason = error instanceof HttpRequestFailed ? error.reason : String(error);
      throw new MarathonRequestFailed(
        `cannot reach Marathon at ${this.baseUrl} (${method} ${path}): ${reason}; ` +
          `check --url and that Marathon is running`,
        null,
        { cause: error },
      );
    }
    const text = response.body;
    let parsed: unknown = undefined;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const ok = response.status >= 200 && response.status <= 299;
    if (ok || allowed.includes(response.status)) {
      if (ok && parsed === undefined) {
        throw new MarathonRequestFailed(
          `Marathon answered ${method} ${path} with ${response.status} but no JSON; check that --url points at Marathon`,
          response.status,
        );
      }
      if (!ok) return { status: response.status, body: parsed as T };
      return { status: response.status, body: checked(check(parsed), method, path, response.status) };
    }
    throw new MarathonRequestFailed(
      `Marathon ${verb(response.status)} ${method} ${path}: ${response.status} ${response.statusText}: ` +
        `${describeError(parsed, text)}; ${advice(response.status)}`,
      response.status,
    );
  }
}

/** A checked answer's value, or the MarathonRequestFailed line that says what is wrong with it. */
function checked<T>(result: Checked<T>, method: string, path: string, status: number): T {
  if (result.ok) return result.value;
  throw new MarathonRequestFailed(
    `Marathon answered ${method} ${path} with ${result.problem}; check that --url points at Marathon`,
    status,
  );
}

function forceQuery(force: boolean): string {
  return force ? "?force=true" : "";
}

function verb(status: number): string {
  return status === 409 || status === 422 || status === 400 ? "refused" : "failed";
}

function advice(status: number): string {
  switch (status) {
    case 409:
      return "nothing was changed; wait for that deployment to finish, or give --force to override it";
    case 422:
    case 400:
      return "nothing was changed; fix the definition (galera-pilot marathon render shows it)";
    case 401:
    case 403:
      return "nothing was changed; Marathon wants credentials galera-pilot does not send";
    case 404:
      return "check the id (--id) and --url";
    default:
      return "check Marathon's log";
  }
}

/**
 * Marathon's error body in one line: `message`, then each detail as `path: error, error`
 * (422), then the deployments that hold a lock (409).
 */
export function describeError(body: unknown, text: string): string {
  if (typeof body !== "object" || body === null) return oneLine(text) || "(no answer body)";
  const record = body as { message?: unknown; details?: unknown; deployments?: unknown };
  const parts: string[] = [typeof record.message === "string" ? oneLine(record.message) : oneLine(text)];
  if (Array.isArray(record.details)) {
    for (const detail of record.details as { path?: unknown; errors?: unknown }[]) {
      const path = typeof detail.path === "string" && detail.path !== "" ? detail.path : "/";
      const errors = Array.isArray(detail.errors)
        ? detail.errors.map((e) => oneLine(String(e))).join(", ")
        : "";
      parts.push(`${path}: ${errors}`);
    }
  }
  if (Array.isArray(record.deployments)) {
    const ids = (record.deployments as { id?: unknown }[]).map((d) => String(d.id));
    parts.push(`blocked by deployment${ids.length === 1 ? "" : "s"} ${ids.join(", ")}`);
  }
  return parts.join("; ");
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
