import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { MarathonClient, MarathonRequestFailed } from "../../../../src/deploy/marathon/marathon-client.js";
import { closedPort } from "../../../support/closed-port.js";

// A stand-in Marathon on 127.0.0.1: each test sets its answer. The integration suite runs the
// fuller one of test/support/marathon-stand-in.ts.
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}
const seen: Seen[] = [];
let respond: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end("{}");
let server: Server;
let url = "";
before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      seen.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      respond(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const send = (status: number, body: unknown) => (_req: IncomingMessage, res: ServerResponse) =>
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));

async function failed(promise: Promise<unknown>): Promise<MarathonRequestFailed> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof MarathonRequestFailed, String(error));
    return error;
  }
  assert.fail("no MarathonRequestFailed");
}

describe("MarathonClient: Marathon's answers checked, every failure one line", () => {
  it("a change sends its JSON body and reads the deployment", async () => {
    seen.length = 0;
    respond = send(200, { version: "v1", deploymentId: "d-1" });
    assert.deepEqual(await new MarathonClient(url).scaleApp("/galera/node", 3, true), {
      version: "v1",
      deploymentId: "d-1",
    });
    assert.equal(seen[0]?.method, "PUT");
    assert.equal(seen[0]?.url, "/v2/apps/galera/node?force=true");
    assert.equal(seen[0]?.headers["content-type"], "application/json");
    assert.equal(seen[0]?.headers["accept"], "application/json");
    assert.equal(seen[0]?.body, '{"instances":3}');
  });

  it("a group or an app that is not there is null; a group that is, its apps' counts", async () => {
    respond = send(404, { message: "Group '/galera' does not exist" });
    assert.equal(await new MarathonClient(url).getGroup("/galera"), null);
    assert.equal(await new MarathonClient(url).getApp("/galera/node"), null);
    respond = send(200, { id: "/galera", apps: [{ id: "/galera/node", instances: 3, cpus: 1 }], groups: [] });
    assert.deepEqual(await new MarathonClient(url).getGroup("/galera"), {
      id: "/galera",
      apps: [{ id: "/galera/node", instances: 3, cpus: 1 }],
      groups: [],
    });
  });

  it("Marathon refuses: its status, its message with every detail or blocking deployment, what to do", async () => {
    respond = send(409, {
      message: "App is locked by one or more deployments.",
      deployments: [{ id: "d-0" }],
    });
    let error = await failed(new MarathonClient(url).updateGroup({ id: "/galera" }, false));
    assert.equal(
      error.message,
      "Marathon refused PUT /v2/groups/galera: 409 Conflict: App is locked by one or more deployments.; " +
        "blocked by deployment d-0; nothing was changed; wait for that deployment to finish, or give --force to override it",
    );
    assert.equal(error.status, 409);
    respond = send(422, {
      message: "Object is not valid",
      details: [{ path: "/apps(0)/instances", errors: ["must be integer"] }],
    });
    error = await failed(new MarathonClient(url).createGroup({ id: "/galera" }, false));
    assert.equal(
      error.message,
      "Marathon refused POST /v2/groups: 422 Unprocessable Entity: Object is not valid; " +
        "/apps(0)/instances: must be integer; nothing was changed; fix the definition (galera-pilot marathon render shows it)",
    );
  });

  it("an unreachable Marathon, or one that does not answer in time", async () => {
    const port = await closedPort();
    let error = await failed(new MarathonClient(`http://127.0.0.1:${port}`).getGroup("/galera"));
    assert.equal(
      error.message,
      `cannot reach Marathon at http://127.0.0.1:${port} (GET /v2/groups/galera): ECONNREFUSED ` +
        `(connect ECONNREFUSED 127.0.0.1:${port}); check --url and that Marathon is running`,
    );
    assert.equal(error.status, null);
    respond = () => undefined;
    error = await failed(new MarathonClient(url, 200).deployments());
    assert.equal(
      error.message,
      `cannot reach Marathon at ${url} (GET /v2/deployments): no answer within 200 ms; check --url and that Marathon is running`,
    );
    server.closeAllConnections();
  });

  it("an answer that is not Marathon's: no JSON, no deploymentId, or a field of the wrong type", async () => {
    respond = (_req, res) => res.end("<html>");
    let error = await failed(new MarathonClient(url).deployments());
    assert.equal(
      error.message,
      "Marathon answered GET /v2/deployments with 200 but no JSON; check that --url points at Marathon",
    );
    respond = send(201, { version: "v1" });
    error = await failed(new MarathonClient(url).createGroup({ id: "/galera" }, false));
    assert.equal(
      error.message,
      'Marathon answered POST /v2/groups without a deploymentId ({"version":"v1"}); check that --url points at Marathon',
    );
    assert.equal(error.status, 201);
    respond = send(200, { deploymentId: "d-1" });
    error = await failed(new MarathonClient(url).scaleApp("/galera/node", 1, false));
    assert.equal(
      error.message,
      "Marathon answered PUT /v2/apps/galera/node with a deployment without version; check that --url points at Marathon",
    );
    respond = send(200, { app: { id: "/galera/node", instances: "3" } });
    error = await failed(new MarathonClient(url).getApp("/galera/node"));
    assert.equal(
      error.message,
      "Marathon answered GET /v2/apps/galera/node?embed=app.tasks&embed=app.counts&embed=app.deployments " +
        'with an app whose app.instances is "3", not a whole number; check that --url points at Marathon',
    );
    respond = send(200, [{ id: "d-1", currentStep: "one" }]);
    error = await failed(new MarathonClient(url).deployments());
    assert.equal(
      error.message,
      'Marathon answered GET /v2/deployments with a deployment list whose [0].currentStep is "one", not a whole number; ' +
        "check that --url points at Marathon",
    );
  });
});
