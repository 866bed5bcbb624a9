/**
 * Where backups are kept: a directory (the default, also an NFS mount) or S3-compatible
 * storage. Every destination lays a backup out the same way, under its root:
 *
 *   ID/manifest.json          the manifest (model/backup-manifest.ts), replaced whole, never torn
 *   ID/backup.mbstream.zst    the stored stream (mbstream, compressed), written once
 *   slots/SLOT.claim          a scheduled slot's marker: created once, by one agent only
 *   archive/NAME.binlog       one segment of the binlog archive (point-in-time recovery),
 *                             written once
 *
 * A destination moves bytes and nothing else: which backup is complete, which to prune, which
 * node takes a slot are the pure core's rules (decide/backup-*.ts), and the manifests it
 * returns are checked by model/backup-manifest-schema.ts before anyone reads a field.
 * Credentials (S3) never appear in `description`, in errors or in logs.
 */
import type { Readable } from "node:stream";
import type { BackupDestinationKind } from "../model/backup-manifest.js";

/** The stored stream's file name inside a backup's folder (or key prefix). */
export const dataFileName = "backup.mbstream.zst";
export const manifestFileName = "manifest.json";
export const slotFolder = "slots";
/** The archive's folder (or key prefix) under the destination's root. */
export const archiveFolder = "archive";
/**
 * An archive segment's file name: no folder, no "/", so that a name never reaches outside the
 * archive's folder; the ".binlog" ending keeps a segment apart from what else the folder may
 * hold (a NAME.binlog.partial file being written).
 */
export const archiveSegmentNamePattern = /^[0-9A-Za-z_.-]{1,200}\.binlog$/;

/** One manifest as found on the destination: its text, to be checked by parseManifest. */
export interface StoredManifest {
  /** The backup's folder name (the id the manifest should hold). */
  id: string;
  text: string;
}

export interface BackupDestination {
  readonly kind: BackupDestinationKind;
  /** Where, for people: "/srv/backups" or "s3://bucket/prefix"; never a credential. */
  readonly description: string;

  /**
   * Checks that the destination can be reached and written (a small probe object written and
   * deleted). Throws DestinationError with what was found: unreachable, wrong credentials,
   * no such bucket or folder, not writable.
   */
  check(): Promise<void>;

  /**
   * Stores `data` as the backup's stream, while it is produced: never a whole local copy
   * first. Resolves once every byte is durable (fsync'd; the S3 upload completed). On any
   * failure (the source's error included) nothing is left that could pass for the whole
   * stream: a partial file is removed, a multipart upload aborted; then it rejects.
   */
  writeData(id: string, data: Readable): Promise<void>;

  /**
   * Where the stored stream is a file on this machine (a folder destination): stores it as
   * writeData does, but written by `write` itself, which is handed the path of a file that does
   * not exist yet and resolves once it wrote the whole stream there (a process may write it:
   * `zstd -o PATH`, with no copy through the agent). Then the file is made durable and put in
   * place; if `write` rejects, the file is removed and its error is this call's. Absent where
   * the stream is not a file here (S3).
   */
  writeDataIn?(id: string, write: (path: string) => Promise<void>): Promise<void>;

  /** The backup's stored stream, from its first byte. Throws DestinationError if it is absent. */
  readData(id: string): Promise<Readable>;

  /**
   * Where the backup's stored stream is a file on this machine (a folder destination), so that
   * a process may read it itself rather than through the agent; absent where it is not (S3).
   */
  localDataPath?(id: string): string;

  /** Writes the manifest of backup `id`, replacing any earlier one atomically. */
  writeManifest(id: string, text: string): Promise<void>;

  /** Every backup folder's manifest text; a folder without a readable one is left out. */
  listManifests(): Promise<StoredManifest[]>;

  /** One backup's manifest text, or null when it has none. */
  readManifest(id: string): Promise<string | null>;

  /** Deletes the backup's stream, then its manifest, then its folder; a missing part is no error. */
  deleteBackup(id: string): Promise<void>;

  /**
   * Creates the slot's marker holding `holder`, only if no marker exists: true for the one
   * caller that created it, false for every other (exclusive create; a conditional put).
   */
  claimSlot(slot: string, holder: string): Promise<boolean>;

  /**
   * Who claimed the slot (its marker's text), or null when no one did: an agent that left a
   * slot, or saw it pass, learns whether another took it before it says the slot was missed.
   */
  slotHolder(slot: string): Promise<string | null>;

  /**
   * Stores one archive segment, `name` a file name matching archiveSegmentNamePattern (no
   * folder), written once: resolves once it is durable (directory: written to a .partial file
   * of its own, fsync'd, linked into place (never replacing), folder fsync'd; S3: one
   * PutObject, If-None-Match). A segment of
   * that name already stored with the same bytes is no error (a retry after a lost answer);
   * with other bytes it is refused (DestinationError) and the stored one is kept.
   */
  writeArchiveSegment(name: string, bytes: Buffer): Promise<void>;
  /**
   * The names of the stored segments (partial files left out), in code-unit order; with
   * `after`, only the names that sort after it (S3: StartAfter, so a long archive is not
   * listed whole each time).
   */
  listArchiveSegments(after?: string): Promise<string[]>;
  /** One segment's bytes; DestinationError if it is absent. */
  readArchiveSegment(name: string): Promise<Buffer>;
  /** Deletes one segment; a missing one is no error. */
  deleteArchiveSegment(name: string): Promise<void>;
}
