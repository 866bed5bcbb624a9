// Against a real S3-protocol server: s3rver, an npm package, on 127.0.0.1 with a random port,
// with the three things it lacks added in front of it (conditional puts, aborting and listing
// multipart uploads: test/support/s3-stand-in.ts). It is a STAND-IN for a real object store;
// docs/backups.md ("S3 as the destination") says what it does and does not prove.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { buffer, text } from "node:stream/consumers";
import { inspect } from "node:util";
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { Secret } from "../../../src/config/secret.js";
import { DestinationError } from "../../../src/destination/destination-error.js";
import {
  classifyS3Error,
  defaultPartSize,
  S3Destination,
  s3Reason,
  type S3DestinationOptions,
} from "../../../src/destination/s3-destination.js";
import { S3StandIn, standInAccessKeyId, standInSecretAccessKey } from "../../support/s3-stand-in.js";

// The SDK warns once per process that its releases from 2027 on need Node 22; the test's output
// is not the place for it (docs/backups.md says so for operators).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const id = "20261206T210000Z-n2";
const bucket = "backups";
const mib = 1024 * 1024;

let standIn: S3StandIn;
/** A fresh prefix per test, so tests share one server without seeing each other's keys. */
let prefixCount = 0;

before(async () => {
  standIn = await S3StandIn.start({ buckets: [bucket] });
});
after(async () => {
  await standIn.dispose();
});

function destination(
  options: Partial<S3DestinationOptions> = {},
  server: S3StandIn = standIn,
): S3Destination {
  prefixCount += 1;
  return new S3Destination({
    bucket,
    prefix: `cluster-${prefixCount}`,
    region: "us-east-1",
    endpoint: server.endpoint,
    credentials: {
      accessKeyId: new Secret(standInAccessKeyId),
      secretAccessKey: new Secret(standInSecretAccessKey),
    },
    credentialSource: "GALERA_PILOT_S3_ACCESS_KEY_ID",
    ...options,
  });
}

/** A plain client, to look at the store without the destination's help. */
function rawClient(server: S3StandIn = standIn): S3Client {
  return new S3Client({
    region: "us-east-1",
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: standInAccessKeyId, secretAccessKey: standInSecretAccessKey },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

async function keysUnder(prefix: string, server: S3StandIn = standIn): Promise<string[]> {
  const answer = await rawClient(server).send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (answer.Contents ?? []).map((item) => item.Key ?? "").sort();
}

/** A stream that gives `before` and then fails, as mariabackup's pipe does when it dies. */
function failingAfter(before: Buffer | string): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(before);
        return;
      }
      this.destroy(new Error("mariabackup exited with status 1"));
    },
  });
}

/** `bytes` in chunks of 64 KiB, as a pipe gives them. */
function chunked(bytes: Buffer): Readable {
  return Readable.from(
    (function* () {
      for (let at = 0; at < bytes.length; at += 64 * 1024) yield bytes.subarray(at, at + 64 * 1024);
    })(),
  );
}

/** The multipart uploads the stand-in still holds under `prefix`. */
async function pendingUnder(prefix: string): Promise<string[]> {
  return (await standIn.pendingUploads(bucket))
    .map((upload) => upload.key)
    .filter((key) => key.startsWith(prefix));
}

function requestsSince(mark: number): string[] {
  return standIn.requests.slice(mark);
}

describe("S3 as a backup destination (against the s3rver stand-in)", () => {
  it("stores a stream and a manifest under prefix/ID/ and reads them back", async () => {
    const store = destination();
    assert.equal(store.description, `s3://${bucket}/${store.prefix}`);
    await store.check();
    await store.writeData(id, Readable.from(["XBSTCK01", "rest of the stream"]));
    await store.writeManifest(id, '{"state":"running"}\n');
    await store.writeManifest(id, '{"state":"complete"}\n');
    assert.equal(await text(await store.readData(id)), "XBSTCK01rest of the stream");
    assert.deepEqual(await store.listManifests(), [{ id, text: '{"state":"complete"}\n' }]);
    assert.deepEqual(await keysUnder(`${store.prefix}/`), [
      `${store.prefix}/${id}/backup.mbstream.zst`,
      `${store.prefix}/${id}/manifest.json`,
    ]);
  });

  it("works at the bucket's root when the prefix is empty (keys have no leading slash)", async () => {
    const server = await S3StandIn.start({ buckets: [bucket] });
    try {
      const store = destination({ prefix: "" }, server);
      assert.equal(store.description, `s3://${bucket}`);
      await store.check();
      await store.writeData(id, Readable.from(["data"]));
      await store.writeManifest(id, "{}\n");
      assert.equal(await store.claimSlot("20261207T020000Z", "n1"), true);
      assert.deepEqual(await keysUnder("", server), [
        `${id}/backup.mbstream.zst`,
        `${id}/manifest.json`,
        "slots/20261207T020000Z.claim",
      ]);
      assert.deepEqual(await store.listManifests(), [{ id, text: "{}\n" }]);
    } finally {
      await server.dispose();
    }
  });

  it("uploads a stream larger than a part in parts while reading it, byte-identical on the way back", async () => {
    assert.equal(defaultPartSize, 16 * mib);
    const store = destination({ partSize: 5 * mib });
    const bytes = randomBytes(12 * mib);
    const mark = standIn.requests.length;
    await store.writeData(id, chunked(bytes));
    const sent = requestsSince(mark);
    const dataPath = `/${bucket}/${store.prefix}/${id}/backup.mbstream.zst`;
    // Three parts (5 + 5 + 2 MiB), no single put of the whole stream.
    assert.equal(sent.filter((line) => line === `POST ${dataPath}?uploads`).length, 1);
    assert.equal(sent.filter((line) => line.startsWith(`PUT ${dataPath}?`)).length, 3);
    assert.equal(sent.filter((line) => line === `POST ${dataPath}?uploadId`).length, 1);
    assert.equal(sent.includes(`PUT ${dataPath}`), false);
    const back = await buffer(await store.readData(id));
    assert.equal(back.length, bytes.length);
    assert.equal(
      createHash("sha256").update(back).digest("hex"),
      createHash("sha256").update(bytes).digest("hex"),
    );
    assert.deepEqual(await pendingUnder(`${store.prefix}/`), []);
  });

  it("aborts the multipart upload when the source fails mid-way: no object, no upload left", async () => {
    const store = destination({ partSize: 5 * mib });
    const mark = standIn.requests.length;
    const source = failingAfter(randomBytes(6 * mib));
    await assert.rejects(
      store.writeData(id, source),
      (error: unknown) =>
        error instanceof DestinationError &&
        error.message ===
          `writing backup ${id} to ${store.description} failed: mariabackup exited with status 1`,
    );
    const dataPath = `/${bucket}/${store.prefix}/${id}/backup.mbstream.zst`;
    // The test is not vacuous: a multipart upload was started, a part sent, then aborted.
    const sent = requestsSince(mark);
    assert.ok(sent.includes(`POST ${dataPath}?uploads`), sent.join("\n"));
    assert.ok(sent.includes(`PUT ${dataPath}?partNumber&uploadId`), sent.join("\n"));
    assert.ok(sent.includes(`DELETE ${dataPath}?uploadId`), sent.join("\n"));
    assert.deepEqual(await keysUnder(`${store.prefix}/`), []);
    assert.deepEqual(await pendingUnder(`${store.prefix}/`), []);
    assert.equal(source.destroyed, true);
    await assert.rejects(store.readData(id), {
      message: `backup ${id} has no stored stream in ${store.description}: no such key (NoSuchKey)`,
    });
  });

  it("leaves nothing when a source shorter than a part fails, or ends by being destroyed", async () => {
    const store = destination({ partSize: 5 * mib });
    await assert.rejects(store.writeData(id, failingAfter("half a stream")), {
      message: `writing backup ${id} to ${store.description} failed: mariabackup exited with status 1`,
    });
    // Destroyed without an error: a stream cut short, never taken for a whole one.
    let started = false;
    const cut = new Readable({
      read() {
        if (started) return void this.destroy();
        started = true;
        this.push("the start");
      },
    });
    await assert.rejects(store.writeData(id, cut), (error: unknown) => {
      assert.ok(error instanceof DestinationError);
      assert.match(
        error.message,
        /^writing backup .* failed: Premature close \(ERR_STREAM_PREMATURE_CLOSE\)$/,
      );
      return true;
    });
    assert.deepEqual(await keysUnder(`${store.prefix}/`), []);
    assert.deepEqual(await pendingUnder(`${store.prefix}/`), []);
  });

  it("lists only folders named like backups, skips one without a manifest, and pages through", async () => {
    const store = destination({ listPageSize: 1 });
    const ids = ["20261206T220000Z-n3", "20261205T220000Z-n1", "20261207T220000Z-n2"];
    for (const other of ids) await store.writeManifest(other, `{"id":"${other}"}\n`);
    await store.writeData(id, Readable.from(["only data"]));
    await store.claimSlot("20261207T020000Z", "n1");
    const client = rawClient();
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: `${store.prefix}/notes.txt`, Body: "mine" }),
    );
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: `${store.prefix}/not-a-backup/manifest.json`, Body: "{}" }),
    );
    assert.deepEqual(
      await store.listManifests(),
      [...ids].sort().map((other) => ({ id: other, text: `{"id":"${other}"}\n` })),
    );
    assert.equal(await store.readManifest(id), null);
  });

  it("deletes a backup whole, and a missing one is no error", async () => {
    const store = destination();
    const kept = "20261206T220000Z-n3";
    await store.writeData(id, Readable.from(["data"]));
    await store.writeManifest(id, "{}\n");
    await store.writeManifest(kept, "{}\n");
    await rawClient().send(
      new PutObjectCommand({ Bucket: bucket, Key: `${store.prefix}/${id}/extra.log`, Body: "x" }),
    );
    await store.deleteBackup(id);
    await store.deleteBackup(id);
    assert.deepEqual(await keysUnder(`${store.prefix}/`), [`${store.prefix}/${kept}/manifest.json`]);
    assert.deepEqual(await store.listManifests(), [{ id: kept, text: "{}\n" }]);
  });

  it("says so when the abort fails too, and a delete of the backup removes the parts left", async () => {
    const store = destination({ partSize: 5 * mib });
    standIn.failAborts = true;
    try {
      await assert.rejects(store.writeData(id, failingAfter(randomBytes(6 * mib))), {
        message:
          `writing backup ${id} to ${store.description} failed: mariabackup exited with status 1; ` +
          "aborting its multipart upload failed too (We encountered an internal error. Please try again. (InternalError, HTTP 500)), " +
          "so its parts stay on the store until a lifecycle rule or a delete of the backup removes them " +
          "(they are never an object, so never read as the stream)",
      });
    } finally {
      standIn.failAborts = false;
    }
    assert.deepEqual(await keysUnder(`${store.prefix}/`), []);
    assert.deepEqual(await pendingUnder(`${store.prefix}/`), [`${store.prefix}/${id}/backup.mbstream.zst`]);
    await store.deleteBackup(id);
    assert.deepEqual(await pendingUnder(`${store.prefix}/`), []);
  });

  it("never lets a name that is not an id reach the store", async () => {
    const store = destination();
    const mark = standIn.requests.length;
    await assert.rejects(store.deleteBackup("../etc"), {
      message: '"../etc" is not a backup id (like 20261206T210000Z-n2)',
    });
    await assert.rejects(store.writeManifest("a/b", "{}"), DestinationError);
    await assert.rejects(store.claimSlot("../x", "n1"), {
      message: '"../x" is not a slot name (like 20261207T020000Z)',
    });
    await assert.rejects(store.slotHolder("../x"), {
      message: '"../x" is not a slot name (like 20261207T020000Z)',
    });
    assert.deepEqual(requestsSince(mark), []);
  });

  it("lets exactly one of five concurrent claimers take a slot (a conditional put), and tells who did", async () => {
    const store = destination();
    const holders = ["n1", "n2", "n3", "n1", "n2"];
    assert.equal(await store.slotHolder("20261207T020000Z"), null);
    const mark = standIn.requests.length;
    const claims = await Promise.all(holders.map((holder) => store.claimSlot("20261207T020000Z", holder)));
    assert.equal(claims.filter(Boolean).length, 1);
    // Each claimer sent its own put: the 412s came from the store, not from a shortcut here.
    const slotPath = `/${bucket}/${store.prefix}/slots/20261207T020000Z.claim`;
    assert.equal(requestsSince(mark).filter((line) => line === `PUT ${slotPath}`).length, 5);
    const winner = holders[claims.indexOf(true)];
    const marker = await rawClient().send(
      new GetObjectCommand({ Bucket: bucket, Key: `${store.prefix}/slots/20261207T020000Z.claim` }),
    );
    assert.equal(await marker.Body?.transformToString(), `${winner}\n`);
    assert.equal(await store.slotHolder("20261207T020000Z"), winner);
    assert.equal(await store.claimSlot("20261207T030000Z", "n3"), true);
    assert.equal(await store.claimSlot("20261207T030000Z", "n3"), false);
  });

  it("leaves the slot on 409 ConditionalRequestConflict (another put of the marker under way)", async () => {
    const store = destination();
    standIn.conflictOnConditionalPuts = true;
    try {
      assert.equal(await store.claimSlot("20261207T020000Z", "n1"), false);
    } finally {
      standIn.conflictOnConditionalPuts = false;
    }
  });

  it("shows the limit of a store without conditional puts: every claimer is let through", async () => {
    // s3rver alone ignores If-None-Match on a PUT, as some S3-compatible stores still do:
    // then the marker does not lock the slot (docs/backups.md, the limits).
    const plain = await S3StandIn.start({ buckets: [bucket], conditionalPuts: false });
    try {
      const store = destination({}, plain);
      const claims = await Promise.all(
        ["n1", "n2", "n3"].map((holder) => store.claimSlot("20261207T020000Z", holder)),
      );
      assert.deepEqual(claims, [true, true, true]);
    } finally {
      await plain.dispose();
    }
  });

  it("check() says the store cannot be reached when nothing answers at the endpoint", async () => {
    const stopped = await S3StandIn.start({ buckets: [bucket] });
    await stopped.dispose();
    const store = destination({}, stopped);
    await assert.rejects(store.check(), {
      message: `the backup destination ${store.description} cannot be reached at ${stopped.endpoint}: connection refused (ECONNREFUSED)`,
    });
  });

  it("check() says the credentials were refused, and never shows them", async () => {
    const accessKeyId = "AKIAWRONGKEY0123456789";
    const secretAccessKey = "wrong/secret+key/0123456789abcdefghijklm";
    const store = destination({
      credentials: { accessKeyId: new Secret(accessKeyId), secretAccessKey: new Secret(secretAccessKey) },
    });
    const failure = await store.check().then(
      () => assert.fail("check() passed with an unknown access key id"),
      (error: unknown) => error,
    );
    assert.ok(failure instanceof DestinationError);
    assert.equal(
      failure.message,
      `the backup destination ${store.description} refused the credentials from GALERA_PILOT_S3_ACCESS_KEY_ID: the server knows no such access key id (InvalidAccessKeyId)`,
    );
    assert.equal(failure.cause, undefined);
    for (const shown of [
      failure.message,
      failure.stack ?? "",
      inspect(failure),
      inspect(store, { depth: 8 }),
    ]) {
      assert.equal(shown.includes(accessKeyId), false);
      assert.equal(shown.includes(secretAccessKey), false);
    }
    // s3rver does not check a version-4 signature: a wrong secret key with its own key id
    // passes here (real S3 answers SignatureDoesNotMatch, mapped below without a server).
    await destination({
      credentials: {
        accessKeyId: new Secret(standInAccessKeyId),
        secretAccessKey: new Secret(secretAccessKey),
      },
    }).check();
  });

  it("check() says when the credentials may write but not delete: pruning would fail", async () => {
    const store = destination();
    standIn.denyDeletes = true;
    try {
      await assert.rejects(store.check(), (error: unknown) => {
        assert.ok(error instanceof DestinationError);
        assert.match(
          error.message,
          new RegExp(
            `^the backup destination ${store.description} can be written but not deleted from, so pruning would fail: ` +
              "access denied: the credentials are not allowed to do this \\(AccessDenied\\) " +
              `\\(its probe object ${store.prefix}/\\.galera-pilot-probe-[0-9a-f]{12} may be left\\)$`,
          ),
        );
        return true;
      });
    } finally {
      standIn.denyDeletes = false;
    }
  });

  it("check() says the bucket does not exist", async () => {
    const store = destination({ bucket: "no-such-bucket" });
    await assert.rejects(store.check(), {
      message: `the backup destination ${store.description} has no bucket no-such-bucket at ${standIn.endpoint}: no such bucket (NoSuchBucket)`,
    });
  });
});

describe("S3's binlog archive (against the s3rver stand-in)", () => {
  const segment = "0-00000000000000000001-00000000000000000042_20261206T210000Z-20261206T211500Z.binlog";

  it("writes each segment with one put under prefix/archive/, lists, reads back and deletes it", async () => {
    const store = destination();
    assert.deepEqual(await store.listArchiveSegments(), []);
    const mark = standIn.requests.length;
    await store.writeArchiveSegment(segment, Buffer.from("first events"));
    assert.deepEqual(requestsSince(mark), [`PUT /${bucket}/${store.prefix}/archive/${segment}`]);
    await store.writeArchiveSegment(
      "0-00000000000000000043-00000000000000000050_20261206T211500Z-20261206T213000Z.binlog",
      Buffer.alloc(0),
    );
    assert.deepEqual(await keysUnder(`${store.prefix}/`), [
      `${store.prefix}/archive/0-00000000000000000001-00000000000000000042_20261206T210000Z-20261206T211500Z.binlog`,
      `${store.prefix}/archive/0-00000000000000000043-00000000000000000050_20261206T211500Z-20261206T213000Z.binlog`,
    ]);
    assert.deepEqual((await store.listArchiveSegments()).sort(), [
      "0-00000000000000000001-00000000000000000042_20261206T210000Z-20261206T211500Z.binlog",
      "0-00000000000000000043-00000000000000000050_20261206T211500Z-20261206T213000Z.binlog",
    ]);
    assert.equal((await store.readArchiveSegment(segment)).toString(), "first events");
    assert.equal(
      (
        await store.readArchiveSegment(
          "0-00000000000000000043-00000000000000000050_20261206T211500Z-20261206T213000Z.binlog",
        )
      ).length,
      0,
    );
    await store.deleteArchiveSegment(segment);
    await store.deleteArchiveSegment(segment);
    assert.deepEqual(await store.listArchiveSegments(), [
      "0-00000000000000000043-00000000000000000050_20261206T211500Z-20261206T213000Z.binlog",
    ]);
  });

  it("takes the same bytes written twice (a retry), refuses other bytes and keeps the stored ones", async () => {
    const store = destination();
    const bytes = randomBytes(64 * 1024);
    await store.writeArchiveSegment(segment, bytes);
    await store.writeArchiveSegment(segment, Buffer.from(bytes));
    await assert.rejects(store.writeArchiveSegment(segment, Buffer.from("other events")), {
      name: "DestinationError",
      message: `archive segment ${segment} is already stored in ${store.description} with other bytes; the stored one is kept and these were not written. A segment is written once: check that no other archiver writes to this destination`,
    });
    assert.ok((await store.readArchiveSegment(segment)).equals(bytes));
  });

  it("refuses a name that is not a segment's, and sends nothing", async () => {
    const store = destination();
    const mark = standIn.requests.length;
    for (const name of ["../escape.binlog", "a/b.binlog", `${segment}.partial`, "no-ending", ""]) {
      const refused = {
        message: `"${name}" is not an archive segment name (letters, digits, "_", "." or "-", then ".binlog"); nothing was touched`,
      };
      await assert.rejects(store.writeArchiveSegment(name, Buffer.from("x")), refused);
      await assert.rejects(store.readArchiveSegment(name), refused);
      await assert.rejects(store.deleteArchiveSegment(name), refused);
    }
    assert.deepEqual(requestsSince(mark), []);
  });

  it("leaves out of the listing a .partial object and anything else under archive/", async () => {
    const store = destination();
    await store.writeArchiveSegment(segment, Buffer.from("first events"));
    for (const key of [`${segment}.partial`, "notes.txt", "nested/n1-mysql-bin.000001.binlog"]) {
      await rawClient().send(
        new PutObjectCommand({ Bucket: bucket, Key: `${store.prefix}/archive/${key}`, Body: "x" }),
      );
    }
    assert.deepEqual(await store.listArchiveSegments(), [segment]);
  });

  it("says which segment is missing when one is read that is not stored", async () => {
    const store = destination();
    await assert.rejects(
      store.readArchiveSegment(segment),
      (error: unknown) =>
        error instanceof DestinationError &&
        error.message ===
          `archive segment ${segment} is not stored in ${store.description}: no such key (NoSuchKey)`,
    );
  });

  it("says the store cannot be reached, or has no such bucket, as the backups' errors do", async () => {
    const stopped = await S3StandIn.start({ buckets: [bucket] });
    await stopped.dispose();
    const unreachable = destination({}, stopped);
    await assert.rejects(unreachable.listArchiveSegments(), {
      message: `the archive in ${unreachable.description} cannot be listed: connection refused (ECONNREFUSED)`,
    });
    await assert.rejects(unreachable.writeArchiveSegment(segment, Buffer.from("x")), {
      message: `writing archive segment ${segment} to ${unreachable.description} failed: connection refused (ECONNREFUSED)`,
    });
    const noBucket = destination({ bucket: "no-such-bucket" });
    await assert.rejects(noBucket.readArchiveSegment(segment), {
      message: `archive segment ${segment} in ${noBucket.description} cannot be read: no such bucket (NoSuchBucket)`,
    });
    await assert.rejects(noBucket.deleteArchiveSegment(segment), {
      message: `deleting archive segment ${segment} from ${noBucket.description} failed: no such bucket (NoSuchBucket)`,
    });
  });
});

describe("an S3 failure as one line", () => {
  const secret = new Secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  function serviceError(name: string, status: number, message: string): S3ServiceException {
    return new S3ServiceException({ name, $fault: "client", $metadata: { httpStatusCode: status }, message });
  }

  it("names the credentials' failures, the real S3 ones s3rver never sends included", () => {
    const mismatch = serviceError(
      "SignatureDoesNotMatch",
      403,
      "The request signature we calculated does not match",
    );
    assert.equal(classifyS3Error(mismatch), "credentials");
    assert.equal(
      s3Reason(mismatch, [secret]),
      "the secret access key does not match the access key id (SignatureDoesNotMatch)",
    );
    const denied = serviceError("AccessDenied", 403, "Access Denied");
    assert.equal(classifyS3Error(denied), "credentials");
    assert.equal(
      s3Reason(denied),
      "access denied: the credentials are not allowed to do this (AccessDenied)",
    );
    const bare403 = serviceError("Forbidden", 403, "UnknownError");
    assert.equal(classifyS3Error(bare403), "credentials");
    assert.equal(s3Reason(bare403), "Forbidden, HTTP 403");
  });

  it("says what the server said, with every secret's value redacted", () => {
    const echoed = serviceError("InvalidArgument", 400, `bad header: key ${secret.reveal()}\nmore`);
    assert.equal(classifyS3Error(echoed), "other");
    assert.equal(s3Reason(echoed, [secret]), "bad header: key [secret] (InvalidArgument, HTTP 400)");
  });

  it("counts a timeout and a name that does not resolve as unreachable", () => {
    const timeout = Object.assign(new Error("Socket timed out"), { name: "TimeoutError" });
    assert.equal(classifyS3Error(timeout), "unreachable");
    assert.equal(s3Reason(timeout), "no answer in time (TimeoutError)");
    const dns = Object.assign(new Error("getaddrinfo ENOTFOUND s3.example"), { code: "ENOTFOUND" });
    assert.equal(classifyS3Error(dns), "unreachable");
    assert.equal(s3Reason(dns), "no such host (ENOTFOUND)");
  });
});
