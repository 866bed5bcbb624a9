// Part 1 of the pitr benchmark: the archive's lag under load. sysbench oltp_write_only runs
// through HAProxy for the window while the writer's position (the cluster domain's sequence
// number in @@gtid_binlog_pos) is read every 50 ms; afterwards each transaction of the window
// is found in its segment, whose mtime is when it was written (and fsync'd just after, before
// being linked into the archive). A transaction's lag: its segment's mtime − the first sample
// that showed it committed.
import { statSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import mysql from "mysql2/promise";
import { progress } from "../harness/progress.js";
import { measureSysbench } from "../harness/sysbench.js";
import {
  archiveDir,
  archiveReports,
  dataset,
  domainSeqno,
  listSegments,
  load,
  sampleEveryMs,
  type Context,
  type LagResult,
} from "./common.js";
import type { LocalNode } from "../../src/local/cluster-layout.js";

interface Sample {
  /** Date.now() when the query was sent, and when its answer came. */
  sentAt: number;
  at: number;
  seqno: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

function summary(values: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN };
}

/** Reads the writer's position every `sampleEveryMs` on one connection until stop() is called. */
async function startSampler(writer: LocalNode, domain: number): Promise<{ stop: () => Promise<Sample[]> }> {
  const c = await mysql.createConnection({ socketPath: writer.socket, user: "root", connectTimeout: 5000 });
  const samples: Sample[] = [];
  let stopping = false;
  const loop = (async () => {
    try {
      while (!stopping) {
        const sentAt = Date.now();
        const [rows] = (await c.query("SELECT @@gtid_binlog_pos AS p")) as unknown as [{ p: string }[]];
        const at = Date.now();
        samples.push({ sentAt, at, seqno: domainSeqno(rows[0]?.p ?? "", domain) });
        const wait = sentAt + sampleEveryMs - Date.now();
        if (wait > 0) await sleep(wait);
      }
    } finally {
      await c.end().catch(() => undefined);
    }
  })();
  return {
    stop: async () => {
      stopping = true;
      await loop;
      return samples;
    },
  };
}

/** The index of the first sample whose seqno reached `seqno` (samples' seqnos never decrease). */
function firstReaching(samples: readonly Sample[], seqno: number): number {
  let lo = 0;
  let hi = samples.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (samples[mid]!.seqno >= seqno) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export async function measureLag(ctx: Context, writer: LocalNode): Promise<LagResult> {
  const reports = await archiveReports(ctx);
  const archiver = [...reports].find(([, r]) => r?.archiving === true)?.[0] ?? "none";
  progress(
    `lag: oltp_write_only through HAProxy for ${load.seconds} s, ${writer.name}'s position read every ${sampleEveryMs} ms; ${archiver} archives`,
  );
  const sampler = await startSampler(writer, ctx.domain);
  const measured = await measureSysbench(ctx.b.stateDir, ctx.router, "oltp_write_only", {
    ...dataset,
    ...load,
  }).catch(async (error: unknown) => {
    await sampler.stop();
    throw error;
  });
  // The window's last commits: seen by the samples of the next second.
  await sleep(1000);
  const samples = await sampler.stop();
  if (samples.length < 2) throw new Error(`lag: only ${samples.length} samples of ${writer.name}'s position`);
  const firstSeqno = samples[0]!.seqno;
  const lastSeqno = samples.at(-1)!.seqno;
  // Stored by now, by design (400 ms): waited for up to 30 s, then what is missing is counted.
  const deadline = Date.now() + 30_000;
  while (Math.max(0, ...listSegments(ctx).map((s) => s.span.last)) < lastSeqno && Date.now() < deadline)
    await sleep(200);
  const segments = listSegments(ctx).filter((s) => s.span.last > firstSeqno && s.span.first <= lastSeqno);
  // Each transaction's stored time: the earliest segment holding it (two archivers may store one twice).
  const stored = new Map<number, number>();
  for (const s of segments) {
    const mtime = statSync(join(archiveDir(ctx), s.name)).mtimeMs;
    for (
      let seqno = Math.max(s.span.first, firstSeqno + 1);
      seqno <= Math.min(s.span.last, lastSeqno);
      seqno++
    ) {
      const before = stored.get(seqno);
      if (before === undefined || mtime < before) stored.set(seqno, mtime);
    }
  }
  const lags: number[] = [];
  const upper: number[] = [];
  let missing = 0;
  for (let seqno = firstSeqno + 1; seqno <= lastSeqno; seqno++) {
    const at = stored.get(seqno);
    if (at === undefined) {
      missing += 1;
      continue;
    }
    const k = firstReaching(samples, seqno);
    lags.push(at - samples[k]!.at);
    upper.push(at - samples[Math.max(0, k - 1)]!.sentAt);
  }
  let longestSampleGapMs = 0;
  for (let i = 1; i < samples.length; i++)
    longestSampleGapMs = Math.max(longestSampleGapMs, samples[i]!.at - samples[i - 1]!.at);
  const result: LagResult = {
    ...measured,
    transactions: lastSeqno - firstSeqno,
    firstSeqno,
    lastSeqno,
    samples: samples.length,
    longestSampleGapMs,
    segments: segments.length,
    missing,
    lagMs: summary(lags),
    lagUpperMs: summary(upper),
    archiver,
  };
  progress(
    `lag: ${result.transactions} transactions (${measured.tps.toFixed(1)} tps) in ${result.segments} segments: p50 ${result.lagMs.p50.toFixed(0)} ms, p99 ${result.lagMs.p99.toFixed(0)} ms, max ${result.lagMs.max.toFixed(0)} ms; ${missing} not in the archive`,
  );
  return result;
}
