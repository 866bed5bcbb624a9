/**
 * The agent's recovery turns as the agent runs them (src/agent/recovery-driver.ts), with no
 * mariadbd and no network: each simulated agent is one RecoveryDriver on a real temporary
 * datadir (a grastate.dat, a mysql/ folder, owned by the user running the tests), its own
 * report built by selfReport (self-report.ts) from its facts and its driver's record, a
 * StopRequest, and its peers asked in memory: the other simulated agents' current reports,
 * as the peer API would answer them. What mariadbd would do is the test's: a bootstrapped
 * node is made primary, and after a crash a shell script stands in for `--wsrep-recover`.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { setImmediate as yieldTurn, setTimeout as sleep } from "node:timers/promises";
import { outsidePrimaryGraceMs } from "../../../src/agent/decide-in-place.js";
import type { LivePosition, StartKind } from "../../../src/agent/live-position.js";
import type { PhaseFacts } from "../../../src/agent/phase.js";
import { RecoveryDriver, type PeerAsking } from "../../../src/agent/recovery-driver.js";
import { selfReport } from "../../../src/agent/self-report.js";
import { StopRequest } from "../../../src/agent/stop-request.js";
import { decisionTiming } from "../../../src/decide/decision-timing.js";
import type { PeerEndpoint } from "../../../src/discovery/discovery.js";
import { RefusedError } from "../../../src/errors.js";
import type { Logger } from "../../../src/logger.js";
import type { RecoveredPosition } from "../../../src/model/galera-state.js";
import type { RecoveryAction } from "../../../src/model/node-status.js";
import type { NodeReport } from "../../../src/model/peer-report.js";
import type { DatadirFacts } from "../../../src/mysqld/datadir.js";
import { lookUpOsUser } from "../../../src/mysqld/os-user.js";
import { parseAgentOptions, type AgentOptions } from "../../../src/options/agent-options.js";
import { sampleFromStatus, unreachableSample, type WsrepSample } from "../../../src/probe/wsrep-sample.js";

/** Cluster state UUIDs: A is the cluster's, B another cluster's. */
const A = "2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e";
const B = "7f1c0d2e-0a4b-11f1-8000-0242ac120002";
const NAMES = ["n1", "n2", "n3"] as const;
type Name = (typeof NAMES)[number];
const addressOf = (name: Name): string => `10.0.0.${name.slice(1)}`;
/** The datadirs and run directories belong to whoever runs the tests (root in CI). */
const user = lookUpOsUser(userInfo().username);
/** The smallest sampling interval the options accept: a decision round every 50 ms. */
const SAMPLE_INTERVAL_MS = 100;

const root = mkdtempSync(join(tmpdir(), "gp-recovery-driver-"));
after(() => rmSync(root, { recursive: true, force: true }));
let worlds = 0;

/** grastate.dat as a clean shutdown leaves it. */
function grastateText(uuid: string, seqno: number, safeToBootstrap: boolean): string {
  return `# GALERA saved state\nversion: 2.1\nuuid:    ${uuid}\nseqno:   ${seqno}\nsafe_to_bootstrap: ${safeToBootstrap ? 1 : 0}\n`;
}

/** Every file and folder under `dir`: mode, owner and content, by relative path. */
function snapshot(dir: string): Record<string, string> {
  const found: Record<string, string> = {};
  const walk = (at: string, rel: string): void => {
    for (const entry of readdirSync(at).sort()) {
      const path = join(at, entry);
      const stat = lstatSync(path);
      const key = rel === "" ? entry : `${rel}/${entry}`;
      const owner = `${stat.mode.toString(8)} ${stat.uid}:${stat.gid}`;
      if (stat.isDirectory()) {
        found[`${key}/`] = owner;
        walk(path, key);
      } else found[key] = `${owner} ${readFileSync(path, "latin1")}`;
    }
  };
  walk(dir, "");
  return found;
}

/** The state of a stopped mariadbd: no sample, nothing live. */
const stopped: LivePosition = { inPrimary: false, runningOutsidePrimary: false, position: null };

/** A sample of mariadbd as the sampler would take it. */
function sampleOf(clusterStatus: "Primary" | "non-Primary", uuid: string, seqno: number): WsrepSample {
  return sampleFromStatus(
    Date.now(),
    new Map([
      ["wsrep_cluster_status", clusterStatus],
      ["wsrep_cluster_state_uuid", uuid],
      ["wsrep_local_state_uuid", uuid],
      ["wsrep_last_committed", String(seqno)],
      ["wsrep_local_state", clusterStatus === "Primary" ? "4" : "0"],
    ]),
    false,
  );
}

/**
 * One simulated agent: a RecoveryDriver, its own report (selfReport, from its facts and its
 * driver's record), its log, its lifecycle, the provider options set on its mariadbd.
 */
class SimAgent {
  readonly lines: string[] = [];
  readonly lifecycles: PhaseFacts["lifecycle"][] = [];
  readonly decided: RecoveryAction[] = [];
  readonly providerOptions: string[] = [];
  readonly stop = new StopRequest();
  /** Its peer API answers (a killed agent's does not). */
  answering = true;
  live: LivePosition = stopped;
  sample: WsrepSample = unreachableSample(0, "mariadbd is not running");
  syncedSinceStart = false;
  /** Since when its mariadbd has run outside a primary component (server-watch.ts), or null. */
  outsidePrimarySince: number | null = null;
  /** What its mariadbd does with a provider option once set; nothing by default. */
  onProviderOption: (option: string) => void = () => undefined;
  readonly facts: { recovered: RecoveredPosition | null; datadir: DatadirFacts | null } = {
    recovered: null,
    datadir: null,
  };
  readonly driver: RecoveryDriver;
  #inPlace: { cancel: () => void } | null = null;

  constructor(
    readonly name: Name,
    readonly options: AgentOptions,
    peers: PeerAsking,
  ) {
    const line = (level: string) => (message: string) => void this.lines.push(`${level}: ${message}`);
    const log: Logger = { info: line("info"), warn: line("warn"), error: line("error") };
    this.driver = new RecoveryDriver({
      options,
      log,
      peers,
      stop: this.stop,
      setProviderOption: async (option) => {
        this.providerOptions.push(option);
        this.onProviderOption(option);
      },
      setLifecycle: (lifecycle) => void this.lifecycles.push(lifecycle),
      self: (now) => this.report(now),
      fresh: () => false,
      recovered: () => this.facts.recovered,
      learned: (datadir, recovered) => {
        this.facts.datadir = datadir;
        this.facts.recovered = recovered;
      },
      decided: (action) => void this.decided.push(action),
      recordChanged: () => undefined,
    });
  }

  /** Its report now, as GET /peer/state answers it and as its own decisions read it. */
  report(now: number): NodeReport {
    return selfReport({
      nodeName: this.name,
      clusterName: this.options.clusterName,
      sample: this.sample,
      live: this.live,
      recovered: this.facts.recovered,
      datadir: this.facts.datadir,
      syncedSinceStart: this.syncedSinceStart,
      fresh: false,
      intentAt: this.driver.record.intent?.at ?? null,
      now,
      datadirPath: this.options.datadir,
    });
  }

  /** Its mariadbd is in a primary component of `uuid` at `seqno`, synced: what the sampler sees. */
  primary(uuid: string, seqno: number): void {
    this.sample = sampleOf("Primary", uuid, seqno);
    this.live = { inPrimary: true, runningOutsidePrimary: false, position: { uuid, seqno } };
    this.syncedSinceStart = true;
    this.outsidePrimarySince = null;
    this.driver.primaryReached();
  }

  /** Its mariadbd, synced since its start, was left outside any primary component long enough to decide in place. */
  leftOutsidePrimary(uuid: string, seqno: number): void {
    this.driver.serverStarted();
    this.sample = sampleOf("non-Primary", uuid, seqno);
    this.live = { inPrimary: false, runningOutsidePrimary: true, position: { uuid, seqno } };
    this.syncedSinceStart = true;
    this.outsidePrimarySince = Date.now() - outsidePrimaryGraceMs;
  }

  /** The decision lines it logged, in order. */
  get decisions(): string[] {
    return this.lines.filter((l) => l.startsWith("info: decision: ")).map((l) => l.slice("info: ".length));
  }

  /** Its lifecycle changes, a repeated one once ("waiting" is set every round). */
  get lifecycleChanges(): string[] {
    return this.lifecycles.filter((l, i) => l !== this.lifecycles[i - 1]);
  }

  decideStart(): Promise<StartKind | "stop"> {
    return this.driver.decideStart(user);
  }

  /** Decides in place while its mariadbd runs outside a primary, until its run ends (close()). */
  decideInPlace(): void {
    this.#inPlace = this.driver.decideInPlace({
      outsidePrimarySince: () => this.outsidePrimarySince,
      runningOutsidePrimary: () => this.live.runningOutsidePrimary,
    });
  }

  close(): void {
    this.#inPlace?.cancel();
    this.stop.request("the test is over");
  }
}

/** Three nodes n1…n3 at 10.0.0.1…3, each with its datadir and run directory, and the agents started on them. */
class World {
  readonly dir = join(root, `world-${++worlds}`);
  /** The agent now running for each node, by address. */
  readonly #agents = new Map<string, SimAgent>();
  /** Every agent ever started, killed ones included. */
  readonly all: SimAgent[] = [];

  datadir(name: Name): string {
    return join(this.dir, name, "data");
  }

  runDir(name: Name): string {
    return join(this.dir, name, "run");
  }

  /** A datadir holding data, as mariadbd leaves it, owned by the server's user. */
  writeDatadir(name: Name, grastate: string): void {
    const datadir = this.datadir(name);
    const files = {
      "mysql/db.opt": "default-character-set=utf8mb4\n",
      ibdata1: "InnoDB",
      "grastate.dat": grastate,
    };
    mkdirSync(join(datadir, "mysql"), { recursive: true });
    for (const [file, text] of Object.entries(files)) writeFileSync(join(datadir, file), text);
    for (const path of [datadir, join(datadir, "mysql"), ...Object.keys(files).map((f) => join(datadir, f))])
      chownSync(path, user.uid, user.gid);
  }

  /**
   * What `mariadbd --wsrep-recover` finds in n's InnoDB: a stand-in for mariadbd that prints the
   * line mariadbd prints and changes nothing (recovered-position.ts reads it).
   */
  innodbHolds(name: Name, uuid: string, seqno: number): void {
    const path = join(this.dir, name, "mariadbd");
    writeFileSync(
      path,
      `#!/bin/sh\n# a stand-in for mariadbd --wsrep-recover\necho "2026-11-25 18:08:12 0 [Note] WSREP: Recovered position: ${uuid}:${seqno}" >&2\n`,
    );
    chmodSync(path, 0o755);
  }

  /** Starts an agent for `name` (again, after a kill: a new driver on the same datadir). */
  start(name: Name): SimAgent {
    const options = parseAgentOptions(["node"], {
      MYSQL_ROOT_PASSWORD: "rootpw",
      XTRABACKUP_PASSWORD: "sstpw",
      GALERA_PILOT_CLUSTER_SECRET: "cs",
      GALERA_PILOT_NAME: name,
      GALERA_PILOT_ADDRESS: addressOf(name),
      GALERA_PILOT_PEERS: NAMES.filter((n) => n !== name)
        .map(addressOf)
        .join(","),
      GALERA_PILOT_DATADIR: this.datadir(name),
      GALERA_PILOT_RUN_DIR: this.runDir(name),
      GALERA_PILOT_MYSQLD: join(this.dir, name, "mariadbd"),
      GALERA_PILOT_SAMPLE_INTERVAL: String(SAMPLE_INTERVAL_MS),
    });
    const agent = new SimAgent(name, options, this.#peersOf(name));
    this.#agents.set(addressOf(name), agent);
    this.all.push(agent);
    return agent;
  }

  /** The end of a test: every agent still deciding stops, none is left behind. */
  close(): void {
    for (const agent of this.all) agent.close();
  }

  /**
   * kill -9 of an agent: its peer API stops answering at once. Its driver is ended with its
   * StopRequest, since the killed process does nothing more.
   */
  kill(agent: SimAgent): void {
    agent.answering = false;
    agent.stop.request("SIGKILL");
  }

  /**
   * The agent's peers, asked in memory: a stand-in for PeerDirectory and the HTTP peer API.
   * Like PeerDirectory it keeps each peer's last answer (one that stops answering ages out
   * by the decision's report TTL), knows a peer by its reported name once it answered and by
   * its address before, and a report carries the time it was received.
   */
  #peersOf(self: Name): PeerAsking {
    const last = new Map<string, NodeReport>();
    return {
      endpoints: (): PeerEndpoint[] =>
        NAMES.filter((n) => n !== self).map((n) => ({ address: addressOf(n), port: 4567 })),
      gather: async (peers) => {
        // The answers come back later, as over HTTP: the other agents run meanwhile.
        await yieldTurn();
        for (const peer of peers) {
          const agent = this.#agents.get(peer.address);
          if (agent?.answering) last.set(peer.address, agent.report(Date.now()));
        }
        return peers.flatMap((p) => last.get(p.address) ?? []);
      },
      expectedNames: (peers) => peers.map((p) => last.get(p.address)?.name ?? p.address),
    };
  }
}

/** Runs a test in a world of its own, closed whatever happens. */
async function inWorld(test: (world: World) => Promise<void>): Promise<void> {
  const world = new World();
  try {
    await test(world);
  } finally {
    world.close();
  }
}

/** The decision interval of these agents' options (decision-timing.ts): 50 ms. */
const intervalMs = (agent: SimAgent): number => decisionTiming(agent.options, false).decisionIntervalMs;

/** Resolves once `check` holds, polling; fails after `ms`. */
async function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await sleep(5);
  }
}

/** Starts a decision and records when it ended, and how; a bootstrapped node becomes primary. */
function decide(agent: SimAgent, ended: string[], bootstrapped?: { uuid: string; seqno: number }) {
  return agent.decideStart().then((kind) => {
    ended.push(`${agent.name} ${kind}`);
    // Its mariadbd bootstrapped: the sampler sees it in a primary component of its cluster.
    if (kind === "bootstrap" && bootstrapped) agent.primary(bootstrapped.uuid, bootstrapped.seqno);
    return kind;
  });
}

/**
 * `lines` are `first`, then some of `between` in their order, then `last`: which of the
 * passing decisions a wait logs depends on when its rounds asked.
 */
function assertLines(lines: string[], first: string[], between: string[], last: string[]): void {
  const shown = JSON.stringify(lines, null, 2);
  assert.deepEqual(lines.slice(0, first.length), first, shown);
  assert.deepEqual(lines.slice(-last.length), last, shown);
  let at = 0;
  for (const line of lines.slice(first.length, lines.length - last.length)) {
    at = between.indexOf(line, at) + 1;
    assert.ok(at > 0, `unexpected or out of order: ${line}\n${shown}`);
  }
}

/**
 * n3 announces, and bootstraps once its intent stood one decision round. The settle is
 * counted on Date.now(), the pause between rounds on the event loop's clock, which may lag
 * it by a few ms: then a round says the intent has not stood long enough yet.
 */
function assertN3Bootstraps(n3: SimAgent): void {
  assertLines(
    n3.lines,
    [
      recoveredLine(1841),
      "info: decision: announce-bootstrap: announcing a bootstrap from n3: it holds the newest data (seqno 1841; n2 1840, n1 1839); bootstrapping once the intent has stood 0.1 s unchallenged",
    ],
    [
      "info: decision: wait: waiting 1 s more before bootstrapping from n3: the intent stands 0.1 s so that every node sees it",
    ],
    [
      "info: decision: bootstrap: bootstrapping from n3: it holds the newest data (seqno 1841; n2 1840, n1 1839), and the intent stood 0.1 s unchallenged",
    ],
  );
}

const recoveredLine = (seqno: number): string =>
  `info: recovered position ${A}:${seqno} from grastate.dat, written by a clean shutdown: no --wsrep-recover needed`;

describe("the agent's recovery turns (RecoveryDriver), with no mariadbd and no network", () => {
  it("three nodes after a clean stop, n3 last out with the newest seqno: n3 alone bootstraps, the two others wait for its primary, then join", () =>
    inWorld(async (world) => {
      world.writeDatadir("n1", grastateText(A, 1839, false));
      world.writeDatadir("n2", grastateText(A, 1840, false));
      world.writeDatadir("n3", grastateText(A, 1841, true));
      const before = Object.fromEntries(NAMES.map((n) => [n, snapshot(world.datadir(n))]));
      const [n1, n2, n3] = NAMES.map((n) => world.start(n)) as [SimAgent, SimAgent, SimAgent];

      const ended: string[] = [];
      const outcome = await Promise.all([n1, n2, n3].map((a) => decide(a, ended, { uuid: A, seqno: 1841 })));

      assert.deepEqual(outcome, ["join", "join", "bootstrap"]);
      assert.equal(ended[0], "n3 bootstrap", "the others waited until n3 was primary");
      assertN3Bootstraps(n3);
      for (const [agent, seqno] of [
        [n1, 1839],
        [n2, 1840],
      ] as const) {
        assert.deepEqual(agent.lines, [
          recoveredLine(seqno),
          "info: decision: wait: n3 holds the newest data (seqno 1841); waiting for it to bootstrap",
          `info: decision: wait: n3 announced it bootstraps (seqno 1841) and outranks this node (seqno ${seqno}): waiting for its primary component to join it`,
          "info: decision: join: joining the primary component that n3 is in",
        ]);
        assert.deepEqual(agent.lifecycleChanges, ["preparing", "waiting"]);
        assert.deepEqual(agent.decided, ["wait", "wait", "join"]);
      }
      // As its lines: a round may find the intent not yet stood long enough (see assertN3Bootstraps).
      assert.match(n3.decided.join(" "), /^announce-bootstrap (wait )*bootstrap$/);
      assert.equal(n3.driver.record.intent, null, "its intent has done its work once n3 is primary");
      // n3's grastate.dat says safe_to_bootstrap: 1 (it did already): no datadir changed.
      assert.match(
        readFileSync(join(world.datadir("n3"), "grastate.dat"), "utf8"),
        /^safe_to_bootstrap: 1$/m,
      );
      for (const name of NAMES) {
        assert.deepEqual(snapshot(world.datadir(name)), before[name], `${name}'s datadir is untouched`);
        assert.deepEqual(readdirSync(world.runDir(name)), ["my.cnf"], "the config, in the run directory");
      }
    }));

  it("three nodes stopped cleanly after losing their primary, none marked safe: n3, the newest, gets safe_to_bootstrap: 1 written, and says so", () =>
    inWorld(async (world) => {
      world.writeDatadir("n1", grastateText(A, 1839, false));
      world.writeDatadir("n2", grastateText(A, 1840, false));
      world.writeDatadir("n3", grastateText(A, 1841, false));
      const before = Object.fromEntries(NAMES.map((n) => [n, snapshot(world.datadir(n))]));
      const [n1, n2, n3] = NAMES.map((n) => world.start(n)) as [SimAgent, SimAgent, SimAgent];

      const ended: string[] = [];
      const outcome = await Promise.all([n1, n2, n3].map((a) => decide(a, ended, { uuid: A, seqno: 1841 })));

      assert.deepEqual(outcome, ["join", "join", "bootstrap"]);
      assert.deepEqual(n3.lines.slice(-2), [
        "info: decision: bootstrap: bootstrapping from n3: it holds the newest data (seqno 1841; n2 1840, n1 1839), and the intent stood 0.1 s unchallenged",
        "info: marked grastate.dat safe_to_bootstrap: 1, as the decision above chose this node",
      ]);
      // Only that line of n3's grastate.dat changed; the other datadirs are untouched.
      const marked = snapshot(world.datadir("n3"));
      assert.deepEqual(marked, {
        ...before["n3"],
        "grastate.dat": before["n3"]!["grastate.dat"]!.replace(
          "safe_to_bootstrap: 0",
          "safe_to_bootstrap: 1",
        ),
      });
      for (const name of ["n1", "n2"] as const)
        assert.deepEqual(snapshot(world.datadir(name)), before[name], `${name}'s datadir is untouched`);
    }));

  it("kill -9 of n1 while n1 and n2 wait for n3: a new agent on n1's datadir waits as well, and once n3 starts, n3 alone bootstraps and n1 joins", () =>
    inWorld(async (world) => {
      world.writeDatadir("n1", grastateText(A, 1839, false));
      world.writeDatadir("n2", grastateText(A, 1840, false));
      world.writeDatadir("n3", grastateText(A, 1841, true));
      const before = Object.fromEntries(NAMES.map((n) => [n, snapshot(world.datadir(n))]));
      const ended: string[] = [];
      const killed = world.start("n1");
      const n2 = world.start("n2");
      const killedEnd = decide(killed, ended);
      const n2End = decide(n2, ended, { uuid: A, seqno: 1841 });
      const waitingForN3 =
        "info: decision: wait: waiting: 2 of 3 members reported; newest seqno 1840 on n2; waiting for 10.0.0.3";
      await until(() => killed.decisions.length > 0 && n2.decisions.length > 0, "n1 and n2 wait");
      assert.deepEqual(killed.lines, [recoveredLine(1839), waitingForN3]);

      world.kill(killed);
      assert.equal(await killedEnd, "stop");
      const n1 = world.start("n1");
      const n1End = decide(n1, ended, { uuid: A, seqno: 1841 });
      await until(() => n1.decisions.length > 0, "the new n1 waits");
      await sleep(2 * intervalMs(n1));
      assert.deepEqual(ended, ["n1 stop"], "nobody starts while n3 is away");
      const n3 = world.start("n3");
      const n3End = decide(n3, ended, { uuid: A, seqno: 1841 });

      assert.deepEqual(await Promise.all([n1End, n2End, n3End]), ["join", "join", "bootstrap"]);
      assert.equal(ended[1], "n3 bootstrap", "n1 and n2 waited until n3 was primary");
      const bootstraps = world.all.flatMap((a) =>
        a.decided.filter((d) => d.startsWith("bootstrap")).map(() => a.name),
      );
      assert.deepEqual(
        bootstraps,
        ["n3"],
        "exactly one bootstrap over every agent, the killed one's included",
      );
      assertN3Bootstraps(n3);
      assert.deepEqual(
        killed.lines,
        [recoveredLine(1839), waitingForN3],
        "the killed agent did nothing more",
      );
      for (const [agent, seqno] of [
        [n1, 1839],
        [n2, 1840],
      ] as const) {
        assertLines(
          agent.lines,
          [recoveredLine(seqno), waitingForN3],
          [
            "info: decision: wait: n3 holds the newest data (seqno 1841); waiting for it to bootstrap",
            `info: decision: wait: n3 announced it bootstraps (seqno 1841) and outranks this node (seqno ${seqno}): waiting for its primary component to join it`,
          ],
          ["info: decision: join: joining the primary component that n3 is in"],
        );
      }
      for (const name of NAMES)
        assert.deepEqual(snapshot(world.datadir(name)), before[name], `${name}'s datadir is untouched`);
    }));

  it("a majority crash: the survivor, holding the newest writes, bootstraps in place, and the restarted nodes join it", () =>
    inWorld(async (world) => {
      // Galera's grastate.dat while mariadbd runs, and after a kill: seqno -1. No gvwstate.dat:
      // the last primary view cannot be restored, so the positions decide.
      for (const name of NAMES) world.writeDatadir(name, grastateText(A, -1, false));
      world.innodbHolds("n2", A, 1850);
      world.innodbHolds("n3", A, 1849);
      const before = Object.fromEntries(NAMES.map((n) => [n, snapshot(world.datadir(n))]));
      const n1 = world.start("n1");
      n1.facts.recovered = { uuid: A, seqno: 1700, gtid: null };
      n1.leftOutsidePrimary(A, 1900);
      // pc.bootstrap=YES makes the survivor's component the primary: its next sample says so.
      n1.onProviderOption = (option) => option === "pc.bootstrap=YES" && n1.primary(A, 1900);
      n1.decideInPlace();
      const ended: string[] = [];
      const [n2, n3] = [world.start("n2"), world.start("n3")];
      assert.deepEqual(await Promise.all([decide(n2, ended), decide(n3, ended)]), ["join", "join"]);

      assert.deepEqual(n1.providerOptions, ["pc.bootstrap=YES"]);
      assert.deepEqual(
        n1.decided.filter((d) => d !== "wait"),
        ["announce-bootstrap", "bootstrap-in-place"],
      );
      assert.equal(
        n1.decisions[0],
        "decision: wait: waiting: 1 of 3 members reported; newest seqno 1900 on n1; waiting for n2 (present, position not recovered yet) and n3 (present, position not recovered yet)",
      );
      // Until n2 and n3 have recovered their positions it waits, then announces and acts.
      const announced =
        "info: decision: announce-bootstrap: announcing a bootstrap from n1: it holds the newest data (seqno 1900; n2 1850, n3 1849); bootstrapping once the intent has stood 0.1 s unchallenged";
      const from = n1.lines.indexOf(announced);
      assert.ok(
        from > 0 && n1.lines.slice(0, from).every((l) => l.startsWith("info: decision: wait: ")),
        n1.lines.join("\n"),
      );
      assertLines(
        n1.lines.slice(from),
        [announced],
        [
          "info: decision: wait: waiting 1 s more before bootstrapping from n1: the intent stands 0.1 s so that every node sees it",
        ],
        [
          "info: decision: bootstrap-in-place: bootstrapping from n1 in place (pc.bootstrap=YES; its mariadbd runs outside a primary component): it holds the newest data (seqno 1900; n2 1850, n3 1849), and the intent stood 0.1 s unchallenged",
          "info: set pc.bootstrap=YES on the running mariadbd: its component becomes the primary",
        ],
      );
      assert.equal(n1.driver.record.intent, null, "its intent has done its work once n1 is primary");
      for (const [agent, seqno] of [
        [n2, 1850],
        [n3, 1849],
      ] as const) {
        assert.equal(agent.decided.at(-1), "join");
        assert.ok(!agent.decided.some((d) => d.includes("bootstrap")), `${agent.name} never claims`);
        assert.deepEqual(agent.lines.slice(0, 2), [
          "info: recovering the position: grastate.dat says seqno -1 (mariadbd did not stop cleanly): --wsrep-recover reads the position from InnoDB",
          `info: recovered position ${A}:${seqno} with --wsrep-recover`,
        ]);
        assert.equal(agent.lines.at(-1), "info: decision: join: joining the primary component that n1 is in");
      }
      for (const name of NAMES)
        assert.deepEqual(snapshot(world.datadir(name)), before[name], `${name}'s datadir is untouched`);
    }));

  it("a datadir of another cluster is refused before anything in it changes", () =>
    inWorld(async (world) => {
      world.writeDatadir("n3", grastateText(B, 100, true));
      const before = snapshot(world.datadir("n3"));
      // n1 and n2 run in a primary component of cluster A.
      for (const name of ["n1", "n2"] as const) world.start(name).primary(A, 1900);
      const n3 = world.start("n3");

      const refusal = `refusing to join: n1 and n2 are in a primary component of cluster ${A}, but this datadir holds cluster ${B} (seqno 100); joining would replace it with the other cluster's data by a full state transfer. Move this datadir aside to join that cluster, or start this node with its own cluster's nodes`;
      await assert.rejects(n3.decideStart(), (error: unknown) => {
        assert.ok(error instanceof RefusedError, String(error));
        assert.equal(error.message, `${refusal}; mariadbd was not started and the datadir was not changed`);
        return true;
      });
      assert.deepEqual(n3.lines, [`info: decision: refuse: ${refusal}`]);
      assert.deepEqual(n3.lifecycles, ["preparing", "refused"]);
      assert.deepEqual(n3.decided, ["refuse"]);
      assert.deepEqual(snapshot(world.datadir("n3")), before, "the datadir is byte-identical");
    }));

  it("a stop requested while waiting ends the wait within one decision interval", () =>
    inWorld(async (world) => {
      world.writeDatadir("n1", grastateText(A, 1839, false));
      const before = snapshot(world.datadir("n1"));
      const n1 = world.start("n1");
      const end = n1.decideStart();
      await until(() => n1.lifecycles.includes("waiting"), "n1 waits");
      await sleep(intervalMs(n1) / 2);
      const asked = performance.now();
      n1.stop.request("SIGTERM");
      assert.equal(await end, "stop");
      const took = performance.now() - asked;
      assert.ok(took < intervalMs(n1), `the wait ended ${took.toFixed(1)} ms after the stop request`);
      assert.deepEqual(n1.lines, [
        recoveredLine(1839),
        "info: decision: wait: waiting: 1 of 3 members reported; newest seqno 1839 on n1; waiting for 10.0.0.2 and 10.0.0.3",
      ]);
      assert.deepEqual(snapshot(world.datadir("n1")), before);
    }));
});
