import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { failureAwareSteps } from "../support/failure-aware-steps.js";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ensureImages,
  podman,
  podmanMachineFlags,
  projectImage,
  repoRoot,
} from "../support/container-images.js";
import type { NodeStatusReport } from "../../src/model/node-status.js";
import { fetchNodeStatus } from "../../src/peer-api/node-status-client.js";
import { probe } from "../support/http-probe.js";

/**
 * The 2015 post's scenario with the image built from the repository's Dockerfile, on a podman
 * network where every container carries the alias `galera` (the Consul DNS pattern: `node
 * galera` resolves to every member): `seed`, then two `node galera`; a write replicates; the
 * seed stopped and started again joins instead of forming a second cluster; a node removed
 * and re-created on its volume rejoins by IST; everything stopped (SIGTERM) and started
 * again recovers by itself; health on 8080 answers on the host.
 */

const artifacts = join(repoRoot, "test-artifacts", "containers");
const socket = "/run/galera-pilot/mysqld.sock";
/** podman stop's grace: longer than the agent's drain plus a clean leave of mariadbd. */
const stopGraceSeconds = "150";
const syncTimeoutMs = 300_000;

interface Member {
  name: string;
  /** Container name, hostname and the agent's node name. */
  container: string;
  volume: string;
  healthPort: number;
  args: string[];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function must(args: string[], timeoutMs = 300_000): Promise<string> {
  const result = await podman(args, undefined, timeoutMs);
  if (result.code !== 0) {
    throw new Error(`podman ${args.join(" ")} failed (exit ${result.code}): ${result.stderr.trim()}`);
  }
  return result.stdout;
}

/** GET /status through the host port; null while the agent does not answer. */
function agentStatus(member: Member): Promise<NodeStatusReport | null> {
  return fetchNodeStatus(`http://127.0.0.1:${member.healthPort}`, 3000);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe("given the image's seed and two `node galera` on a podman network", { timeout: 2_400_000 }, () => {
  const id = `gp${process.pid}`;
  const network = `${id}-net`;
  let secrets = "";
  let members: Member[] = [];
  let clusterUuid = "";
  const { step, failed } = failureAwareSteps();

  const member = (name: string): Member => members.find((m) => m.name === name)!;

  const statuses = async (): Promise<(NodeStatusReport | null)[]> => Promise.all(members.map(agentStatus));

  async function waitFor(
    what: string,
    ok: (s: (NodeStatusReport | null)[]) => boolean,
    timeoutMs = syncTimeoutMs,
  ): Promise<(NodeStatusReport | null)[]> {
    const deadline = Date.now() + timeoutMs;
    let last: (NodeStatusReport | null)[] = [];
    while (Date.now() < deadline) {
      last = await statuses();
      if (ok(last)) return last;
      await sleep(1000);
    }
    const seen = last.map((s, i) =>
      s
        ? `${s.node}: ${s.phase} ${s.clusterStatus ?? "-"} size ${s.clusterSize ?? "-"}; ${s.lastDecision?.action ?? ""} ${s.lastDecision?.reason ?? ""}`
        : `${members[i]?.name}: no answer`,
    );
    throw new Error(`not ${what} within ${timeoutMs / 1000} s:\n  ${seen.join("\n  ")}`);
  }

  const synced =
    (names: string[], size: number) =>
    (all: (NodeStatusReport | null)[]): boolean =>
      names.every((name) => {
        const s = all[members.findIndex((m) => m.name === name)];
        return s?.phase === "synced" && s.clusterStatus === "Primary" && s.clusterSize === size;
      });
  const everyone = (): string[] => members.map((m) => m.name);

  async function runContainer(m: Member): Promise<void> {
    await must([
      "run",
      "-d",
      ...podmanMachineFlags,
      "--name",
      m.container,
      "--hostname",
      m.container,
      "--network",
      network,
      "--network-alias",
      "galera",
      "--stop-timeout",
      stopGraceSeconds,
      "-v",
      `${m.volume}:/var/lib/mysql`,
      "-v",
      `${secrets}:/run/secrets:ro`,
      "-e",
      "MYSQL_ROOT_PASSWORD_FILE=/run/secrets/mysql-root-password",
      "-e",
      "XTRABACKUP_PASSWORD_FILE=/run/secrets/xtrabackup-password",
      // No GALERA_PILOT_CLUSTER_SECRET: the post gives these two passwords only, and the agents
      // derive their peer API key from the SST password they share. No GALERA_PILOT_PEERS
      // either: the seed is run as the post runs it, and a restarted seed asks the members it
      // last saw (kept in its datadir) instead of bootstrapping a second cluster.
      "-p",
      `127.0.0.1:${m.healthPort}:8080`,
      projectImage,
      ...m.args,
    ]);
  }

  async function sql(name: string, statements: string): Promise<string> {
    return must(
      ["exec", member(name).container, "mariadb", "-S", socket, "-N", "-B", "-e", statements],
      60_000,
    );
  }

  async function logsSince(name: string, since: string | null): Promise<string> {
    const result = await podman(["logs", ...(since ? ["--since", since] : []), member(name).container]);
    return result.stdout + result.stderr;
  }

  before(async () => {
    await mkdir(artifacts, { recursive: true });
    const started = Date.now();
    const timings = await ensureImages({ logPath: join(artifacts, "image-build.log") });
    console.log(
      `images ready in ${Math.round((Date.now() - started) / 1000)} s (base ${timings.baseMs} ms, node ${timings.nodeMs} ms, project ${timings.projectMs} ms; base and node cached: ${timings.cached})`,
    );
    secrets = await mkdtemp(join(tmpdir(), "galera-pilot-secrets-"));
    await writeFile(join(secrets, "mysql-root-password"), `${randomBytes(12).toString("hex")}\n`, {
      mode: 0o600,
    });
    await writeFile(join(secrets, "xtrabackup-password"), `${randomBytes(12).toString("hex")}\n`, {
      mode: 0o600,
    });
    // A network with DNS (aardvark-dns): the alias `galera` resolves to every member.
    await must(["network", "create", network]);
    members = [];
    for (const [name, args] of [
      ["seed", ["seed"]],
      ["n2", ["node", "galera"]],
      ["n3", ["node", "galera"]],
    ] as const) {
      members.push({
        name,
        container: `${id}-${name}`,
        volume: `${id}-${name}-data`,
        healthPort: await freePort(),
        args: [...args],
      });
    }
  });

  after(async () => {
    if (failed()) {
      for (const m of members) {
        const log = await logsSince(m.name, null);
        await writeFile(join(artifacts, `${m.container}.log`), log);
      }
      console.error(`container logs: ${artifacts}/${id}-*.log`);
    }
    if (members.length) await podman(["rm", "-f", "-t", "0", ...members.map((m) => m.container)]);
    await podman(["network", "rm", "-f", network]);
    if (members.length) await podman(["volume", "rm", "-f", ...members.map((m) => m.volume)]);
    if (secrets) await rm(secrets, { recursive: true, force: true });
  });

  step("when the seed starts, then it forms a cluster of one", async () => {
    await runContainer(member("seed"));
    const [seed] = await waitFor("seed synced", synced(["seed"], 1));
    clusterUuid = seed?.clusterStateUuid ?? "";
    assert.match(clusterUuid, /^[0-9a-f-]{36}$/);
    assert.equal(seed?.lastDecision?.action, "bootstrap-new-cluster");
  });

  step("when two `node galera` start, then 3 of 3 are synced in one cluster", async () => {
    await runContainer(member("n2"));
    await runContainer(member("n3"));
    const all = await waitFor("3 of 3 synced", synced(everyone(), 3));
    assert.deepEqual(
      all.map((s) => s?.clusterStateUuid),
      [clusterUuid, clusterUuid, clusterUuid],
    );
  });

  step(
    "then with only the post's two passwords, each agent says once that its peer API key comes from the SST password",
    async () => {
      for (const m of members) {
        const lines = (await logsSince(m.name, null))
          .split("\n")
          .filter((line) => line.includes("GALERA_PILOT_CLUSTER_SECRET is not set"));
        assert.equal(lines.length, 1, `${m.name} says it once`);
        assert.match(lines[0]!, /the peer API key is derived from XTRABACKUP_PASSWORD/);
      }
    },
  );

  step(
    "then `docker exec CONTAINER mariadb -uroot -pPASSWORD` works as typed: the client finds the agent's server",
    async () => {
      const password = (await readFile(join(secrets, "mysql-root-password"), "utf8")).trim();
      for (const m of members) {
        const out = await must(
          [
            "exec",
            m.container,
            "mariadb",
            "-uroot",
            `-p${password}`,
            "-N",
            "-B",
            "-e",
            "SHOW GLOBAL STATUS LIKE 'wsrep_cluster_size'",
          ],
          60_000,
        );
        assert.equal(out.trim(), "wsrep_cluster_size\t3", m.name);
      }
    },
  );

  step(
    "then the image declares its ports, volume and entrypoint, and its config holds no secret",
    async () => {
      const [image] = JSON.parse(await must(["image", "inspect", projectImage])) as {
        Config: {
          ExposedPorts?: Record<string, unknown>;
          Volumes?: Record<string, unknown>;
          Entrypoint?: string[];
          Env?: string[];
        };
      }[];
      const config = image!.Config;
      assert.deepEqual(Object.keys(config.ExposedPorts ?? {}).sort(), [
        "3306/tcp",
        "4444/tcp",
        "4567/tcp",
        "4568/tcp",
        "8080/tcp",
      ]);
      assert.deepEqual(Object.keys(config.Volumes ?? {}), ["/var/lib/mysql"]);
      assert.equal(config.Entrypoint?.[0], "/usr/bin/tini", "tini is PID 1: it reaps what SST scripts leave");
      const secretEnv = (config.Env ?? []).filter((e) => /PASSWORD|SECRET/i.test(e.split("=")[0]!));
      assert.deepEqual(secretEnv, [], "no password or secret baked into the image's environment");
      const history = await must([
        "image",
        "history",
        "--no-trunc",
        "--format",
        "{{.CreatedBy}}",
        projectImage,
      ]);
      assert.doesNotMatch(history, /PASSWORD=\S|SECRET=\S/, "no build step sets a password");
    },
  );

  step("then in each container tini is PID 1, the agent its child, and mariadbd runs as mysql", async () => {
    for (const m of members) {
      // /proc, not ps: the image has no procps.
      const table = await must([
        "exec",
        m.container,
        "sh",
        "-c",
        "for p in /proc/[0-9]*; do echo \"${p#/proc/} $(awk '/^PPid:/{print $2}' $p/status) $(awk '/^Uid:/{print $2}' $p/status) $(cat $p/comm)\"; done",
      ]);
      const processes = table
        .trim()
        .split("\n")
        .map((line) => line.split(" "))
        .map(([pid, ppid, uid, comm]) => ({ pid: Number(pid), ppid: Number(ppid), uid: Number(uid), comm }));
      const byPid = new Map(processes.map((p) => [p.pid, p]));
      assert.equal(byPid.get(1)?.comm, "tini", `${m.name}: PID 1`);
      const agent = processes.find((p) => p.comm === "node" && p.ppid === 1);
      assert.ok(agent, `${m.name}: the agent (node) is tini's child`);
      assert.equal(agent.uid, 0, `${m.name}: the agent runs as root (unix_socket auth to its own mariadbd)`);
      const server = processes.find((p) => p.comm === "mariadbd");
      assert.ok(server, `${m.name}: mariadbd runs`);
      assert.equal(server.ppid, agent.pid, `${m.name}: mariadbd is the agent's child`);
      const mysqlUid = Number((await must(["exec", m.container, "id", "-u", "mysql"])).trim());
      assert.notEqual(mysqlUid, 0);
      assert.equal(server.uid, mysqlUid, `${m.name}: mariadbd runs as mysql`);
    }
  });

  step("when a row is written on the seed, then it reads back on both nodes", async () => {
    await sql(
      "seed",
      "CREATE DATABASE t; CREATE TABLE t.rows (id INT PRIMARY KEY, node VARCHAR(8)); INSERT INTO t.rows VALUES (1, 'seed')",
    );
    await sql("n2", "INSERT INTO t.rows VALUES (2, 'n2')");
    for (const name of ["n2", "n3", "seed"]) {
      const rows = await sql(name, "SET SESSION wsrep_sync_wait=1; SELECT id, node FROM t.rows ORDER BY id");
      assert.equal(rows, "1\tseed\n2\tn2\n", `${name} reads both rows`);
    }
  });

  step("when the seed container is stopped and started again, then it joins, no second cluster", async () => {
    await must(["stop", "-t", stopGraceSeconds, member("seed").container]);
    await waitFor("n2 and n3 synced without the seed", synced(["n2", "n3"], 2));
    await sql("n2", "INSERT INTO t.rows VALUES (3, 'n2')");
    const since = new Date().toISOString();
    await must(["start", member("seed").container]);
    const all = await waitFor("seed back, 3 of 3 synced", synced(everyone(), 3));
    assert.deepEqual(
      all.map((s) => s?.clusterStateUuid),
      [clusterUuid, clusterUuid, clusterUuid],
      "one cluster: the seed joined the running one",
    );
    const log = await logsSince("seed", since);
    assert.match(log, /no peers configured: asking the members this node last saw in its cluster/);
    assert.match(log, /decision: (join|await-pc-recovery): /);
    assert.doesNotMatch(log, /decision: bootstrap: /, "the restarted seed never bootstraps");
    assert.equal(await sql("seed", "SET SESSION wsrep_sync_wait=1; SELECT COUNT(*) FROM t.rows"), "3\n");
  });

  step("when n3's container is removed and re-created on its volume, then it rejoins by IST", async () => {
    const n3 = member("n3");
    await must(["stop", "-t", stopGraceSeconds, n3.container]);
    await must(["rm", n3.container]);
    await waitFor("seed and n2 synced without n3", synced(["seed", "n2"], 2));
    await sql("seed", "INSERT INTO t.rows VALUES (4, 'seed')");
    await runContainer(n3);
    await waitFor("n3 back, 3 of 3 synced", synced(everyone(), 3));
    const log = await logsSince("n3", null);
    // MariaDB runs the SST script on a joiner even for IST; the donor tells it to skip the copy.
    assert.match(log, /Receiving IST: \d+ writesets/, "n3 received the missed write by IST");
    assert.match(log, /mariabackup IST completed on joiner/);
    assert.doesNotMatch(log, /SST completed on joiner/, "no full SST on the re-created node");
    assert.equal(await sql("n3", "SELECT COUNT(*) FROM t.rows"), "4\n");
  });

  step(
    "when every container is stopped (SIGTERM) and started again, then they recover by themselves",
    async () => {
      await must(["stop", "-t", stopGraceSeconds, ...members.map((m) => m.container)], 600_000);
      for (const m of members) {
        const state = await must(["inspect", "--format", "{{.State.ExitCode}}", m.container]);
        assert.equal(state.trim(), "0", `${m.name} left the cluster cleanly (exit 0)`);
      }
      await must(["start", ...members.map((m) => m.container)]);
      const all = await waitFor("3 of 3 synced after a total stop", synced(everyone(), 3));
      assert.deepEqual(
        all.map((s) => s?.clusterStateUuid),
        [clusterUuid, clusterUuid, clusterUuid],
        "the same cluster is back",
      );
      for (const name of everyone()) {
        assert.equal(
          await sql(name, "SET SESSION wsrep_sync_wait=1; SELECT COUNT(*) FROM t.rows"),
          "4\n",
          `${name} has every row`,
        );
      }
    },
  );

  step("then `/` on 8080 answers 200 on the host for every container", async () => {
    for (const m of members) {
      const answer = await probe("127.0.0.1", m.healthPort, "/");
      assert.equal(answer.code, 200, `${m.name} at 127.0.0.1:${m.healthPort}`);
    }
  });
});
