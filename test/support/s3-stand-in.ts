/**
 * A STAND-IN for an S3-compatible object store, for tests: no real one (AWS, MinIO, Ceph) runs
 * here. It is s3rver 3.7.1 (an npm package that speaks the S3 protocol over HTTP and keeps the
 * objects in a folder) on 127.0.0.1 with a random port, and one Koa middleware put before
 * s3rver's routes that adds what s3rver lacks and galera-pilot relies on:
 *
 * - Conditional puts (PUT with `If-None-Match: *`): 412 PreconditionFailed when the key
 *   exists. s3rver ignores the header on a PUT (it honours it on a GET only) and overwrites,
 *   so without this a test of claimSlot would pass for any code, or show every claimer
 *   winning. The existence check and the write are atomic because the stand-in serialises
 *   every request that writes (PUT, POST, DELETE) under one lock: real S3 (since August 2024),
 *   MinIO and Ceph decide the condition in the store itself. `conditionalPuts: false` leaves
 *   s3rver as it is, to show what a store without them does.
 * - AbortMultipartUpload (DELETE ?uploadId=): s3rver answers MethodNotAllowed; here the
 *   upload's folder (its parts) is removed from s3rver's store.
 * - ListMultipartUploads (GET ?uploads): s3rver answers NotImplemented; here the uploads
 *   s3rver's folder still holds are listed, so a test sees what a failed upload left.
 *
 * What it does not do: s3rver checks that an access key id is its own (S3RVER; another gets
 * InvalidAccessKeyId) but does not check a version-4 signature, so a wrong secret key passes
 * here where S3 answers SignatureDoesNotMatch; and the middleware's own answers (412, the
 * uploads' list and abort) skip even the key id check.
 */
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver, { type KoaContext } from "s3rver";

/** The one key pair s3rver knows. */
export const standInAccessKeyId = "S3RVER";
export const standInSecretAccessKey = "S3RVER";

export interface S3StandInOptions {
  /** Buckets created before the server starts. */
  buckets?: string[];
  /** Honour `If-None-Match: *` on a PUT (true), or leave s3rver's behaviour (false). */
  conditionalPuts?: boolean;
}

export interface PendingUpload {
  key: string;
  uploadId: string;
}

export class S3StandIn {
  /** Every request, as "METHOD /bucket/key?name&…" (the query's names, sorted, without x-id). */
  readonly requests: string[] = [];
  /** Answer each conditional put 409 ConditionalRequestConflict (a put of the key under way). */
  conflictOnConditionalPuts = false;
  /** Answer each DeleteObject 403 AccessDenied (credentials that may write but not delete). */
  denyDeletes = false;
  /** Answer each AbortMultipartUpload 500 InternalError (the store failing as the upload ends). */
  failAborts = false;
  #endpoint = "";
  #running = false;
  #writes: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly directory: string,
    readonly server: S3rver,
    readonly conditionalPuts: boolean,
  ) {}

  static async start(options: S3StandInOptions = {}): Promise<S3StandIn> {
    const directory = await mkdtemp(join(tmpdir(), "gp-s3-stand-in-"));
    const server = new S3rver({
      address: "127.0.0.1",
      port: 0,
      silent: true,
      directory,
      configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
    });
    const standIn = new S3StandIn(directory, server, options.conditionalPuts ?? true);
    // Koa composes its list when the server starts listening: the last entry is s3rver's
    // router, and the stand-in's middleware goes just before it.
    server.middleware.splice(server.middleware.length - 1, 0, (context, next) =>
      standIn.#handle(context, next),
    );
    const address = await server.run();
    standIn.#endpoint = `http://127.0.0.1:${address.port}`;
    standIn.#running = true;
    return standIn;
  }

  /** http://127.0.0.1:PORT */
  get endpoint(): string {
    return this.#endpoint;
  }

  /** Stops answering: a connection to the port is refused from now on. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    await this.server.close();
  }

  /** Stops and removes the store's folder. */
  async dispose(): Promise<void> {
    await this.stop();
    await rm(this.directory, { recursive: true, force: true });
  }

  /** The multipart uploads s3rver's folder still holds (started, neither completed nor aborted). */
  async pendingUploads(bucket: string): Promise<PendingUpload[]> {
    const folder = this.#uploadsFolder(bucket);
    const ids = await readdir(folder).catch(() => [] as string[]);
    const found: PendingUpload[] = [];
    for (const uploadId of ids.sort()) {
      const key = await readFile(join(folder, uploadId, "key"), "utf8").catch(() => null);
      if (key !== null) found.push({ key, uploadId });
    }
    return found;
  }

  async #handle(context: KoaContext, next: () => Promise<void>): Promise<void> {
    // The SDK names its operation in the query (x-id=PutObject): not a part of the request's kind.
    const names = Object.keys(context.query)
      .filter((name) => name !== "x-id")
      .sort();
    this.requests.push(`${context.method} ${context.path}${names.length ? `?${names.join("&")}` : ""}`);
    const [bucket = "", ...keyParts] = context.path.slice(1).split("/").map(decodeURIComponent);
    const key = keyParts.join("/");
    if (context.method === "GET" && key === "" && "uploads" in context.query) {
      return this.#listUploads(context, bucket);
    }
    if (context.method !== "PUT" && context.method !== "POST" && context.method !== "DELETE") return next();
    // One write at a time: what makes the conditional put's check-then-write atomic.
    const turn = this.#writes.then(async () => {
      if (context.method === "DELETE" && typeof context.query.uploadId === "string") {
        if (this.failAborts) {
          return answerError(
            context,
            500,
            "InternalError",
            "We encountered an internal error. Please try again.",
          );
        }
        return this.#abortUpload(context, bucket, context.query.uploadId);
      }
      if (context.method === "DELETE" && key !== "" && this.denyDeletes) {
        return answerError(context, 403, "AccessDenied", "Access Denied");
      }
      const conditional =
        context.method === "PUT" &&
        key !== "" &&
        names.length === 0 &&
        context.headers["if-none-match"] === "*";
      if (conditional && this.conditionalPuts) {
        if (this.conflictOnConditionalPuts) {
          return answerError(context, 409, "ConditionalRequestConflict", "A conflicting operation occurred.");
        }
        if (await this.server.store.existsObject(bucket, key)) {
          return answerError(
            context,
            412,
            "PreconditionFailed",
            "At least one of the pre-conditions you specified did not hold",
          );
        }
      }
      return next();
    });
    this.#writes = turn.catch(() => undefined);
    return turn;
  }

  async #listUploads(context: KoaContext, bucket: string): Promise<void> {
    const prefix = typeof context.query.prefix === "string" ? context.query.prefix : "";
    const uploads = (await this.pendingUploads(bucket)).filter((upload) => upload.key.startsWith(prefix));
    context.status = 200;
    context.type = "application/xml";
    context.body =
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      `<Bucket>${escapeXml(bucket)}</Bucket><Prefix>${escapeXml(prefix)}</Prefix>` +
      "<MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>" +
      uploads
        .map(
          (upload) =>
            `<Upload><Key>${escapeXml(upload.key)}</Key><UploadId>${upload.uploadId}</UploadId></Upload>`,
        )
        .join("") +
      "</ListMultipartUploadsResult>";
  }

  async #abortUpload(context: KoaContext, bucket: string, uploadId: string): Promise<void> {
    const folder = join(this.#uploadsFolder(bucket), uploadId);
    if (!/^[0-9a-f]+$/.test(uploadId) || !(await stat(folder).catch(() => null))) {
      return answerError(context, 404, "NoSuchUpload", "The specified upload does not exist.");
    }
    await rm(folder, { recursive: true, force: true });
    context.status = 204;
    context.body = null;
  }

  #uploadsFolder(bucket: string): string {
    return this.server.store.getResourcePath(bucket, undefined, "uploads");
  }
}

function answerError(context: KoaContext, status: number, code: string, message: string): void {
  context.status = status;
  context.type = "application/xml";
  context.body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message><Resource>${escapeXml(context.path)}</Resource></Error>`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
