import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { chromium, type Browser, type Page } from "playwright-core";
import { makeStateDir } from "../../support/local-cluster-harness.js";
import { runCli } from "../../support/run-cli.js";
import { startLocalRunner, type LocalRunner } from "../../support/local-runner.js";

/**
 * The dashboard in a real browser (Debian's chromium, headless, driven by playwright-core)
 * against a real local cluster, and `galera-pilot doctor` on the same cluster: healthy, one
 * node stopped, and the whole cluster stopped (it reads the datadirs then).
 */
describe("given the local cluster's dashboard in a browser", { timeout: 900_000 }, () => {
  const stateDir = makeStateDir("dashboard");
  const flags = ["--state-dir", stateDir];
  const routerAddress = "127.0.22.1";
  const dashboardUrl = `http://${routerAddress}:8088/`;
  const artifacts = join(process.cwd(), "test-artifacts", "dashboard");
  let runner: LocalRunner;
  let browser: Browser;
  let page: Page;
  const cli = (...args: string[]) => runCli([...args, ...flags], {}, 300_000);

  const startRunner = async (): Promise<void> => {
    runner = await startLocalRunner(
      [...flags, "--first-address", "127.0.22.2", "--router-address", routerAddress],
      { lifetimeMs: 900_000 },
    );
  };
  const stopRunner = async (): Promise<void> => void (await runner.stop());
  /** The text of one field of one node's card. */
  const field = (node: string, name: string) => page.locator(`[data-node="${node}"] [data-field="${name}"]`);
  const cardClass = async (node: string) =>
    (await page.locator(`[data-node="${node}"]`).getAttribute("class")) ?? "";

  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    await startRunner();
    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });

  after(async () => {
    await browser?.close();
    await stopRunner();
  });

  it("then the page shows 3 synced nodes, one writer and HAProxy's backends; doctor says healthy", async () => {
    await page.goto(dashboardUrl);
    for (const node of ["n1", "n2", "n3"]) {
      await page.waitForFunction(
        (n) => document.querySelector(`[data-node="${n}"] [data-field="phase"]`)?.textContent === "synced",
        node,
        {
          timeout: 15_000,
        },
      );
      assert.match(await field(node, "health").innerText(), /\/ready 200/);
    }
    await page.waitForFunction(() => document.querySelectorAll('[data-field="writer"]').length === 1, null, {
      timeout: 15_000,
    });
    await page.waitForFunction(() => document.querySelectorAll("#backends tbody tr").length === 3, null, {
      timeout: 15_000,
    });
    assert.match(await page.locator("#headline").innerText(), /^3 of 3 synced · writes go to n\d$/);
    await page.screenshot({ path: join(artifacts, "1-synced.png"), fullPage: true });

    const doctor = await cli("doctor");
    assert.equal(doctor.exitCode, 0, doctor.stdout + doctor.stderr);
    assert.match(doctor.stdout, /^healthy: 3 of 3 nodes synced, writes go to n\d$/m);
    const status = JSON.parse((await cli("status", "--json")).stdout) as { dashboard: string };
    assert.equal(status.dashboard, dashboardUrl);
  });

  it("when a backup of the local cluster is taken, then status and the page's backups line name it", async () => {
    await page.waitForFunction(
      () =>
        document
          .querySelector('[data-field="backups"]')
          ?.textContent?.startsWith("backups: no complete backup in"),
      null,
      { timeout: 15_000 },
    );
    // The local runner's agents: found through its control socket, the secret from its state folder.
    const backup = await cli("backup");
    assert.equal(backup.exitCode, 0, backup.stdout + backup.stderr);
    const id = /^backup (\S+) is complete \(on n\d, in \S+\/backups\)$/m.exec(backup.stdout)?.[1];
    assert.ok(id, backup.stdout);
    await page.waitForFunction(
      (backupId) =>
        document
          .querySelector('[data-field="backups"]')
          ?.textContent?.startsWith(`backups: last complete ${backupId}, ended `),
      id,
      { timeout: 15_000 },
    );
    assert.match(await page.locator("#backups").innerText(), /; running: none$/);
    const status = await cli("status");
    assert.match(
      status.stdout,
      new RegExp(`^backups: last complete ${id}, ended \\d+ s ago; running: none$`, "m"),
    );
  });

  it("when n2 is killed, then its card turns unhealthy, comes back synced, and the timeline says so", async () => {
    assert.equal((await cli("kill", "n2")).exitCode, 0);
    await page.waitForFunction(
      () => !document.querySelector('[data-node="n2"]')?.classList.contains("synced"),
      null,
      { timeout: 15_000 },
    );
    await page.screenshot({ path: join(artifacts, "2-n2-killed.png"), fullPage: true });
    assert.doesNotMatch(await cardClass("n2"), /\bsynced\b/);
    await page.waitForFunction(
      () => document.querySelector('[data-node="n2"] [data-field="phase"]')?.textContent === "synced",
      null,
      { timeout: 120_000 },
    );
    const timeline = await page.locator("#timeline").innerText();
    assert.match(timeline, /n2\s+synced → \S+/);
    assert.match(timeline, /n2\s+\S+ → synced/);
    await page.screenshot({ path: join(artifacts, "3-n2-back.png"), fullPage: true });
  });

  it("when n3 is stopped, then doctor says the cluster serves degraded and to start n3", async () => {
    assert.equal((await cli("stop", "n3")).exitCode, 0);
    const doctor = await cli("doctor");
    assert.equal(doctor.exitCode, 5, doctor.stdout + doctor.stderr);
    assert.match(doctor.stdout, /^serving with 2 of 3 nodes synced, writes go to n\d$/m);
    assert.match(
      doctor.stdout,
      /n3: no answer from its agent at http:\/\/127\.0\.22\.4:8080 \(unreachable\): start it/,
    );
    assert.equal((await cli("start", "n3")).exitCode, 0);
  });

  it("when the whole cluster is stopped, then doctor reads the datadirs: who has the newest data, start them", async () => {
    for (const deadline = Date.now() + 120_000; ; await sleep(500)) {
      const nodes = (JSON.parse((await cli("status", "--json")).stdout) as { nodes: { phase: string }[] })
        .nodes;
      if (nodes.every((n) => n.phase === "synced")) break;
      assert.ok(Date.now() < deadline, "n3 did not sync again after start");
    }
    await stopRunner();
    const doctor = await cli("doctor");
    assert.equal(doctor.exitCode, 6, doctor.stdout + doctor.stderr);
    assert.match(doctor.stdout, /^down: no agent answered; start the nodes and they recover by themselves$/m);
    assert.match(doctor.stdout, /has the newest data known \(seqno \d+\)/);
    // A clean stop leaves exactly one node, the last out, marked safe to bootstrap.
    assert.equal(doctor.stdout.match(/safe_to_bootstrap 1: start it/g)?.length, 1, doctor.stdout);
  });
});
