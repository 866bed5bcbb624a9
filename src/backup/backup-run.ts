/**
 * One backup from start to end, with its manifest's lifecycle:
 *
 *   running manifest written → node desynced → stream (manifest rewritten every few seconds
 *   with the progress: the heartbeat) → stream durable → complete manifest written
 *
 * and on any failure a failed manifest, with the reason. The desync is lifted on every way
 * out of here (the `finally`); a crash of the whole agent is the caller's to undo (the
 * agent's marker file, agent/backup-taking.ts), and mariadbd's own crash lifts it by itself
 * (wsrep_desync is not kept across a restart). A `complete` manifest is written only after
 * the destination said every byte is durable and the stream's position was read; it is the
 * last thing written, so a crash before it leaves a `running` manifest whose heartbeat stops
 * (decide/backup-liveness.ts), never a complete one.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import type { BackupDestination } from "../destination/destination.js";
import type { Logger } from "../logger.js";
import {
  backupId,
  type BackupManifestCommon,
  type CompleteBackup,
  type FailedBackup,
  type RunningBackup,
} from "../model/backup-manifest.js";
import { backupPosition } from "./backup-info.js";
import type { BackupCpu } from "../model/backup-cpu.js";
import { BackupStream } from "./backup-stream.js";
import { progressLine } from "./progress-line.js";

export interface BackupRunOptions {
  destination: BackupDestination;
  /** This node's name (GALERA_PILOT_NAME). */
  node: string;
  /** The cluster state UUID the node is in now. */
  clusterUuid: string;
  mariadbVersion: string;
  galeraPilotVersion: string;
  defaultsFile: string;
  socket: string;
  /** Where mariabackup's scratch folder is made (the agent's run directory). */
  scratchParent: string;
  /** How hard the backup may use the node's CPU; backup-stream.ts's default when absent. */
  cpu?: BackupCpu;
  /** The datadir's size, for the progress line's estimate; null when unknown. */
  expectedBytes: number | null;
  desync: { on(): Promise<void>; off(): Promise<void> };
  log: Logger;
  now?: () => number;
  /** How often the running manifest is rewritten with the progress (and the progress logged). */
  heartbeatMs?: number;
  signal?: AbortSignal;
  /** Called once the id is known, before anything is written. */
  onStart?: (id: string, stream: BackupStream) => void;
}

export const defaultHeartbeatMs = 5_000;

export class BackupRunFailed extends Error {
  constructor(
    message: string,
    readonly manifest: FailedBackup | null,
  ) {
    super(message);
  }
}

/** Takes one backup; resolves with its complete manifest, or rejects with the failed one's reason. */
export async function runBackup(options: BackupRunOptions): Promise<CompleteBackup> {
  const now = options.now ?? Date.now;
  const startedAtMs = now();
  const id = backupId(startedAtMs, options.node);
  const stream = new BackupStream();
  options.onStart?.(id, stream);
  const common = (): BackupManifestCommon => ({
    manifestVersion: 1,
    id,
    clusterUuid: options.clusterUuid,
    node: options.node,
    startedAt: new Date(startedAtMs).toISOString(),
    mariadbVersion: options.mariadbVersion,
    galeraPilotVersion: options.galeraPilotVersion,
    compression: "zstd",
    destination: options.destination.kind,
    bytesStreamed: stream.bytesStreamed,
    bytesStored: stream.bytesStored,
    updatedAt: new Date(now()).toISOString(),
  });
  const write = (manifest: RunningBackup | CompleteBackup | FailedBackup): Promise<void> =>
    options.destination.writeManifest(id, JSON.stringify(manifest, null, 2) + "\n");

  // The first write also proves the destination takes writes, before the node is desynced.
  await write({ ...common(), state: "running" });
  let desynced = false;
  let scratch: string | null = null;
  let heartbeat: NodeJS.Timeout | undefined;
  try {
    await options.desync.on();
    desynced = true;
    scratch = await mkdtemp(join(options.scratchParent, "backup-"));
    let beating: Promise<void> = Promise.resolve();
    heartbeat = setInterval(() => {
      options.log.info(progressLine(id, stream, now() - startedAtMs, options.expectedBytes));
      // One heartbeat at a time: a slow destination does not pile writes up.
      beating = beating.then(() => write({ ...common(), state: "running" })).catch(() => undefined);
    }, options.heartbeatMs ?? defaultHeartbeatMs);
    const streamed = await stream.run({
      defaultsFile: options.defaultsFile,
      socket: options.socket,
      scratchDir: scratch,
      destination: options.destination,
      id,
      ...(options.cpu ? { cpu: options.cpu } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    clearInterval(heartbeat);
    await beating;
    const read = backupPosition(streamed.positionLines);
    if ("problem" in read) throw new Error(read.problem);
    if (read.position.uuid !== options.clusterUuid) {
      throw new Error(
        `the backup holds cluster ${read.position.uuid}, but the node was in cluster ${options.clusterUuid} when it started`,
      );
    }
    const complete: CompleteBackup = {
      ...common(),
      state: "complete",
      endedAt: new Date(now()).toISOString(),
      position: read.position,
      gtid: read.gtid,
      sha256: streamed.sha256,
    };
    await write(complete);
    return complete;
  } catch (error) {
    clearInterval(heartbeat);
    const reason = error instanceof Error ? error.message : String(error);
    const failed: FailedBackup = {
      ...common(),
      state: "failed",
      endedAt: new Date(now()).toISOString(),
      failure: reason,
    };
    // The destination may be what failed: the failed manifest is tried, not relied on (a
    // running manifest whose heartbeat stopped reads as abandoned all the same).
    const recorded = await write(failed).then(
      () => true,
      () => false,
    );
    throw new BackupRunFailed(reason, recorded ? failed : null);
  } finally {
    clearInterval(heartbeat);
    if (desynced) {
      await options.desync.off().catch((error: unknown) => {
        options.log.error(
          `backup ${id}: lifting wsrep_desync failed (${error instanceof Error ? error.message : String(error)}): the node stays out of the pools until the agent lifts it or mariadbd restarts`,
        );
      });
    }
    if (scratch !== null) await rm(scratch, { recursive: true, force: true });
  }
}
