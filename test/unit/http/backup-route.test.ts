import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Secret } from "../../../src/config/secret.js";
import type { HealthAnswers } from "../../../src/health/health-policy.js";
import { HealthServer, type HealthServerOptions } from "../../../src/http/health-server.js";
import type { NodeStatusReport } from "../../../src/model/node-status.js";
import { askForBackup, readBackupActivity } from "../../../src/peer-api/backup-client.js";
import { answerHeader, newNonce, requestHeader, signRequest } from "../../../src/peer-api/peer-auth.js";

// The health tests' range (127.0.13.x); port 0: the system chooses.
const address = "127.0.13.202";
const secret = new Secret("backup-route-cluster-secret");
const synced: HealthAnswers = { root: 200, ready: 200, live: 200, writer: 503 };

const started: HealthServer[] = [];
after(async () => {
  for (const server of started) await server.close();
});

type Backup = NonNullable<HealthServerOptions["backup"]>;

async function start(backup: Backup | undefined): Promise<string> {
  const server = await HealthServer.start({
    address,
    port: 0,
    status: () => ({ node: "n2" }) as unknown as NodeStatusReport,
    metrics: async () => "",
    peerState: () => ({}),
    clusterSecret: secret,
    initial: { answers: synced, validUntil: Date.now() + 60_000 },
    log: { info: () => {}, warn: () => {}, error: () => {} },
    onFailure: () => {},
    ...(backup ? { backup } : {}),
  });
  started.push(server);
  return `http://${address}:${server.port}`;
}

/** A backup side that records what it was asked and answers as told. */
function recording(answer: Awaited<ReturnType<Backup["request"]>>): Backup & { asked: boolean[] } {
  const asked: boolean[] = [];
  return {
    asked,
    request: async (allowWriter) => {
      asked.push(allowWriter);
      return answer;
    },
    activity: () => ({ running: null, last: null, destination: "/srv/backups" }),
  };
}

describe("POST /backup: a backup asked of an agent", () => {
  it("is taken when the request proves the cluster secret, with the writer allowed only when asked", async () => {
    const backup = recording({ accepted: "20261207T000000Z-n2" });
    const base = await start(backup);
    assert.deepEqual(await askForBackup(base, secret, false), { ok: true, id: "20261207T000000Z-n2" });
    assert.deepEqual(await askForBackup(base, secret, true), { ok: true, id: "20261207T000000Z-n2" });
    assert.deepEqual(backup.asked, [false, true]);
  });

  it("is refused without the cluster secret, and nothing is asked of the agent", async () => {
    const backup = recording({ accepted: "x" });
    const base = await start(backup);
    assert.deepEqual(await askForBackup(base, new Secret("another"), false), {
      ok: false,
      problem: "its agent refused our cluster secret (GALERA_PILOT_CLUSTER_SECRET differs)",
    });
    assert.deepEqual(backup.asked, []);
  });

  it("signs its query: a request signed without allow-writer and sent with it is refused", async () => {
    const backup = recording({ accepted: "x" });
    const base = await start(backup);
    const response = await fetch(`${base}/backup?allow-writer=yes`, {
      method: "POST",
      headers: { [requestHeader]: signRequest(secret, "/backup", newNonce()) },
    });
    assert.equal(response.status, 401);
    assert.deepEqual(backup.asked, []);
  });

  it("takes a request once: the same signed request sent again is refused as a replay", async () => {
    const backup = recording({ accepted: "x" });
    const base = await start(backup);
    const headers = { [requestHeader]: signRequest(secret, "/backup", newNonce()) };
    const first = await fetch(`${base}/backup`, { method: "POST", headers });
    assert.equal(first.status, 202);
    assert.ok(first.headers.get(answerHeader));
    const again = await fetch(`${base}/backup`, { method: "POST", headers });
    assert.equal(again.status, 409);
    assert.equal(await again.text(), "this request was already taken (a replay)\n");
    assert.deepEqual(backup.asked, [false]);
  });

  it("passes the agent's refusal on, word for word", async () => {
    const refusal =
      "no backup is taken on n1: it is the writer, and desyncing it for the backup would move the writer role, and the clients' writes, to another member; nothing was changed; name another member, or add --allow-writer to take it there anyway";
    const base = await start(recording({ refused: refusal, status: 409 }));
    assert.deepEqual(await askForBackup(base, secret, false), { ok: false, refused: refusal });
  });

  it("is 404 on an agent without backups, and POST is refused on every other path", async () => {
    const base = await start(undefined);
    assert.deepEqual(await askForBackup(base, secret, false), {
      ok: false,
      problem: "its agent takes no backups (an older galera-pilot, without POST /backup)",
    });
    const other = await fetch(`${base}/status`, { method: "POST" });
    assert.equal(other.status, 405);
  });
});

describe("GET /backup", () => {
  it("answers the agent's backup activity, without the secret", async () => {
    const base = await start(recording({ accepted: "x" }));
    assert.deepEqual(await readBackupActivity(base), {
      running: null,
      last: null,
      destination: "/srv/backups",
    });
  });

  it("is null from an agent that does not answer it", async () => {
    const base = await start(undefined);
    assert.equal(await readBackupActivity(base), null);
  });
});
