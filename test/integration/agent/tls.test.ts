import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { connect as tlsConnect } from "node:tls";
import { lookUpOsUser } from "../../../src/mysqld/os-user.js";
import { probe } from "../../support/http-probe.js";
import { makeStateDir, sql } from "../../support/local-cluster-harness.js";
import { errorLines, runCli, spawnCli, type CliResult } from "../../support/run-cli.js";
import { makeTestPki, type TestPki } from "../../support/test-pki.js";

/**
 * TLS for replication, IST and SST (GALERA_PILOT_TLS_CA/_CERT/_KEY): a CA and node
 * certificates made with openssl here, a 2-node cluster on 127.0.21.30-31 that joins by an
 * encrypted SST and replicates over TLS, and a node with a certificate of another CA, which
 * the cluster refuses and whose agent says so in one line.
 */
describe("given a 2-node cluster with TLS", { timeout: 600_000 }, () => {
  const base = makeStateDir("tls");
  const addresses = { n1: "127.0.21.30", n2: "127.0.21.31", stranger: "127.0.21.32" };
  let pki: TestPki;
  const agents: { child: ChildProcess; result: Promise<CliResult>; output: () => string }[] = [];

  const env = (name: keyof typeof addresses, tls: Record<string, string>): Record<string, string> => ({
    MYSQL_ROOT_PASSWORD: "root-pw",
    XTRABACKUP_PASSWORD: "sst-pw",
    GALERA_PILOT_CLUSTER_SECRET: "cluster-secret",
    GALERA_PILOT_CLUSTER_NAME: "tls",
    GALERA_PILOT_NAME: name,
    GALERA_PILOT_ADDRESS: addresses[name],
    GALERA_PILOT_HEALTH_ADDRESS: addresses[name],
    GALERA_PILOT_DATADIR: join(base, name, "data"),
    GALERA_PILOT_RUN_DIR: join(base, name, "run"),
    GALERA_PILOT_SAMPLE_INTERVAL: "500",
    GALERA_PILOT_DRAIN: "0",
    ...tls,
  });
  const start = (args: string[], environment: Record<string, string>) => {
    const run = spawnCli(args, environment);
    let output = "";
    run.child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
    run.child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
    const agent = { ...run, output: () => output };
    agents.push(agent);
    return agent;
  };
  const waitReady = async (address: string, agent: { result: Promise<CliResult>; output: () => string }) => {
    let exited = false;
    void agent.result.then(() => (exited = true));
    const deadline = Date.now() + 240_000;
    while ((await probe(address, 8080, "/ready").catch(() => null))?.code !== 200) {
      if (exited || Date.now() > deadline)
        throw new Error(`${address} not ready:\n${agent.output().slice(-4000)}`);
      await sleep(500);
    }
  };
  const socket = (name: string) => join(base, name, "run", "mysqld.sock");
  let n2: ReturnType<typeof start>;

  before(async () => {
    pki = await makeTestPki(join(base, "pki"), ["n1", "n2"], lookUpOsUser("mysql"));
    const n1 = start(["seed"], env("n1", pki.nodeEnv("n1")));
    await waitReady(addresses.n1, n1);
    n2 = start(["node", addresses.n1], env("n2", pki.nodeEnv("n2")));
    await waitReady(addresses.n2, n2);
  });

  after(async () => {
    for (const agent of agents) {
      if (agent.child.exitCode === null && agent.child.signalCode === null) agent.child.kill("SIGTERM");
      await agent.result;
    }
  });

  it("then both nodes are synced and Galera runs with TLS on", async () => {
    const [size] = await sql(socket("n2"), "SHOW GLOBAL STATUS LIKE 'wsrep_cluster_size'");
    assert.equal(size?.["Value"], "2");
    const [options] = await sql(socket("n1"), "SHOW GLOBAL VARIABLES LIKE 'wsrep_provider_options'");
    const text = String(options?.["Value"]);
    assert.match(text, /socket\.ssl = YES/);
    assert.match(text, new RegExp(`socket\\.ssl_cert = ${pki.node("n1").cert.replace(/[.]/g, "\\.")}`));
    assert.match(text, /gmcast\.listen_addr = ssl:\/\/127\.0\.21\.30:4567/);
  });

  it("then the replication port answers TLS with n1's certificate of the cluster's CA", async () => {
    const subject = await new Promise<string>((resolve, reject) => {
      const socket = tlsConnect({
        host: addresses.n1,
        port: 4567,
        ca: readFileSync(pki.ca.cert),
        cert: readFileSync(pki.node("n2").cert),
        key: readFileSync(pki.node("n2").key),
        // Certificates name nodes, not addresses; Galera checks the chain only.
        checkServerIdentity: () => undefined,
      });
      socket.once("secureConnect", () => {
        resolve(String(socket.getPeerCertificate().subject.CN));
        socket.destroy();
      });
      socket.once("error", reject);
    });
    assert.equal(subject, "n1");
  });

  it("then n2 joined by an encrypted SST, and writes replicate", async () => {
    assert.match(
      n2.output(),
      /WSREP_SST: \[INFO\] Using openssl based encryption with socat: with key and crt/,
    );
    assert.match(n2.output(), /WSREP: IST receiver using ssl/);
    await sql(
      socket("n1"),
      "CREATE DATABASE IF NOT EXISTS tlscheck",
      "CREATE TABLE IF NOT EXISTS tlscheck.t (id INT PRIMARY KEY)",
      "REPLACE INTO tlscheck.t VALUES (7)",
    );
    const deadline = Date.now() + 10_000;
    for (;;) {
      const rows = await sql(socket("n2"), "SELECT id FROM tlscheck.t").catch(() => []);
      if (rows.length === 1 && rows[0]?.["id"] === 7) break;
      if (Date.now() > deadline) throw new Error("the row did not reach n2");
      await sleep(200);
    }
  });

  it("when a node has a certificate of another CA, then it cannot join and its agent says so in one line, exit 5", async () => {
    const result = await runCli(
      ["node", addresses.n1],
      env("stranger", {
        GALERA_PILOT_TLS_CA: pki.wrongCa.cert,
        GALERA_PILOT_TLS_CERT: pki.stranger.cert,
        GALERA_PILOT_TLS_KEY: pki.stranger.key,
      }),
      240_000,
    );
    const lines = errorLines(result);
    assert.equal(result.exitCode, 5, `exit 5, got ${result.exitCode}:\n${result.stderr.slice(-3000)}`);
    assert.equal(lines.length, 1, `one error line, got:\n${lines.join("\n")}`);
    console.log(`exit ${result.exitCode}: ${lines[0]}`);
    assert.match(
      lines[0]!,
      /mariadbd could not join: Galera's TLS handshake with its peers failed \(certificate verify failed.*\).*not restarted/,
    );
    assert.equal(
      ((result.stdout + result.stderr).match(/galera-pilot\[stranger\] info: mariadbd started/g) ?? [])
        .length,
      1,
      "never restarted",
    );
    const [size] = await sql(socket("n1"), "SHOW GLOBAL STATUS LIKE 'wsrep_cluster_size'");
    assert.equal(size?.["Value"], "2", "the cluster did not let it in");
  });
});
