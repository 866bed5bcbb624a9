import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { redact } from "../config/redact.js";
import type { Secret } from "../config/secret.js";
import { backupIdPattern } from "../model/backup-manifest.js";
import {
  archiveFolder,
  archiveSegmentNamePattern,
  dataFileName,
  manifestFileName,
  slotFolder,
  type BackupDestination,
  type StoredManifest,
} from "./destination.js";
import { DestinationError } from "./destination-error.js";

/** The size of each part of a stream's multipart upload: at most 10 000 parts, so up to 156 GiB. */
export const defaultPartSize = 16 * 1024 * 1024;
/**
 * How many parts are uploaded at once. Each one waiting is held in memory (16 MiB), and the
 * source waits while they are all under way: memory stays near (queueSize + 1) × partSize
 * whatever the backup's size, and the backup never needs a local copy.
 */
export const defaultQueueSize = 2;
/** How long check() waits for the store, in all (the SDK's retries included). */
const checkTimeoutMs = 30_000;

export interface S3DestinationOptions {
  bucket: string;
  /** The key prefix, without a leading or trailing slash; "" for the bucket's root. */
  prefix: string;
  region: string;
  /** An S3-compatible server's URL (MinIO, Ceph, a test's stand-in); absent: AWS S3 itself. */
  endpoint?: string;
  /**
   * The access key pair; absent: the AWS SDK's default chain (AWS_* variables, a profile, a
   * web identity, the instance's or the task's role).
   */
  credentials?: { accessKeyId: Secret; secretAccessKey: Secret };
  /** Where the credentials come from, for messages: "GALERA_PILOT_S3_ACCESS_KEY_ID_FILE". */
  credentialSource?: string;
  /** At least 5 MiB (S3's smallest part but the last); tests use the smallest. */
  partSize?: number;
  queueSize?: number;
  /** Keys per page of a listing (S3 gives at most 1000); tests use a small one to page. */
  listPageSize?: number;
}

/**
 * Backups in an S3 bucket, or any store that speaks its protocol: the layout of
 * destination.ts under `prefix/`. Durability is the store's: an object exists once its put
 * (or its multipart upload's completion) has been answered, and a put replaces an object
 * whole, so a reader sees the old manifest or the new one, never a torn one.
 *
 * Nothing here knows a credential's value: the client asks for it (`reveal()`) only when it
 * signs a request, messages name where the credentials come from, never what they are, and
 * any text the server sends back is redacted before it is quoted.
 */
export class S3Destination implements BackupDestination {
  readonly kind = "s3" as const;
  readonly description: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly region: string;
  /** The S3-compatible server's URL; undefined for AWS S3. */
  readonly endpoint: string | undefined;
  /** Where the credentials come from, never what they are. */
  readonly credentialSource: string;
  readonly #client: S3Client;
  /** The server, for messages: its origin, never a user name or password from its URL. */
  readonly #server: string;
  readonly #secrets: readonly Secret[];
  readonly #partSize: number;
  readonly #queueSize: number;
  readonly #listPageSize: number | undefined;

  constructor(options: S3DestinationOptions) {
    this.bucket = options.bucket;
    this.prefix = options.prefix;
    this.description = options.prefix ? `s3://${options.bucket}/${options.prefix}` : `s3://${options.bucket}`;
    this.#server = options.endpoint
      ? new URL(options.endpoint).origin
      : `the AWS S3 endpoint of region ${options.region}`;
    this.region = options.region;
    this.endpoint = options.endpoint;
    this.credentialSource =
      options.credentialSource ??
      (options.credentials ? "the access key given" : "the AWS SDK's default chain");
    this.#secrets = options.credentials
      ? [options.credentials.accessKeyId, options.credentials.secretAccessKey]
      : [];
    this.#partSize = options.partSize ?? defaultPartSize;
    this.#queueSize = options.queueSize ?? defaultQueueSize;
    this.#listPageSize = options.listPageSize;
    const given = options.credentials;
    this.#client = new S3Client({
      region: options.region,
      // A function, not the values: the client reveals them when it signs, and holds no copy
      // that an inspect or a log of its configuration could show.
      ...(given && {
        credentials: async () => ({
          accessKeyId: given.accessKeyId.reveal(),
          secretAccessKey: given.secretAccessKey.reveal(),
        }),
      }),
      // Servers other than AWS (MinIO, Ceph, a stand-in on 127.0.0.1) rarely have a DNS name for
      // each bucket: the bucket goes in the path instead.
      ...(options.endpoint && { endpoint: options.endpoint, forcePathStyle: true }),
      // The SDK sends CRC32 checksums with every put by default since early 2025, and many
      // S3-compatible servers that predate them refuse such requests: checksums only where S3
      // requires one. The stream's integrity is checked end to end anyway (the manifest's
      // sha256, which restore verifies).
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      // A server that never answers the connection must fail the backup, not hang it; once
      // connected, a socket idle for 5 minutes is given up on (the SDK retries the request).
      requestHandler: { connectionTimeout: 10_000, socketTimeout: 300_000 },
    });
  }

  async check(): Promise<void> {
    const key = this.#key(`.galera-pilot-probe-${randomBytes(6).toString("hex")}`);
    const abortSignal = AbortSignal.timeout(checkTimeoutMs);
    try {
      await this.#client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: "probe\n" }), {
        abortSignal,
      });
    } catch (error) {
      throw new DestinationError(this.#checkFailure(error));
    }
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal });
    } catch (error) {
      // Pruning deletes: credentials that may write but not delete would fail every prune.
      throw new DestinationError(
        `the backup destination ${this.description} can be written but not deleted from, so pruning would fail: ${this.#reason(error)} (its probe object ${key} may be left)`,
      );
    }
  }

  async writeData(id: string, data: Readable): Promise<void> {
    const key = this.#backupKey(id, dataFileName);
    // Parts are uploaded while the stream is read; a stream shorter than one part is one put
    // at its end. leavePartsOnError: the abort is done below, where its failure can be told.
    const upload = new Upload({
      client: this.#client,
      params: { Bucket: this.bucket, Key: key, Body: data, ContentType: "application/octet-stream" },
      partSize: this.#partSize,
      queueSize: this.#queueSize,
      leavePartsOnError: true,
    });
    try {
      await upload.done();
    } catch (error) {
      // The producer (mariabackup's pipe) learns that nobody reads any more.
      if (!data.destroyed) data.destroy();
      let aborted = "";
      if (upload.uploadId !== undefined) {
        // Aborting removes the parts: a multipart upload never completed is not an object,
        // and no listing or read shows it, but its parts are kept, and billed, until then.
        try {
          await this.#client.send(
            new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: upload.uploadId }),
          );
        } catch (abortError) {
          aborted = `; aborting its multipart upload failed too (${this.#reason(abortError)}), so its parts stay on the store until a lifecycle rule or a delete of the backup removes them (they are never an object, so never read as the stream)`;
        }
      }
      throw new DestinationError(
        `writing backup ${id} to ${this.description} failed: ${this.#reason(error)}${aborted}`,
      );
    }
  }

  async readData(id: string): Promise<Readable> {
    const key = this.#backupKey(id, dataFileName);
    try {
      const answer = await this.#client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!(answer.Body instanceof Readable)) throw new Error("the answer has no body to read");
      return answer.Body;
    } catch (error) {
      if (errorCode(error) === "NoSuchKey") {
        throw new DestinationError(
          `backup ${id} has no stored stream in ${this.description}: ${this.#reason(error)}`,
        );
      }
      throw new DestinationError(
        `the stored stream of backup ${id} in ${this.description} cannot be read: ${this.#reason(error)}`,
      );
    }
  }

  async writeManifest(id: string, text: string): Promise<void> {
    const key = this.#backupKey(id, manifestFileName);
    try {
      // One put: S3 replaces an object whole, so a reader gets the old manifest or the new one.
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: text,
          ContentType: "application/json",
        }),
      );
    } catch (error) {
      throw new DestinationError(
        `writing the manifest of backup ${id} to ${this.description} failed: ${this.#reason(error)}`,
      );
    }
  }

  async listManifests(): Promise<StoredManifest[]> {
    const folder = this.prefix ? `${this.prefix}/` : "";
    const ids: string[] = [];
    try {
      let token: string | undefined;
      do {
        const page = await this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: folder,
            Delimiter: "/",
            ContinuationToken: token,
            MaxKeys: this.#listPageSize,
          }),
        );
        for (const common of page.CommonPrefixes ?? []) {
          const name = common.Prefix?.slice(folder.length).replace(/\/$/, "") ?? "";
          if (backupIdPattern.test(name)) ids.push(name);
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
    } catch (error) {
      throw new DestinationError(
        `the backups in ${this.description} cannot be listed: ${this.#reason(error)}`,
      );
    }
    const found: StoredManifest[] = [];
    for (const id of ids.sort()) {
      const text = await this.readManifest(id);
      if (text !== null) found.push({ id, text });
    }
    return found;
  }

  async readManifest(id: string): Promise<string | null> {
    const key = this.#backupKey(id, manifestFileName);
    try {
      const answer = await this.#client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!answer.Body) throw new Error("the answer has no body to read");
      return await answer.Body.transformToString("utf8");
    } catch (error) {
      if (errorCode(error) === "NoSuchKey") return null;
      throw new DestinationError(
        `the manifest of backup ${id} in ${this.description} cannot be read: ${this.#reason(error)}`,
      );
    }
  }

  async deleteBackup(id: string): Promise<void> {
    const folder = this.#backupKey(id, "");
    try {
      // The stream goes first: a backup with a manifest and no stream is seen as incomplete,
      // never the other way round. S3 answers a delete of a missing key with success.
      await this.#delete(this.#backupKey(id, dataFileName));
      await this.#delete(this.#backupKey(id, manifestFileName));
      // Anything else under the backup's prefix (none is written today; a newer version's, or
      // a hand-made one) goes too, so that the folder disappears from the listing.
      for (const key of await this.#keysUnder(folder)) await this.#delete(key);
      await this.#abortUploadsUnder(folder);
    } catch (error) {
      throw new DestinationError(
        `deleting backup ${id} from ${this.description} failed: ${this.#reason(error)}`,
      );
    }
  }

  async claimSlot(slot: string, holder: string): Promise<boolean> {
    const key = this.#slotKey(slot);
    try {
      // A conditional put: the store creates the marker only if no object has its key, and
      // answers 412 to every other claimer; S3 does so since August 2024, as do MinIO, Ceph
      // and others. A store that ignores the condition lets every claimer through
      // (docs/backups.md, "S3 as the destination").
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: `${holder}\n`,
          IfNoneMatch: "*",
        }),
      );
      return true;
    } catch (error) {
      const code = errorCode(error);
      // 412: the marker exists. Also when this claimer's own first attempt created it and
      // its answer was lost, so that the SDK's retry met the marker: then no one takes the
      // slot and it is reported missed, the safe side of the same race.
      if (code === "PreconditionFailed") return false;
      // 409: another put of the same key was under way at that instant (S3 asks to retry).
      // Another claimer was creating the marker: leaving the slot to it is the safe answer;
      // should it fail too, the slot is missed and reported, never taken twice.
      if (code === "ConditionalRequestConflict") return false;
      throw new DestinationError(
        `claiming slot ${slot} in ${this.description} failed: ${this.#reason(error)}`,
      );
    }
  }

  async slotHolder(slot: string): Promise<string | null> {
    const key = this.#slotKey(slot);
    try {
      const answer = await this.#client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!answer.Body) throw new Error("the answer has no body to read");
      return (await answer.Body.transformToString("utf8")).trim();
    } catch (error) {
      if (errorCode(error) === "NoSuchKey") return null;
      throw new DestinationError(
        `reading the claim of slot ${slot} in ${this.description} failed: ${this.#reason(error)}`,
      );
    }
  }

  async writeArchiveSegment(name: string, bytes: Buffer): Promise<void> {
    const key = this.#segmentKey(name);
    try {
      // One conditional put: the store creates the segment only if no object has its key
      // (as claimSlot's marker), so a segment once stored is never replaced. A store that
      // ignores the condition replaces it (docs/backups.md, "S3 as the destination").
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: bytes,
          ContentType: "application/octet-stream",
          IfNoneMatch: "*",
        }),
      );
      return;
    } catch (error) {
      const code = errorCode(error);
      // 409: another put of this key was under way at that instant; neither is known to be
      // stored yet, so this one fails and its retry finds the other's, or stores its own.
      if (code === "ConditionalRequestConflict") {
        throw new DestinationError(
          `archive segment ${name} was not written to ${this.description}: another write of it was under way (${this.#reason(error)}); nothing was replaced, write it again`,
        );
      }
      if (code !== "PreconditionFailed") {
        throw new DestinationError(
          `writing archive segment ${name} to ${this.description} failed: ${this.#reason(error)}`,
        );
      }
    }
    // 412: a segment of that name is stored, this writer's own when the SDK retried a put whose
    // answer was lost: the same bytes are that retry, other bytes are refused.
    const stored = await this.readArchiveSegment(name);
    if (!stored.equals(bytes)) {
      throw new DestinationError(
        `archive segment ${name} is already stored in ${this.description} with other bytes; the stored one is kept and these were not written. A segment is written once: check that no other archiver writes to this destination`,
      );
    }
  }

  async listArchiveSegments(after?: string): Promise<string[]> {
    const folder = this.#key(`${archiveFolder}/`);
    let keys: string[];
    try {
      keys = await this.#keysUnder(folder, after === undefined ? undefined : `${folder}${after}`);
    } catch (error) {
      throw new DestinationError(
        `the archive in ${this.description} cannot be listed: ${this.#reason(error)}`,
      );
    }
    return keys.map((key) => key.slice(folder.length)).filter((name) => archiveSegmentNamePattern.test(name));
  }

  async readArchiveSegment(name: string): Promise<Buffer> {
    const key = this.#segmentKey(name);
    try {
      const answer = await this.#client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!answer.Body) throw new Error("the answer has no body to read");
      return Buffer.from(await answer.Body.transformToByteArray());
    } catch (error) {
      if (errorCode(error) === "NoSuchKey") {
        throw new DestinationError(
          `archive segment ${name} is not stored in ${this.description}: ${this.#reason(error)}`,
        );
      }
      throw new DestinationError(
        `archive segment ${name} in ${this.description} cannot be read: ${this.#reason(error)}`,
      );
    }
  }

  async deleteArchiveSegment(name: string): Promise<void> {
    const key = this.#segmentKey(name);
    try {
      // S3 answers a delete of a missing key with success.
      await this.#delete(key);
    } catch (error) {
      throw new DestinationError(
        `deleting archive segment ${name} from ${this.description} failed: ${this.#reason(error)}`,
      );
    }
  }

  /** A segment's key, `prefix/archive/NAME`; a name that is not a segment's never reaches the store. */
  #segmentKey(name: string): string {
    if (!archiveSegmentNamePattern.test(name)) {
      throw new DestinationError(
        `"${name}" is not an archive segment name (letters, digits, "_", "." or "-", then ".binlog"); nothing was touched`,
      );
    }
    return this.#key(`${archiveFolder}/${name}`);
  }

  /** A slot's marker key; a name that is not a slot's never reaches the store. */
  #slotKey(slot: string): string {
    if (!/^[A-Za-z0-9_.-]+$/.test(slot) || slot.includes("..")) {
      throw new DestinationError(`"${slot}" is not a slot name (like 20261207T020000Z)`);
    }
    return this.#key(`${slotFolder}/${slot}.claim`);
  }

  /** A key under the prefix: `prefix/path`, or `path` when the prefix is empty; no leading slash. */
  #key(path: string): string {
    return this.prefix ? `${this.prefix}/${path}` : path;
  }

  /** `prefix/ID/name`; `name` "" gives the backup's folder, `prefix/ID/`. */
  #backupKey(id: string, name: string): string {
    // An id names a folder: one that is not an id (a path, "..") never reaches the store.
    if (!backupIdPattern.test(id) || id.includes("..")) {
      throw new DestinationError(`"${id}" is not a backup id (like 20261206T210000Z-n2)`);
    }
    return this.#key(`${id}/${name}`);
  }

  async #delete(key: string): Promise<void> {
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  /** The keys under `folder`, in key order; with `startAfter`, only those after it. */
  async #keysUnder(folder: string, startAfter?: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.#client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: folder,
          ContinuationToken: token,
          StartAfter: startAfter,
          MaxKeys: this.#listPageSize,
        }),
      );
      for (const item of page.Contents ?? []) if (item.Key) keys.push(item.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return keys;
  }

  /**
   * Aborts any multipart upload left under the backup's prefix (a stream whose abort failed).
   * A store that cannot list uploads (NotImplemented) is left as it is: its lifecycle rules,
   * if any, remove them.
   */
  async #abortUploadsUnder(folder: string): Promise<void> {
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    do {
      let page;
      try {
        page = await this.#client.send(
          new ListMultipartUploadsCommand({
            Bucket: this.bucket,
            Prefix: folder,
            KeyMarker: keyMarker,
            UploadIdMarker: uploadIdMarker,
          }),
        );
      } catch (error) {
        if (errorCode(error) === "NotImplemented") return;
        throw error;
      }
      for (const upload of page.Uploads ?? []) {
        if (!upload.Key || !upload.UploadId) continue;
        await this.#client
          .send(
            new AbortMultipartUploadCommand({
              Bucket: this.bucket,
              Key: upload.Key,
              UploadId: upload.UploadId,
            }),
          )
          .catch((error: unknown) => {
            // Completed or aborted meanwhile: gone either way.
            if (errorCode(error) !== "NoSuchUpload") throw error;
          });
      }
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
    } while (keyMarker !== undefined);
  }

  /** check()'s one line: which of the four things went wrong, and what the store said. */
  #checkFailure(error: unknown): string {
    const reason = this.#reason(error);
    switch (classifyS3Error(error)) {
      case "unreachable":
        return `the backup destination ${this.description} cannot be reached at ${this.#server}: ${reason}`;
      case "credentials":
        return `the backup destination ${this.description} refused the credentials from ${this.credentialSource}: ${reason}`;
      case "no-bucket":
        return `the backup destination ${this.description} has no bucket ${this.bucket} at ${this.#server}: ${reason}`;
      default:
        return `the backup destination ${this.description} cannot be written: ${reason}`;
    }
  }

  #reason(error: unknown): string {
    return s3Reason(error, this.#secrets);
  }
}

/** What kind of failure an S3 call met, for check()'s message. */
export type S3FailureKind = "unreachable" | "credentials" | "no-bucket" | "other";

const unreachableCodes: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "no such host",
  EAI_AGAIN: "the host name could not be resolved now",
  ETIMEDOUT: "the connection timed out",
  ECONNRESET: "the connection was reset",
  EHOSTUNREACH: "no route to the host",
  ENETUNREACH: "the network is unreachable",
  EPIPE: "the connection was closed while sending",
};

const credentialCodes: Record<string, string> = {
  InvalidAccessKeyId: "the server knows no such access key id",
  SignatureDoesNotMatch: "the secret access key does not match the access key id",
  InvalidToken: "the session token is not valid",
  ExpiredToken: "the session token has expired",
  AccessDenied: "access denied: the credentials are not allowed to do this",
  CredentialsProviderError: "no credentials were found",
};

export function classifyS3Error(error: unknown): S3FailureKind {
  const code = errorCode(error);
  if (code === undefined) return "other";
  if (code in unreachableCodes || code === "TimeoutError" || code === "AbortError") return "unreachable";
  if (code === "NoSuchBucket") return "no-bucket";
  if (code in credentialCodes || httpStatus(error) === 403) return "credentials";
  return "other";
}

/**
 * An S3 call's failure as one short phrase, like systemReason: "connection refused
 * (ECONNREFUSED)", "the server knows no such access key id (InvalidAccessKeyId)". The text of
 * an answer the server sent is quoted with every secret's value redacted: a server may echo
 * what it was sent. The SDK's error itself is never kept as a cause: it holds the request's
 * access key id and the text that was signed.
 */
export function s3Reason(error: unknown, secrets: readonly Secret[] = []): string {
  if (!(error instanceof Error)) return redact(String(error), secrets);
  const code = errorCode(error);
  const status = httpStatus(error);
  if (code === "TimeoutError" || code === "AbortError") {
    return `no answer in time (${code})`;
  }
  if (code && unreachableCodes[code]) return `${unreachableCodes[code]} (${code})`;
  if (code && credentialCodes[code]) return `${credentialCodes[code]} (${code})`;
  if (code === "NoSuchBucket") return "no such bucket (NoSuchBucket)";
  if (code === "NoSuchKey") return "no such key (NoSuchKey)";
  const said = redact(firstLine(error.message), secrets);
  if (error instanceof S3ServiceException || status !== undefined) {
    // An answer without a body (a HEAD, a proxy's page) has only its status as a code.
    const shown = code && code !== "Unknown" && code !== String(status) ? code : "no S3 error code";
    const where = status !== undefined ? `, HTTP ${status}` : "";
    return said && said !== "UnknownError" && said !== code
      ? `${said} (${shown}${where})`
      : `${shown}${where}`;
  }
  return code && code !== "Error" ? `${said} (${code})` : said;
}

/** The S3 error code (NoSuchBucket), a system error's (ECONNREFUSED), or the error's name. */
function errorCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const systemCode = (error as NodeJS.ErrnoException).code;
  if (typeof systemCode === "string") return systemCode;
  return error.name;
}

function httpStatus(error: unknown): number | undefined {
  const metadata = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata;
  return metadata?.httpStatusCode;
}

function firstLine(text: string): string {
  return text.split("\n")[0]?.trim() ?? "";
}
