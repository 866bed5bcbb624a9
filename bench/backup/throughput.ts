// Part 1 of the backup benchmark: `galera-pilot backup` against raw mariabackup (alone, and
// piped through `zstd -1 -T2`, the agent's default compression), each stage of the agent's
// pipeline alone, and the same command to the S3 stand-in.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, createReadStream, mkdtempSync, openSync, readFileSync, rmSync, statSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { S3StandIn, standInAccessKeyId, standInSecretAccessKey } from "../../test/support/s3-stand-in.js";
import { formatCpuUse, startCpuSampler } from "../harness/cpu-sampler.js";
import { progress } from "../harness/progress.js";
import { repeatOnceOnFailure, rotated } from "../harness/rounds.js";
import {
  agentSeconds,
  backupSides,
  cpuLabel,
  fsyncPath,
  galeraPilotBackup,
  mariabackupArgs,
  mib,
  quote,
  refreshPids,
  run,
  runCli,
  syncDisks,
  waitAllSynced,
  type BackupRun,
  type Context,
  type Manifest,
  type StageRate,
} from "./common.js";

/** Bytes a stream of zstd frames decompresses to (read after the timed run). */
async function decompressedBytes(file: string): Promise<number> {
  const zstd = spawn("zstd", ["-q", "-d", "-c", file], { stdio: ["ignore", "pipe", "inherit"] });
  let bytes = 0;
  zstd.stdout.on("data", (c: Buffer) => (bytes += c.length));
  await new Promise<void>((resolve, reject) =>
    zstd.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`zstd -d ${file} exited ${code}`)))),
  );
  return bytes;
}

/**
 * Raw mariabackup of the backup node into a file of the destination folder (through
 * `zstd -1 -T2` when `compress`), then fsync'd; at normal priority, as a person runs it.
 */
async function rawBackup(
  ctx: Context,
  file: string,
  compress: boolean,
): Promise<{ seconds: number; durableSeconds: number }> {
  const scratch = mkdtempSync(join(ctx.b.stateDir, "raw-backup-scratch-"));
  try {
    const args = mariabackupArgs(ctx.backupNode, scratch);
    // As a person runs it: its log to a file, its stream to the sink.
    const log = join(ctx.b.stateDir, "raw-mariabackup.log");
    const startedAt = performance.now();
    if (compress) {
      await run(
        "bash",
        [
          "-o",
          "pipefail",
          "-c",
          `mariabackup ${args.map(quote).join(" ")} | zstd -q -1 -T2 -c > ${quote(file)}`,
        ],
        { stderrFile: log },
      );
    } else {
      const fd = openSync(file, "wx");
      try {
        await run("mariabackup", args, { stdout: fd, stderrFile: log });
      } finally {
        closeSync(fd);
      }
    }
    const exitedAt = performance.now();
    fsyncPath(file);
    fsyncPath(dirname(file));
    const durableAt = performance.now();
    return { seconds: (exitedAt - startedAt) / 1000, durableSeconds: (durableAt - startedAt) / 1000 };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export async function measureBackups(
  ctx: Context,
  rounds: number,
  noteFailure: (what: string, error: string) => void,
): Promise<{ runs: BackupRun[]; keptId: string; rawFile: string; storedFile: string }> {
  const runs: BackupRun[] = [];
  let position = 0;
  let keptId = "";
  const rawFile = join(ctx.destination, "raw-last.mbstream");
  const localManifest = async (id: string): Promise<Manifest> =>
    JSON.parse(readFileSync(join(ctx.destination, id, "manifest.json"), "utf8")) as Manifest;
  // Warm-up, not measured: the datadir's pages and mariabackup's own files in the page cache.
  progress(`warm-up: raw mariabackup of ${ctx.backupNode.name} to /dev/null`);
  const warm = mkdtempSync(join(ctx.b.stateDir, "raw-backup-scratch-"));
  await run("mariabackup", mariabackupArgs(ctx.backupNode, warm), {
    stderrFile: join(ctx.b.stateDir, "raw-mariabackup.log"),
  });
  rmSync(warm, { recursive: true, force: true });
  for (let round = 1; round <= rounds; round++) {
    for (const side of rotated(backupSides, round - 1)) {
      const what = `round ${round} ${side} backup`;
      const record = await repeatOnceOnFailure(
        what,
        async (): Promise<BackupRun> => {
          await waitAllSynced(ctx);
          await refreshPids(ctx);
          syncDisks();
          const sampler = startCpuSampler(cpuLabel(ctx));
          if (side === "galera-pilot") {
            const taken = await galeraPilotBackup(ctx, localManifest).finally(() => sampler.stop());
            const cpu = sampler.stop();
            // Only the last is kept (for the restores); the others go, so the disk holds one.
            if (keptId !== "") rmSync(join(ctx.destination, keptId), { recursive: true, force: true });
            keptId = taken.id;
            return galeraPilotRun(side, round, 0, taken, cpu);
          }
          const file = join(ctx.destination, `raw-${round}.${side === "raw" ? "mbstream" : "mbstream.zst"}`);
          rmSync(file, { force: true });
          const timed = await rawBackup(ctx, file, side === "raw+zstd").catch((error: unknown) => {
            sampler.stop();
            rmSync(file, { force: true });
            throw error;
          });
          const cpu = sampler.stop();
          const storedBytes = statSync(file).size;
          const mbstreamBytes = side === "raw" ? storedBytes : await decompressedBytes(file);
          if (side === "raw") {
            rmSync(rawFile, { force: true });
            spawnSync("mv", [file, rawFile]);
          } else {
            rmSync(file, { force: true });
          }
          return {
            side,
            round,
            position: 0,
            seconds: timed.seconds,
            agentSeconds: null,
            durableSeconds: timed.durableSeconds,
            startSeconds: null,
            mbstreamBytes,
            storedBytes,
            mibPerSecond: mbstreamBytes / mib / timed.seconds,
            cpu,
          };
        },
        (error) => noteFailure(what, error),
      );
      record.position = ++position;
      runs.push(record);
      progress(
        `${what}: ${record.mibPerSecond.toFixed(1)} MiB/s (${(record.mbstreamBytes / mib).toFixed(0)} MiB in ${record.seconds.toFixed(2)} s); cores: ${formatCpuUse(record.cpu)}`,
      );
    }
  }
  return { runs, keptId, rawFile, storedFile: join(ctx.destination, keptId, "backup.mbstream.zst") };
}

/** Reads `file` in Node into nothing (hashing it when `hash`): the time and the cores it took. */
async function timedRead(file: string, hash: boolean): Promise<{ seconds: number; cpu: number }> {
  const before = process.cpuUsage();
  const startedAt = performance.now();
  const h = createHash("sha256");
  const sink = new Writable({
    write(chunk: Buffer, _e, callback) {
      if (hash) h.update(chunk);
      callback();
    },
  });
  await pipeline(createReadStream(file), sink);
  if (hash) h.digest("hex");
  const seconds = (performance.now() - startedAt) / 1000;
  const used = process.cpuUsage(before);
  return { seconds, cpu: (used.user + used.system) / 1e6 / seconds };
}

/**
 * Each stage of the agent's pipeline alone, on the stored files of the last round (in the
 * page cache, most likely: just written): zstd on the mbstream, and the agent's own work, in
 * Node on the compressed stream only. The agent runs zstd with two threads by default; one
 * thread is measured too, to show what the second adds on this machine.
 */
export async function measureStages(rawFile: string, storedFile: string): Promise<StageRate[]> {
  const rawBytes = statSync(rawFile).size;
  const storedBytes = statSync(storedFile).size;
  const ratio = rawBytes / storedBytes;
  const stages: StageRate[] = [];
  const zstdAlone = async (threads: string[], label: string): Promise<void> => {
    const sampler = startCpuSampler((p) => (p.comm === "zstd" ? "zstd" : "other"));
    const startedAt = performance.now();
    await run("zstd", ["-q", "-1", ...threads, "-c", rawFile]);
    const seconds = (performance.now() - startedAt) / 1000;
    const cpu = sampler.stop();
    stages.push({ stage: label, mibPerSecond: rawBytes / mib / seconds, cpuCores: cpu.byLabel["zstd"] ?? 0 });
  };
  const read = await timedRead(storedFile, false);
  stages.push({
    stage: `reading the compressed stream in Node (no work: the floor; × ${ratio.toFixed(2)}, the compression ratio)`,
    mibPerSecond: (storedBytes * ratio) / mib / read.seconds,
    cpuCores: read.cpu,
  });
  const sha = await timedRead(storedFile, true);
  stages.push({
    stage: `sha256 of the compressed stream (Node; × ${ratio.toFixed(2)}, the compression ratio)`,
    mibPerSecond: (storedBytes * ratio) / mib / sha.seconds,
    cpuCores: sha.cpu,
  });
  await zstdAlone([], "`zstd -1` (one thread; not what the agent runs by default)");
  await zstdAlone(["-T2"], "`zstd -1 -T2` (two worker threads: what the agent runs by default)");
  return stages;
}

/** The same `galera-pilot backup` with the backup node's destination on the S3 stand-in (not interleaved). */
export async function measureS3(ctx: Context, rounds: number): Promise<BackupRun[]> {
  const standIn = await S3StandIn.start({ buckets: ["backups"] });
  try {
    const s3 = {
      GALERA_PILOT_S3_ENDPOINT: standIn.endpoint,
      GALERA_PILOT_S3_ACCESS_KEY_ID: standInAccessKeyId,
      GALERA_PILOT_S3_SECRET_ACCESS_KEY: standInSecretAccessKey,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    };
    const destination = "s3://backups/bench";
    progress(
      `restarting ${ctx.backupNode.name} with its destination on the S3 stand-in (${standIn.endpoint})`,
    );
    ctx.b.cluster.setNodeEnv(ctx.backupNode.name, { ...s3, GALERA_PILOT_BACKUP_DESTINATION: destination });
    await ctx.b.cluster.stopNode(ctx.backupNode.name);
    ctx.b.cluster.startNode(ctx.backupNode.name);
    const manifestOf = async (id: string): Promise<Manifest> => {
      const cli = await runCli(["backup", "list", "--json", "--destination", destination], {
        ...ctx.cliEnv,
        ...s3,
      });
      const found = (JSON.parse(cli.stdout) as { backups: (Manifest & { id: string })[] }).backups.find(
        (m) => m.id === id,
      );
      if (!found) throw new Error(`backup ${id} is not listed on the stand-in: ${cli.stderr}`);
      return found;
    };
    const runs: BackupRun[] = [];
    for (let round = 1; round <= rounds; round++) {
      await waitAllSynced(ctx);
      await refreshPids(ctx);
      syncDisks();
      const sampler = startCpuSampler(cpuLabel(ctx));
      const taken = await galeraPilotBackup(ctx, manifestOf).finally(() => sampler.stop());
      const cpu = sampler.stop();
      const record = galeraPilotRun("galera-pilot, S3 stand-in", round, round, taken, cpu);
      runs.push(record);
      progress(
        `S3 stand-in round ${round}: ${record.mibPerSecond.toFixed(1)} MiB/s (${record.seconds.toFixed(2)} s); cores: ${formatCpuUse(cpu)}`,
      );
    }
    return runs;
  } finally {
    await standIn.dispose();
  }
}

/** One `galera-pilot backup` run's record, from the command's times and the backup's manifest. */
function galeraPilotRun(
  side: BackupRun["side"],
  round: number,
  position: number,
  taken: Awaited<ReturnType<typeof galeraPilotBackup>>,
  cpu: BackupRun["cpu"],
): BackupRun {
  return {
    side,
    round,
    position,
    seconds: taken.seconds,
    agentSeconds: agentSeconds(taken.manifest),
    durableSeconds: null,
    startSeconds: taken.startSeconds,
    mbstreamBytes: taken.manifest.bytesStreamed,
    storedBytes: taken.manifest.bytesStored,
    mibPerSecond: taken.manifest.bytesStreamed / mib / taken.seconds,
    cpu,
  };
}
