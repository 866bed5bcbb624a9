import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { BackupScheduleWatch, slotKey } from "../../../src/agent/backup-schedule-watch.js";
import { BackupTaking } from "../../../src/agent/backup-taking.js";
import { BackupRunFailed, type BackupRunOptions } from "../../../src/backup/backup-run.js";
import { BackupStream } from "../../../src/backup/backup-stream.js";
import { parseBackupSchedule, type BackupSchedule } from "../../../src/config/backup-schedule.js";
import type { BackupCandidate } from "../../../src/decide/backup-node.js";
import type { BackupDestination } from "../../../src/destination/destination.js";
import type { Logger } from "../../../src/logger.js";
import {
  backupId,
  type BackupManifestCommon,
  type CompleteBackup,
  type FailedBackup,
} from "../../../src/model/backup-manifest.js";

/**
 * The schedule watch of three agents sharing one folder as their destination, with a clock of
 * the test's own and real BackupTakings whose run (backup-run.ts) is replaced by one that writes
 * the manifests and waits for the test's word: no mariadbd, no mariabackup.
 */
const at = (time: string) => Date.parse(`2026-12-07T${time}Z`);
const hourly = parsed("0 * * * *");
const slot = at("02:00:00");
const uuid = "b5297b93-f1cc-11f1-9d75-57821ab711f4";

function parsed(text: string): BackupSchedule {
  const schedule = parseBackupSchedule(text);
  if ("problem" in schedule) throw new Error(schedule.problem);
  return schedule;
}

const member = (node: string, more: Partial<BackupCandidate> = {}): BackupCandidate => ({
  node,
  phase: "synced",
  writer: false,
  syncedSince: "2026-12-07T00:00:00.000Z",
  writerEligibleSince: "2026-12-07T00:00:00.000Z",
  ...more,
});
/** n1 the writer; of n2 and n3, n3 synced the longest: the rules name n3. */
const cluster = [
  member("n1", { writer: true, syncedSince: "2026-12-06T08:00:00.000Z" }),
  member("n2", { syncedSince: "2026-12-07T01:40:00.000Z" }),
  member("n3", { syncedSince: "2026-12-07T01:14:00.000Z" }),
];
const n3Chosen =
  "backing up on n3: of the synced members that are not the writer (n3 and n2), the one synced the longest; n1 and n2 stay synced while n3 is desynced for the backup";

const folders: string[] = [];
after(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function folder(prefix: string): string {
  const made = mkdtempSync(join(tmpdir(), `gp-schedule-${prefix}-`));
  folders.push(made);
  return made;
}

/** The test's word to a backup under way: "complete", or the failure it ends with. */
type Outcome = "complete" | string;

interface Agent {
  name: string;
  watch: BackupScheduleWatch;
  taking: BackupTaking;
  lines: string[];
  /** Ends the backup under way, as the test says. */
  finish(outcome: Outcome): void;
  stopping: boolean;
}

interface World {
  destination: string;
  clock: number;
  agents: Agent[];
  claims(): Record<string, string>;
  manifests(): Record<string, { state: string; node: string; failure?: string }>;
}

function world(): World {
  const destination = folder("destination");
  const w: World = {
    destination,
    clock: at("01:59:00"),
    agents: [],
    claims: () => {
      const slots = join(destination, "slots");
      return Object.fromEntries(
        readdirSync(slots).map((file) => [file, readFileSync(join(slots, file), "utf8").trim()]),
      );
    },
    manifests: () =>
      Object.fromEntries(
        readdirSync(destination)
          .filter((name) => /^\d{8}T\d{6}Z-/.test(name))
          .map((id) => [id, JSON.parse(readFileSync(join(destination, id, "manifest.json"), "utf8"))]),
      ),
  };
  mkdirSync(join(destination, "slots"));
  return w;
}

interface AgentOptions {
  /** The members as this agent holds them (the same for all, unless a test says otherwise). */
  members?: () => BackupCandidate[];
  /** Wraps the destination the watch claims on (the tests hold a claim back, or stop meanwhile). */
  claimVia?: (destination: BackupDestination, agent: Agent) => BackupDestination;
}

function agent(w: World, name: string, options: AgentOptions = {}): Agent {
  const lines: string[] = [];
  const log: Logger = {
    info: (line) => lines.push(`info: ${line}`),
    warn: (line) => lines.push(`warn: ${line}`),
    error: (line) => lines.push(`error: ${line}`),
  };
  const runDir = folder(`run-${name}`);
  let finish: (outcome: Outcome) => void = () => assert.fail(`no backup runs on ${name}`);
  const members = options.members ?? (() => cluster);
  const taking = new BackupTaking({
    nodeName: name,
    destinationSpec: w.destination,
    env: {},
    runDir,
    configFile: join(runDir, "my.cnf"),
    socket: join(runDir, "mysqld.sock"),
    members,
    server: {
      facts: () => Promise.resolve({ version: "10.11.14-MariaDB", clusterUuid: uuid }),
      setDesync: () => Promise.resolve(),
    },
    datadirBytes: () => Promise.resolve(null),
    changed: () => undefined,
    log,
    runBackup: (run) => fakeRun(w, run, (end) => (finish = end)),
  });
  const self: Agent = {
    name,
    taking,
    lines,
    finish: (outcome) => finish(outcome),
    stopping: false,
    watch: undefined as unknown as BackupScheduleWatch,
  };
  const claimVia = options.claimVia;
  self.watch = new BackupScheduleWatch({
    schedule: hourly,
    nodeName: name,
    members,
    backups: {
      get runningBackup() {
        return taking.runningBackup;
      },
      takeScheduled: (why) => taking.takeScheduled(why),
      destination: async () => {
        const destination = await taking.destination();
        return claimVia ? claimVia(destination, self) : destination;
      },
    },
    stopping: () => self.stopping,
    log,
    now: () => w.clock,
  });
  w.agents.push(self);
  return self;
}

/** backup-run.ts's lifecycle in manifests (running, then complete or failed), ended by the test. */
async function fakeRun(
  w: World,
  run: BackupRunOptions,
  ended: (finish: (outcome: Outcome) => void) => void,
): Promise<CompleteBackup> {
  // Ready for the test's word before the backup shows as running.
  const outcome = new Promise<Outcome>((resolve) => ended(resolve));
  const startedAtMs = w.clock;
  const id = backupId(startedAtMs, run.node);
  run.onStart?.(id, new BackupStream());
  const common = (): BackupManifestCommon => ({
    manifestVersion: 1,
    id,
    clusterUuid: run.clusterUuid,
    node: run.node,
    startedAt: new Date(startedAtMs).toISOString(),
    mariadbVersion: run.mariadbVersion,
    galeraPilotVersion: run.galeraPilotVersion,
    compression: "zstd",
    destination: "directory",
    bytesStreamed: 0,
    bytesStored: 0,
    updatedAt: new Date(w.clock).toISOString(),
  });
  await run.destination.writeManifest(id, JSON.stringify({ ...common(), state: "running" }));
  await run.desync.on();
  const said = await outcome;
  await run.desync.off();
  const endedAt = new Date(w.clock).toISOString();
  if (said !== "complete") {
    const failed: FailedBackup = { ...common(), state: "failed", endedAt, failure: said };
    await run.destination.writeManifest(id, JSON.stringify(failed));
    throw new BackupRunFailed(said, failed);
  }
  const complete: CompleteBackup = {
    ...common(),
    state: "complete",
    endedAt,
    position: { uuid, seqno: 42 },
    gtid: null,
    sha256: "0".repeat(64),
  };
  await run.destination.writeManifest(id, JSON.stringify(complete));
  return complete;
}

/** The destination, its claims made by `claimSlot`: the tests hold a claim back, or stop meanwhile. */
function claimingThrough(
  destination: BackupDestination,
  claimSlot: (slot: string, holder: string) => Promise<boolean>,
  listManifests = () => destination.listManifests(),
): BackupDestination {
  return {
    kind: destination.kind,
    description: destination.description,
    check: () => destination.check(),
    writeData: (id, data) => destination.writeData(id, data),
    readData: (id) => destination.readData(id),
    writeManifest: (id, text) => destination.writeManifest(id, text),
    listManifests,
    readManifest: (id) => destination.readManifest(id),
    deleteBackup: (id) => destination.deleteBackup(id),
    claimSlot,
    slotHolder: (slot) => destination.slotHolder(slot),
    writeArchiveSegment: (name, bytes) => destination.writeArchiveSegment(name, bytes),
    listArchiveSegments: (after) => destination.listArchiveSegments(after),
    readArchiveSegment: (name) => destination.readArchiveSegment(name),
    deleteArchiveSegment: (name) => destination.deleteArchiveSegment(name),
  };
}

/** Waits for what the watch's own timer does, for up to 5 s. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !done(); waited += 10) {
    if (waited > 5_000) assert.fail(`not within 5 s: ${what}`);
    await sleep(10);
  }
}

/** Waits for the agent's backup to end, and for what the watch does then (it does not await it). */
async function ended(a: Agent): Promise<void> {
  await until(() => a.taking.runningBackup === null, `${a.name}'s backup ended`);
  await new Promise((resolve) => setImmediate(resolve));
}

describe("the backup schedule watch", () => {
  it("names the slot's marker by its time", () => {
    assert.equal(slotKey(slot), "20261207T020000Z");
    assert.equal(slotKey(at("02:00:00") + 999), "20261207T020000Z");
  });

  it("with the same reports, the chosen agent takes the slot and the two others leave it to its node, one line each", async () => {
    const w = world();
    const [n1, n2, n3] = ["n1", "n2", "n3"].map((name) => agent(w, name));
    w.clock = at("01:59:59");
    await Promise.all(w.agents.map((a) => a.watch.check()));
    assert.deepEqual(
      w.agents.flatMap((a) => a.lines),
      [],
      "nothing is due before the slot's time",
    );
    w.clock = slot + 50;
    await Promise.all(w.agents.map((a) => a.watch.check()));
    const leave = `info: leaving the backup slot of 2026-12-07T02:00:00Z to n3: ${n3Chosen}`;
    assert.deepEqual(n1!.lines, [leave]);
    assert.deepEqual(n2!.lines, [leave]);
    const [id] = Object.keys(w.manifests());
    assert.equal(id, "20261207T020000Z-n3");
    assert.deepEqual(n3!.lines, [
      `info: backup ${id} starts to ${w.destination}: taking the backup slot of 2026-12-07T02:00:00Z: ${n3Chosen}`,
    ]);
    assert.deepEqual(w.claims(), { "20261207T020000Z.claim": "n3" });
    assert.deepEqual(n3!.watch.activity(), {
      expression: "0 * * * *",
      nextSlot: "2026-12-07T03:00:00.000Z",
      waiting: null,
      lastSlot: {
        slot: "2026-12-07T02:00:00.000Z",
        outcome: "taken",
        node: "n3",
        backup: id,
        reason: `taking the backup slot of 2026-12-07T02:00:00Z: ${n3Chosen}`,
      },
    });
    assert.deepEqual(n1!.watch.activity().lastSlot, {
      slot: "2026-12-07T02:00:00.000Z",
      outcome: "left",
      node: "n3",
      backup: null,
      reason: leave.slice("info: ".length),
    });
    n3!.finish("complete");
    await ended(n3!);
    assert.equal(w.manifests()[id!]!.state, "complete");
    assert.equal(n3!.taking.counts.lastCompleteAtMs, w.clock);
    // Settled: later checks, within the grace and after it, do nothing more (the two that
    // left it find it claimed).
    for (const later of [slot + 60_000, slot + 10 * 60_000 + 1]) {
      w.clock = later;
      await Promise.all(w.agents.map((a) => a.watch.check()));
    }
    assert.equal(Object.keys(w.manifests()).length, 1);
    assert.equal(n1!.lines.length + n2!.lines.length, 2);
    assert.deepEqual(
      w.agents.map((a) => a.watch.missedCount),
      [0, 0, 0],
    );
  });

  it("when all three see the slot due and each believes it was chosen, exactly one takes it: the claim decides", async () => {
    const w = world();
    // Reports a moment apart: each agent holds itself as the member synced the longest.
    const viewOf = (self: string) => () => [
      member("n0", { writer: true, syncedSince: "2026-12-06T08:00:00.000Z" }),
      ...["n1", "n2", "n3"].map((node) =>
        member(node, {
          syncedSince: node === self ? "2026-12-07T00:00:00.000Z" : "2026-12-07T01:00:00.000Z",
        }),
      ),
    ];
    // Every agent reaches its claim before any claims: they race on the marker alone.
    let arrived = 0;
    let release: () => void = () => undefined;
    const together = new Promise<void>((resolve) => (release = resolve));
    const heldBack = (destination: BackupDestination): BackupDestination =>
      claimingThrough(destination, async (key, holder) => {
        if (++arrived === 3) release();
        await together;
        return destination.claimSlot(key, holder);
      });
    for (const name of ["n1", "n2", "n3"]) agent(w, name, { members: viewOf(name), claimVia: heldBack });
    w.clock = slot + 50;
    await Promise.all(w.agents.map((a) => a.watch.check()));

    const claims = w.claims();
    assert.deepEqual(Object.keys(claims), ["20261207T020000Z.claim"]);
    const winner = claims["20261207T020000Z.claim"]!;
    assert.deepEqual(Object.keys(w.manifests()), [`20261207T020000Z-${winner}`]);
    for (const a of w.agents.filter((a) => a.name !== winner)) {
      assert.deepEqual(a.lines, [
        `info: leaving the backup slot of 2026-12-07T02:00:00Z: ${a.name} was chosen here, but ${winner} claimed the slot first (slots/20261207T020000Z.claim in ${w.destination}); nothing was started on ${a.name}`,
      ]);
      assert.equal(a.taking.runningBackup, null);
      assert.equal(a.watch.activity().lastSlot?.outcome, "left");
    }
    const taker = w.agents.find((a) => a.name === winner)!;
    assert.equal(taker.watch.activity().lastSlot?.outcome, "taken");
    taker.finish("complete");
    await ended(taker);
  });

  it("a slot no member can take within its grace is reported missed once, with its last wait, and counted", async () => {
    const w = world();
    // n1, the writer, is the only synced member: a backup would leave the cluster without one.
    const alone = () => [
      member("n1", { writer: true }),
      member("n2", { phase: "server-down" }),
      member("n3", { phase: "donor" }),
    ];
    const n3 = agent(w, "n3", { members: alone });
    w.clock = slot + 1_000;
    await n3.watch.check();
    w.clock = slot + 5 * 60_000;
    await n3.watch.check();
    const lastWait =
      "no backup is taken: n1 is the only synced member, and the backup would desync it, leaving the cluster without a synced member; nothing was changed; try again once another member is synced";
    const wait = `the backup slot of 2026-12-07T02:00:00Z waits: ${lastWait}; the agents try again until 2026-12-07T02:10:00Z, when the slot counts as missed`;
    // Said once while its cause stays the same, not at every check.
    assert.deepEqual(n3.lines, [`info: ${wait}`]);
    assert.equal(n3.watch.activity().waiting, wait);

    w.clock = slot + 10 * 60_000 + 1;
    await n3.watch.check();
    w.clock = slot + 11 * 60_000;
    await n3.watch.check();
    const missed = `missed the backup slot of 2026-12-07T02:00:00Z: no member could take it within 10 min of its time (the last try: ${lastWait}); no backup is taken late; the next slot, 2026-12-07T03:00:00Z, is its retry`;
    assert.deepEqual(n3.lines.slice(1), [`warn: ${missed}`]);
    assert.equal(n3.watch.missedCount, 1);
    assert.deepEqual(n3.watch.activity().lastSlot, {
      slot: "2026-12-07T02:00:00.000Z",
      outcome: "missed",
      node: null,
      backup: null,
      reason: missed,
    });
    assert.equal(n3.watch.activity().waiting, null);
    assert.deepEqual(w.claims(), {});
    assert.deepEqual(w.manifests(), {});
  });

  it("after a gap in its checks, the older slot is missed and the newer one, due now, is its retry", async () => {
    const w = world();
    const n1 = agent(w, "n1");
    // Its first check comes an hour late (a stalled process, a suspended machine).
    w.clock = at("03:00:30");
    await n1.watch.check();
    assert.deepEqual(n1.lines, [
      "warn: missed the backup slot of 2026-12-07T02:00:00Z: no agent saw it due within 10 min of its time (the agents were down, or busy); no backup is taken late; the next slot, 2026-12-07T03:00:00Z, is its retry",
      `info: leaving the backup slot of 2026-12-07T03:00:00Z to n3: ${n3Chosen}`,
    ]);
    assert.equal(n1.watch.missedCount, 1);
  });

  it("a slot this agent waited on, taken by another agent meanwhile, is not reported missed", async () => {
    const w = world();
    // n3 holds n1 and n2 as down (their reports late), so it waits: it is the only synced
    // member; n1 sees the cluster as it is, and takes the slot for its node.
    const late = () => [
      member("n1", { phase: "server-down" }),
      member("n2", { phase: "server-down" }),
      member("n3"),
    ];
    const n3 = agent(w, "n3", { members: late });
    const n1 = agent(w, "n1", {
      members: () => [member("n1"), member("n2"), member("n3", { writer: true })],
    });
    w.clock = slot + 50;
    await n3.watch.check();
    await n1.watch.check();
    assert.deepEqual(w.claims(), { "20261207T020000Z.claim": "n1" });
    w.clock = slot + 10 * 60_000 + 1;
    await n3.watch.check();
    assert.equal(
      n3.lines.at(-1),
      `info: leaving the backup slot of 2026-12-07T02:00:00Z to n1, which claimed it (slots/20261207T020000Z.claim in ${w.destination})`,
    );
    assert.equal(n3.lines.filter((line) => line.startsWith("warn: missed")).length, 0);
    assert.equal(n3.watch.missedCount, 0);
    assert.equal(n3.watch.activity().lastSlot?.node, "n1");
    n1.finish("complete");
    await ended(n1);
  });

  it("a slot two agents each left to the other is reported missed by both once it can no longer be taken", async () => {
    const w = world();
    // Reports a moment apart: n2 holds n3 as synced the longer, n3 holds n2.
    const viewOf = (longer: string) => () => [
      member("n1", { writer: true, syncedSince: "2026-12-06T08:00:00.000Z" }),
      ...["n2", "n3"].map((node) =>
        member(node, {
          syncedSince: node === longer ? "2026-12-07T00:00:00.000Z" : "2026-12-07T01:00:00.000Z",
        }),
      ),
    ];
    const n2 = agent(w, "n2", { members: viewOf("n3") });
    const n3 = agent(w, "n3", { members: viewOf("n2") });
    w.clock = slot + 50;
    await Promise.all([n2.watch.check(), n3.watch.check()]);
    assert.match(n2.lines[0]!, /^info: leaving the backup slot of 2026-12-07T02:00:00Z to n3: /);
    assert.match(n3.lines[0]!, /^info: leaving the backup slot of 2026-12-07T02:00:00Z to n2: /);
    // Within the grace, the other may still take it: nothing is said.
    w.clock = slot + 5 * 60_000;
    await Promise.all([n2.watch.check(), n3.watch.check()]);
    assert.equal(n2.lines.length + n3.lines.length, 2);
    w.clock = slot + 10 * 60_000 + 1;
    await Promise.all([n2.watch.check(), n3.watch.check()]);
    await Promise.all([n2.watch.check(), n3.watch.check()]);
    for (const [a, other] of [
      [n2, "n3"],
      [n3, "n2"],
    ] as const) {
      assert.deepEqual(a.lines.slice(1), [
        `warn: missed the backup slot of 2026-12-07T02:00:00Z: no member could take it within 10 min of its time (the last try: it was left to ${other}, whose agent did not claim it); no backup is taken late; the next slot, 2026-12-07T03:00:00Z, is its retry`,
      ]);
      assert.equal(a.watch.missedCount, 1);
      assert.equal(a.watch.activity().lastSlot?.outcome, "missed");
    }
  });

  it("a slot that comes while a backup runs waits for it, and is taken once it ended, within the grace", async () => {
    const w = world();
    // n2's backup, asked by hand, runs; n3's agent does not see it in n2's report yet.
    const n2 = agent(w, "n2");
    const n3 = agent(w, "n3");
    w.clock = at("01:59:30");
    assert.deepEqual(await n2.taking.request(false), { accepted: "20261207T015930Z-n2" });
    const running = "20261207T015930Z-n2";
    w.clock = slot + 50;
    await n3.watch.check();
    assert.deepEqual(n3.lines, [
      `info: the backup slot of 2026-12-07T02:00:00Z waits: backup ${running} is still running, and one backup runs at a time; the agents try again until 2026-12-07T02:10:00Z, when the slot counts as missed`,
    ]);
    assert.deepEqual(w.claims(), {});
    n2.finish("complete");
    await ended(n2);
    w.clock = slot + 3 * 60_000;
    await n3.watch.check();
    assert.deepEqual(w.claims(), { "20261207T020000Z.claim": "n3" });
    assert.equal(n3.taking.runningBackup, "20261207T020300Z-n3");
    n3.finish("complete");
    await ended(n3);
  });

  it("a scheduled backup that fails is reported, counted, and the next slot is its retry", async () => {
    const w = world();
    const n3 = agent(w, "n3");
    w.clock = slot + 50;
    await n3.watch.check();
    w.clock = slot + 30_000;
    n3.finish("mariabackup exited with status 1");
    await ended(n3);
    const id = "20261207T020000Z-n3";
    const line = `the backup slot of 2026-12-07T02:00:00Z failed on n3: backup ${id} failed: mariabackup exited with status 1; no other agent takes it, since it is claimed; the next slot, 2026-12-07T03:00:00Z, is its retry`;
    assert.equal(n3.lines.at(-1), `error: ${line}`);
    assert.deepEqual(n3.watch.activity().lastSlot, {
      slot: "2026-12-07T02:00:00.000Z",
      outcome: "failed",
      node: "n3",
      backup: id,
      reason: line,
    });
    assert.equal(n3.taking.counts.failures, 1);
    assert.equal(w.manifests()[id]!.state, "failed");
  });

  it("a backup that fails after a later slot was settled is reported, and the later slot stays the last one", async () => {
    const w = world();
    const n3 = agent(w, "n3");
    w.clock = slot + 50;
    await n3.watch.check();
    const id = "20261207T020000Z-n3";
    // Still running an hour later: the next slot waits for it, then is missed.
    w.clock = at("03:00:50");
    await n3.watch.check();
    w.clock = at("03:11:00");
    await n3.watch.check();
    const missed = `missed the backup slot of 2026-12-07T03:00:00Z: no member could take it within 10 min of its time (the last try: backup ${id} is still running, and one backup runs at a time); no backup is taken late; the next slot, 2026-12-07T04:00:00Z, is its retry`;
    assert.equal(n3.lines.at(-1), `warn: ${missed}`);
    n3.finish("mariabackup exited with status 1");
    await ended(n3);
    assert.equal(
      n3.lines.at(-1),
      `error: the backup slot of 2026-12-07T02:00:00Z failed on n3: backup ${id} failed: mariabackup exited with status 1; no other agent takes it, since it is claimed; the next slot, 2026-12-07T04:00:00Z, is its retry`,
    );
    assert.equal(n3.watch.activity().lastSlot?.reason, missed);
  });

  it("a claimed slot the rules no longer allow to start fails, and is counted", async () => {
    const w = world();
    let reports = cluster;
    const n3 = agent(w, "n3", {
      // n3 stops being synced between the turn and the start (its report changed meanwhile).
      claimVia: (destination) =>
        claimingThrough(destination, (key, holder) => {
          reports = cluster.map((m) => (m.node === "n3" ? { ...m, phase: "donor" as const } : m));
          return destination.claimSlot(key, holder);
        }),
      members: () => reports,
    });
    w.clock = slot + 50;
    await n3.watch.check();
    assert.deepEqual(n3.lines, [
      "error: the backup slot of 2026-12-07T02:00:00Z failed on n3: no backup is taken on n3: it is donor, not synced, and a backup is read only from a synced member; nothing was changed; try again once n3 is synced, or name another member; no other agent takes it, since it is claimed; the next slot, 2026-12-07T03:00:00Z, is its retry",
    ]);
    assert.deepEqual(w.claims(), { "20261207T020000Z.claim": "n3" });
    assert.deepEqual(w.manifests(), {});
    assert.equal(n3.taking.counts.failures, 1);
    assert.equal(n3.watch.activity().lastSlot?.outcome, "failed");
  });

  it("an agent that is stopping claims nothing and starts nothing, even when it began stopping during its claim", async () => {
    const w = world();
    const stopped = agent(w, "n3");
    stopped.stopping = true;
    w.clock = slot + 50;
    await stopped.watch.check();
    assert.deepEqual(stopped.lines, []);
    assert.deepEqual(w.claims(), {});
    assert.deepEqual(w.manifests(), {});

    // It began stopping while it read the destination, before its claim.
    const w1 = world();
    const beforeClaim = agent(w1, "n3", {
      claimVia: (destination, self) =>
        claimingThrough(
          destination,
          (key, holder) => destination.claimSlot(key, holder),
          () => {
            self.stopping = true;
            return destination.listManifests();
          },
        ),
    });
    w1.clock = slot + 50;
    await beforeClaim.watch.check();
    assert.deepEqual(beforeClaim.lines, []);
    assert.deepEqual(w1.claims(), {});
    assert.deepEqual(w1.manifests(), {});

    // It began stopping during its claim, which it won: the slot fails, and nothing starts.
    const w2 = world();
    const midway = agent(w2, "n3", {
      claimVia: (destination, self) =>
        claimingThrough(destination, async (key, holder) => {
          const won = await destination.claimSlot(key, holder);
          self.stopping = true;
          return won;
        }),
    });
    w2.clock = slot + 50;
    await midway.watch.check();
    assert.deepEqual(w2.manifests(), {});
    assert.equal(midway.taking.runningBackup, null);
    assert.deepEqual(midway.lines, [
      "error: the backup slot of 2026-12-07T02:00:00Z failed on n3: n3's agent is stopping, and starts nothing more; no other agent takes it, since it is claimed; the next slot, 2026-12-07T03:00:00Z, is its retry",
    ]);
  });

  it("once stopped, the watch checks no more", async () => {
    const w = world();
    const n3 = agent(w, "n3");
    // Started before the slot: its timer would check again at the slot's time. Stopped while
    // its first check runs, then while its timer waits.
    w.clock = slot - 10;
    n3.watch.start();
    n3.watch.stop();
    await sleep(5);
    w.clock = slot + 50;
    await sleep(200);
    assert.deepEqual(w.claims(), {});
    w.clock = slot - 10;
    n3.watch.start();
    await sleep(5);
    n3.watch.stop();
    w.clock = slot + 50;
    await sleep(200);
    assert.deepEqual(w.claims(), {});
    assert.deepEqual(n3.lines, []);
  });

  it("checks at the slot's time, without waiting for the next 15 s", async () => {
    const w = world();
    const n3 = agent(w, "n3");
    w.clock = slot - 20;
    n3.watch.start();
    await sleep(5);
    w.clock = slot + 50;
    const startedAt = Date.now();
    await until(() => n3.taking.runningBackup === "20261207T020000Z-n3", "the slot's backup started");
    n3.watch.stop();
    // The timer was set for 70 ms (20 ms to the slot, and 50 past it), not 15 s.
    assert.ok(Date.now() - startedAt < 5_000);
    assert.deepEqual(w.claims(), { "20261207T020000Z.claim": "n3" });
    n3.finish("complete");
    await ended(n3);
  });

  it("an agent started within a slot's grace still takes it (unless another did); older slots are not its to report", async () => {
    const w = world();
    w.clock = slot + 2 * 60_000;
    const late = agent(w, "n3");
    await late.watch.check();
    assert.deepEqual(w.claims(), { "20261207T020000Z.claim": "n3" });
    late.finish("complete");
    await ended(late);

    // Restarted again, still within the grace: the slot is claimed (by its predecessor, of
    // the same name), so it is left.
    const again = agent(w, "n3");
    await again.watch.check();
    assert.deepEqual(again.lines, [
      `info: leaving the backup slot of 2026-12-07T02:00:00Z: n3 was chosen here, but n3 had claimed it already, before this agent restarted or in a retried claim (slots/20261207T020000Z.claim in ${w.destination}); nothing was started on n3`,
    ]);
    assert.equal(Object.keys(w.manifests()).length, 1);

    w.clock = slot + 11 * 60_000;
    const later = agent(w, "n3");
    await later.watch.check();
    assert.deepEqual(later.lines, []);
    assert.equal(later.watch.missedCount, 0);
  });
});
