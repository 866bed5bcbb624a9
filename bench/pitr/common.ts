// The pitr benchmark's shared parts (bench/pitr.ts runs it): its dataset, load and goals, the
// records of its runs, and what each part uses to read the archive and switch it on and off.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { archiveFolder } from "../../src/destination/destination.js";
import type { LocalNode } from "../../src/local/cluster-layout.js";
import { parseSegmentName, type SegmentSpan } from "../../src/model/archive-segment-name.js";
import type { ArchiveReport } from "../../src/model/node-status.js";
import { fetchNodeStatus } from "../../src/peer-api/node-status-client.js";
import { allSynced, electedWriter, type BenchCluster } from "../harness/bench-cluster.js";
import type { Goal } from "../harness/report.js";
import type { Spread } from "../harness/statistics.js";
import type { SysbenchResult, SysbenchTarget } from "../harness/sysbench.js";
import { globalValue } from "../harness/sql.js";
import { progress } from "../harness/progress.js";

/** 8 tables of 100 000 rows (about 200 MB of InnoDB files): the restore's replay is what matters here. */
export const dataset = { tables: 8, tableSize: 100_000 };
export const load = { threads: 4, seconds: 60 };
/** Before anything is measured: the buffer pools, HAProxy's first connections. */
export const warmUpSeconds = 20;
/** How often the writer's position is read during the lag window. */
export const sampleEveryMs = 50;

export const lagGoalP99Ms = 1000;
export const foregroundGoalPercent = 95;
export const restoreGoalRatio = 1.2;

export type ArchiveSide = "on" | "off";
export type RestoreSide = "galera-pilot" | "raw";

/** Percona's operator for MySQL/PXC, its binlog collector: what its example config says, not measured here. */
export const perconaTimeBetweenUploadsSeconds = 60;

export interface LagResult extends SysbenchResult {
  /** Transactions of the cluster's domain committed during the window (from the first sample to the last). */
  transactions: number;
  firstSeqno: number;
  lastSeqno: number;
  samples: number;
  /** The longest gap between two samples' answers (ms): the commit times' resolution. */
  longestSampleGapMs: number;
  segments: number;
  /** Transactions of the window not found in any segment once the archive should hold them. */
  missing: number;
  /** Stored (mtime) − the answer of the first sample that showed the transaction (ms): the goal's figure. */
  lagMs: { p50: number; p99: number; max: number };
  /** Stored − the sending of the sample before it (ms): an upper bound of each transaction's lag. */
  lagUpperMs: { p50: number; p99: number; max: number };
  /** The node that archived during the window. */
  archiver: string;
}

export interface ForegroundRun extends SysbenchResult {
  archive: ArchiveSide;
  round: number;
  position: number;
  /** The node whose agent archived during the window (on), or null (off). */
  archiver: string | null;
  viewChanges: number;
  flowControlPauses: number;
}

export interface RestoreRun {
  side: RestoreSide;
  round: number;
  position: number;
  seconds: number;
  /** The transactions replayed on top of the backup. */
  transactions: number;
  /** The cluster's last sequence number the result holds. */
  lastSeqno: number;
  /** The backup's own last sequence number. */
  backupSeqno: number;
  /** Seconds of each step (raw: each tool; galera-pilot: from its output lines). */
  phases: Record<string, number>;
}

export interface PitrBenchResult {
  date: string;
  rounds: number;
  command: string;
  dataset: typeof dataset & { prepareSeconds: number };
  load: typeof load;
  domain: number;
  writer: string;
  backup: { id: string; node: string; seconds: number; storedBytes: number };
  loadAverageAtEnd: string;
  totalSeconds: number;
  lag: LagResult;
  foreground: ForegroundRun[];
  /** Seconds each switch of the archive took (a rolling restart of the agents, and the archive catching up). */
  switches: { to: ArchiveSide; seconds: number }[];
  restores: RestoreRun[];
  archiveAtRestore: { segments: number; firstSeqno: number; lastSeqno: number; bytes: number };
  failures: { what: string; error: string }[];
  summary: {
    foreground: { on: Spread; off: Spread; percent: Spread };
    restore: { galeraPilot: Spread; raw: Spread; ratio: Spread; transactions: number };
  };
  goals: Goal[];
}

export interface Context {
  b: BenchCluster;
  domain: number;
  /** The backup destination of every agent (the local runner's STATE/backups). */
  destination: string;
  agents: string;
  cliEnv: Record<string, string>;
  /** Through HAProxy's writer port. */
  router: SysbenchTarget;
  /** Resolves once HAProxy has a writer UP (after its start, and after each rolling restart). */
  writerUp: () => Promise<void>;
  noteFailure: (what: string, error: string) => void;
}

export function archiveDir(ctx: Context): string {
  return join(ctx.destination, archiveFolder);
}

/** The archive's segments of the cluster's domain, by first sequence number. */
export function listSegments(ctx: Context): { name: string; span: SegmentSpan }[] {
  let names: string[];
  try {
    names = readdirSync(archiveDir(ctx));
  } catch {
    return [];
  }
  return names
    .map((name) => ({ name, span: parseSegmentName(name) }))
    .filter((s): s is { name: string; span: SegmentSpan } => s.span !== null && s.span.domain === ctx.domain)
    .sort((a, b) => a.span.first - b.span.first || a.span.last - b.span.last);
}

/** The cluster domain's sequence number in a `@@gtid_binlog_pos` (0 when the domain is not in it). */
export function domainSeqno(position: string, domain: number): number {
  for (const gtid of position.split(",")) {
    const m = /^\s*(\d+)-(\d+)-(\d+)\s*$/.exec(gtid);
    if (m && Number(m[1]) === domain) return Number(m[3]);
  }
  return 0;
}

export async function clusterSeqno(node: LocalNode, domain: number): Promise<number> {
  return domainSeqno(await globalValue(node.socket, "VARIABLES", "gtid_binlog_pos"), domain);
}

/** Each agent's `archive` part of GET /status, by node name (null: no answer, or none given). */
export async function archiveReports(ctx: Context): Promise<Map<string, ArchiveReport | null>> {
  const reports = await Promise.all(
    ctx.b.cluster.layout.map(
      async (n) => [n.name, (await fetchNodeStatus(n.healthUrl, 2000))?.archive ?? null] as const,
    ),
  );
  return new Map(reports);
}

export async function waitAllSynced(ctx: Context): Promise<void> {
  await ctx.b.cluster.waitFor(allSynced, 300_000, "3 of 3 synced");
}

/**
 * The archive as `side` wants it, checked on every agent's GET /status: off, no agent
 * archives (every one says it is not able to); on, exactly one archives, and it has stored
 * the cluster's transactions up to the current one (a switch back on starts with the
 * transactions committed while it was off: those are stored before anything is measured).
 * Returns the archiving node's name (on) or null (off).
 */
export async function confirmArchive(
  ctx: Context,
  side: ArchiveSide,
  timeoutMs = 180_000,
): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    const reports = await archiveReports(ctx);
    const archiving = [...reports].filter(([, r]) => r?.archiving === true).map(([name]) => name);
    if (side === "off") {
      const able = [...reports].filter(([, r]) => r === null || r.able).map(([name]) => name);
      if (archiving.length === 0 && able.length === 0) return null;
      last = `archiving: ${archiving.join(", ") || "none"}; able (or no answer): ${able.join(", ")}`;
    } else if (archiving.length === 1) {
      const name = archiving[0]!;
      const node = ctx.b.cluster.layout.find((n) => n.name === name)!;
      const stored = reports.get(name)?.archivedSeqno ?? 0;
      const committed = await clusterSeqno(node, ctx.domain);
      if (stored >= committed && committed > 0) return name;
      last = `${name} archives, stored through ${stored} of ${committed}`;
    } else {
      last = `archiving: ${archiving.join(", ") || "none"}`;
    }
    if (Date.now() > deadline)
      throw new Error(`the archive is not ${side} after ${timeoutMs / 1000} s: ${last}`);
    await sleep(500);
  }
}

/**
 * Switches the archive on or off: every agent gets GALERA_PILOT_ARCHIVE=no (off) or nothing
 * (on: the default, yes), then the runner restarts them one at a time (each drains, leaves, and
 * joins again by IST, its datadir kept); then 3 of 3 synced, one writer, and confirmArchive.
 */
export async function switchArchive(
  ctx: Context,
  side: ArchiveSide,
): Promise<{ seconds: number; archiver: string | null }> {
  const startedAt = performance.now();
  progress(
    `archive ${side}: a rolling restart of the agents${side === "off" ? " with GALERA_PILOT_ARCHIVE=no" : ""}`,
  );
  for (const n of ctx.b.cluster.layout)
    ctx.b.cluster.setNodeEnv(n.name, side === "off" ? { GALERA_PILOT_ARCHIVE: "no" } : {});
  await ctx.b.cluster.restartRolling(300_000, (line) => progress(line));
  await waitAllSynced(ctx);
  await electedWriter(ctx.b.cluster);
  await ctx.writerUp();
  const archiver = await confirmArchive(ctx, side);
  const seconds = (performance.now() - startedAt) / 1000;
  progress(
    `archive ${side} after ${seconds.toFixed(0)} s${archiver === null ? "" : `: ${archiver} archives, caught up`}`,
  );
  return { seconds, archiver };
}

/** The node a name names. */
export function nodeNamed(ctx: Context, name: string): LocalNode {
  return ctx.b.cluster.layout.find((n) => n.name === name)!;
}
