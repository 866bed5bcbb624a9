import { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { failureAwareSteps } from "../support/failure-aware-steps.js";
import { ensureImages, podman, projectImage, repoRoot, runCommand } from "../support/container-images.js";
import type { NodeStatusReport } from "../../src/model/node-status.js";
import { fetchNodeStatus } from "../../src/peer-api/node-status-client.js";

/**
 * The repository's compose.yaml, run as a user runs it: `docker-compose up -d` (Debian's
 * docker-compose 1.29) against podman's Docker-compatible API, since no Docker engine runs
 * here. The file is used as is; an override file adds only what this machine needs (the
 * image built by the tests instead of a build, runc, and the lowered ulimits that
 * compose.yaml documents for such machines). Its three services start together, with no
 * seed dance, form one cluster, pass their own healthcheck, replicate, and come back by
 * themselves after `docker-compose stop` and `start`.
 */

const artifacts = join(repoRoot, "test-artifacts", "containers");
const socket = "/run/galera-pilot/mysqld.sock";
const syncTimeoutMs = 300_000;
const services = ["seed", "n2", "n3"] as const;
/** compose.yaml publishes each service's 8080 on 127.0.0.1:808N. */
const healthPorts: Record<(typeof services)[number], number> = { seed: 8081, n2: 8082, n3: 8083 };

const override = `# Only what this machine needs beside compose.yaml (test/containers/compose.test.ts).
x-machine: &machine
  image: ${projectImage}
  runtime: runc
  ulimits:
    nofile: { soft: 1024, hard: 1024 }
    nproc: { soft: 1024, hard: 1024 }
services:
  seed: *machine
  n2: *machine
  n3: *machine
`;

describe(
  "given compose.yaml, run by docker-compose against podman's Docker API",
  { timeout: 1_800_000 },
  () => {
    const project = `gp${process.pid}compose`;
    let dir = "";
    let service: ChildProcess | null = null;
    let env: NodeJS.ProcessEnv = {};
    let clusterUuid = "";
    const { step, failed } = failureAwareSteps();
    const container = (name: string): string => `${project}_${name}_1`;

    const compose = async (...args: string[]): Promise<string> => {
      const result = await runCommand(
        "docker-compose",
        ["-p", project, "-f", "compose.yaml", "-f", "override.yaml", ...args],
        { cwd: dir, env, timeoutMs: 600_000 },
      );
      if (result.code !== 0) {
        throw new Error(
          `docker-compose ${args.join(" ")} failed (exit ${result.code}): ${result.stderr.trim()}`,
        );
      }
      return result.stdout + result.stderr;
    };

    const sql = async (name: string, statements: string): Promise<string> => {
      const result = await podman([
        "exec",
        container(name),
        "mariadb",
        "-S",
        socket,
        "-N",
        "-B",
        "-e",
        statements,
      ]);
      if (result.code !== 0) throw new Error(`SQL on ${name} failed: ${result.stderr.trim()}`);
      return result.stdout;
    };

    const waitForCluster = async (what: string): Promise<NodeStatusReport[]> => {
      const deadline = Date.now() + syncTimeoutMs;
      let last: (NodeStatusReport | null)[] = [];
      while (Date.now() < deadline) {
        last = await Promise.all(
          services.map((s) => fetchNodeStatus(`http://127.0.0.1:${healthPorts[s]}`, 3000)),
        );
        if (
          last.every((s) => s?.phase === "synced" && s.clusterStatus === "Primary" && s.clusterSize === 3)
        ) {
          return last as NodeStatusReport[];
        }
        await sleep(1000);
      }
      const seen = last.map((s, i) =>
        s ? `${s.node}: ${s.phase} size ${s.clusterSize ?? "-"}` : `${services[i]}: no answer`,
      );
      throw new Error(`not ${what} within ${syncTimeoutMs / 1000} s: ${seen.join("; ")}`);
    };

    before(async () => {
      await mkdir(artifacts, { recursive: true });
      await ensureImages({ logPath: join(artifacts, "image-build.log") });
      dir = await mkdtemp(join(tmpdir(), "gp-compose-"));
      await copyFile(join(repoRoot, "compose.yaml"), join(dir, "compose.yaml"));
      await writeFile(join(dir, "override.yaml"), override);
      await mkdir(join(dir, "secrets"));
      for (const name of ["mysql_root_password", "xtrabackup_password", "cluster_secret"]) {
        await writeFile(join(dir, "secrets", name), `${randomBytes(24).toString("hex")}\n`, { mode: 0o600 });
      }
      // podman's Docker-compatible API on a socket of our own; runc, as crun fails here.
      const apiSocket = join(dir, "podman.sock");
      service = spawn(
        "podman",
        ["--runtime", "runc", "system", "service", "--time=0", `unix://${apiSocket}`],
        {
          stdio: "ignore",
        },
      );
      env = { ...process.env, DOCKER_HOST: `unix://${apiSocket}` };
      for (const deadline = Date.now() + 30_000; ; await sleep(200)) {
        const ping = await runCommand("curl", ["-sf", "--unix-socket", apiSocket, "http://d/_ping"]);
        if (ping.code === 0) break;
        if (Date.now() > deadline) throw new Error("podman's API service did not answer within 30 s");
      }
    });

    after(async () => {
      if (dir) {
        if (failed()) {
          for (const name of services) {
            const log = await podman(["logs", container(name)]);
            await writeFile(join(artifacts, `${container(name)}.log`), log.stdout + log.stderr);
          }
          console.error(`compose container logs: ${artifacts}/${project}_*.log`);
        }
        await runCommand(
          "docker-compose",
          ["-p", project, "-f", "compose.yaml", "-f", "override.yaml", "down", "-v", "-t", "150"],
          {
            cwd: dir,
            env,
            timeoutMs: 600_000,
          },
        );
      }
      service?.kill("SIGTERM");
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    step(
      "when `docker-compose up -d` starts the three services together, then they form one cluster by themselves",
      async () => {
        await compose("up", "-d", "--no-build");
        const all = await waitForCluster("3 of 3 synced");
        clusterUuid = all[0]!.clusterStateUuid ?? "";
        assert.match(clusterUuid, /^[0-9a-f-]{36}$/);
        assert.deepEqual(
          all.map((s) => s.clusterStateUuid),
          [clusterUuid, clusterUuid, clusterUuid],
          "one cluster, not several",
        );
      },
    );

    step("then compose.yaml's healthcheck passes in every service", async () => {
      for (const name of services) {
        const result = await podman(["healthcheck", "run", container(name)]);
        assert.equal(result.code, 0, `${name}'s healthcheck: ${result.stdout}${result.stderr}`);
      }
    });

    step("when a row is written on one service, then every service reads it", async () => {
      await sql(
        "seed",
        "CREATE DATABASE c; CREATE TABLE c.t (id INT PRIMARY KEY); INSERT INTO c.t VALUES (1)",
      );
      for (const name of services) {
        assert.equal(await sql(name, "SET SESSION wsrep_sync_wait=1; SELECT id FROM c.t"), "1\n", name);
      }
    });

    step(
      "when `docker-compose stop` then `start`, then each left cleanly and the same cluster comes back",
      async () => {
        await compose("stop");
        for (const name of services) {
          const code = await podman(["inspect", "--format", "{{.State.ExitCode}}", container(name)]);
          assert.equal(code.stdout.trim(), "0", `${name} left the cluster cleanly (exit 0)`);
        }
        await compose("start");
        const all = await waitForCluster("3 of 3 synced after a full stop");
        assert.deepEqual(
          all.map((s) => s.clusterStateUuid),
          [clusterUuid, clusterUuid, clusterUuid],
        );
        for (const name of services) {
          assert.equal(await sql(name, "SET SESSION wsrep_sync_wait=1; SELECT id FROM c.t"), "1\n", name);
        }
      },
    );
  },
);
