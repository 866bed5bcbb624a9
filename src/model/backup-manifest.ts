/**
 * A backup's manifest: the JSON file written beside each backup on its destination (a
 * directory, or S3), read back by `backup list`, `prune`, `verify` and `restore`. It is
 * written `running` when the backup starts and rewritten `complete` or `failed` when it
 * ends; only a `complete` backup is ever restored or counted for retention
 * (src/decide/backup-retention.ts). backup-manifest-schema.ts checks it before any code reads
 * a field: a manifest comes from another process, maybe another version, maybe a hand edit.
 */
import type { Position } from "./galera-state.js";

/** How the stored stream is compressed; a newer version may add kinds (the schema keeps them). */
export type BackupCompression = "zstd" | "gzip" | "none";
/** Where the backup is stored; a newer version may add kinds (the schema keeps them). */
export type BackupDestinationKind = "directory" | "s3";
export type BackupState = "running" | "complete" | "failed";

/** What every manifest holds, whatever its state. */
export interface BackupManifestCommon {
  /** The manifest's format: another one is reported, never guessed at. */
  manifestVersion: 1;
  /** backupId(startedAt, node): `20261206T210000Z-n2`, sortable by time. */
  id: string;
  /** The cluster state UUID of the node when the backup started (wsrep_cluster_state_uuid). */
  clusterUuid: string;
  /** The member the backup is taken on (its GALERA_PILOT_NAME). */
  node: string;
  /** ISO time the backup started. */
  startedAt: string;
  /** The server's version (`SELECT VERSION()`), e.g. "10.11.14-MariaDB-deb12". */
  mariadbVersion: string;
  /** The galera-pilot version that took it. */
  galeraPilotVersion: string;
  compression: BackupCompression;
  destination: BackupDestinationKind;
  /** Bytes of mariabackup's mbstream read so far (all of it once complete). */
  bytesStreamed: number;
  /** Bytes written to the destination so far (compressed: what restore reads back). */
  bytesStored: number;
  /**
   * ISO time the manifest was last written. A running backup's agent rewrites it every few
   * seconds with its progress; a `running` manifest left unchanged far longer is one whose
   * agent died (decide/backup-abandoned.ts).
   */
  updatedAt: string;
}

/** A backup under way, or one whose agent died before it could say it ended. */
export interface RunningBackup extends BackupManifestCommon {
  state: "running";
}

/** A backup that ended with every byte stored and checked: the only kind ever restored. */
export interface CompleteBackup extends BackupManifestCommon {
  state: "complete";
  /** ISO time the backup ended. */
  endedAt: string;
  /** The Galera position the backup holds, from mariabackup's galera info (uuid:seqno). */
  position: Position;
  /** MariaDB's GTID the backup holds (domain-server-seqno) when mariabackup wrote one, else null. */
  gtid: string | null;
  /** sha256 of the stored stream (the bytes on the destination), 64 lower-case hex digits. */
  sha256: string;
}

/** A backup that stopped before it was complete: never restored, pruned a day after its start. */
export interface FailedBackup extends BackupManifestCommon {
  state: "failed";
  /** ISO time the failure was recorded. */
  endedAt: string;
  /** What went wrong, one line. */
  failure: string;
}

export type BackupManifest = RunningBackup | CompleteBackup | FailedBackup;

/** A backup's id: its start, to the second in UTC, and its node; ids sort as their times do. */
export const backupIdPattern = /^[0-9]{8}T[0-9]{6}Z-[A-Za-z0-9_.-]+$/;

/**
 * The id of a backup started at `startedAtMs` on `node`: `20261206T210000Z-n2`. The time part
 * has a fixed width, so ids sort by time (then by node name, for two started within one
 * second); the id names the backup's place on the destination as well.
 */
export function backupId(startedAtMs: number, node: string): string {
  const iso = new Date(startedAtMs).toISOString(); // 2026-12-06T21:00:00.123Z
  return `${iso.slice(0, 19).replace(/[-:]/g, "")}Z-${node}`;
}
