import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { BadInputError } from "../../../src/errors.js";
import { parseS3Url, s3DestinationFromUrl } from "../../../src/destination/s3-settings.js";
import { S3StandIn, standInAccessKeyId, standInSecretAccessKey } from "../../support/s3-stand-in.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const kept = "nothing was started";

function refused(url: string, env: Record<string, string> = {}): string {
  try {
    s3DestinationFromUrl(url, env);
  } catch (error) {
    assert.ok(error instanceof BadInputError, String(error));
    assert.equal(error.message.includes("\n"), false);
    return error.message;
  }
  return assert.fail(`${url} was taken`);
}

describe("an S3 destination's address", () => {
  it("reads the bucket and the prefix", () => {
    assert.deepEqual(parseS3Url("s3://backups"), { bucket: "backups", prefix: "" });
    assert.deepEqual(parseS3Url("s3://backups/"), { bucket: "backups", prefix: "" });
    assert.deepEqual(parseS3Url("s3://backups/galera"), { bucket: "backups", prefix: "galera" });
    assert.deepEqual(parseS3Url("s3://my.backups-1/galera/prod/"), {
      bucket: "my.backups-1",
      prefix: "galera/prod",
    });
  });

  it("refuses a malformed address in one line that says what to do", () => {
    const example = "give it as s3://BUCKET or s3://BUCKET/PREFIX";
    assert.equal(
      refused("/srv/backups"),
      `the backup destination is not an S3 address (s3://…); ${kept}; ${example}`,
    );
    assert.equal(refused("s3://"), `the backup destination names no bucket; ${kept}; ${example}`);
    assert.equal(refused("s3:///prefix"), `the backup destination names no bucket; ${kept}; ${example}`);
    const rules =
      "give the bucket's name as the store shows it (3 to 63 lower-case letters, digits, dots and hyphens)";
    assert.equal(
      refused("s3://My_Backups/x"),
      `the backup destination's bucket "My_Backups" is not a valid bucket name: only lower-case letters, digits, dots and hyphens are allowed; ${kept}; ${rules}`,
    );
    assert.equal(
      refused("s3://ab"),
      `the backup destination's bucket "ab" is not a valid bucket name: it has 2 characters, not 3 to 63; ${kept}; ${rules}`,
    );
    assert.match(refused("s3://-backups"), /must begin and end with a letter or a digit/);
    assert.match(refused("s3://back..ups"), /two dots in a row/);
    assert.match(refused("s3://192.168.1.10"), /the form of an IP address/);
    assert.equal(
      refused("s3://backups/a//b"),
      `the backup destination's prefix "a//b" has an empty, "." or ".." part; ${kept}; give the prefix as folder names joined by single slashes, like s3://BUCKET/galera/prod`,
    );
    assert.match(refused("s3://backups/../other"), /has an empty, "\." or "\.\." part/);
    assert.match(refused("s3://backups/a?b"), /a control character, a backslash, "\?" or "#"/);
    assert.match(refused("s3://backups/a\nb"), /a control character, a backslash, "\?" or "#"/);
    assert.match(
      refused("s3://back\nups/x"),
      /^the backup destination's bucket "back\\nups" is not a valid bucket name/,
    );
  });

  it("never repeats credentials written into the address or the endpoint", () => {
    const secret = "wJalrXUtnFEMI/K7MDENG";
    const inAddress = refused(`s3://AKIAEXAMPLE:${secret}@backups/galera`);
    assert.match(
      inAddress,
      /^the backup destination holds a user name, a password or a port before its bucket;/,
    );
    assert.equal(inAddress.includes(secret), false);
    const inEndpoint = refused("s3://backups", {
      GALERA_PILOT_S3_ENDPOINT: `http://admin:${secret}@127.0.0.1:9000`,
    });
    assert.equal(
      inEndpoint,
      `GALERA_PILOT_S3_ENDPOINT holds a user name or a password; ${kept}; give the keys in GALERA_PILOT_S3_ACCESS_KEY_ID and GALERA_PILOT_S3_SECRET_ACCESS_KEY (or their _FILE) and the URL without them`,
    );
  });
});

describe("an S3 destination's settings", () => {
  let folder: string;
  before(() => {
    folder = mkdtempSync(join(tmpdir(), "gp-s3-settings-"));
  });
  after(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it("talks to AWS S3 in us-east-1 by default, with the SDK's default chain when no key is set", () => {
    const destination = s3DestinationFromUrl("s3://backups/galera", {});
    assert.equal(destination.description, "s3://backups/galera");
    assert.equal(destination.region, "us-east-1");
    assert.equal(destination.endpoint, undefined);
    assert.equal(destination.credentialSource, "the AWS SDK's default chain");
    const elsewhere = s3DestinationFromUrl("s3://backups", {
      GALERA_PILOT_S3_REGION: "eu-west-3",
      GALERA_PILOT_S3_ENDPOINT: "https://minio.example:9000",
    });
    assert.equal(elsewhere.region, "eu-west-3");
    assert.equal(elsewhere.endpoint, "https://minio.example:9000");
  });

  it("refuses an endpoint that is not an http URL, a bad region, and half a key pair", () => {
    const fix =
      "give the server's URL, like http://127.0.0.1:4569 or https://minio.example:9000, or leave it unset for AWS S3";
    assert.equal(
      refused("s3://backups", { GALERA_PILOT_S3_ENDPOINT: "127.0.0.1:9000" }),
      `GALERA_PILOT_S3_ENDPOINT "127.0.0.1:9000" is not a URL; ${kept}; ${fix}`,
    );
    assert.equal(
      refused("s3://backups", { GALERA_PILOT_S3_ENDPOINT: "ftp://store" }),
      `GALERA_PILOT_S3_ENDPOINT "ftp://store" is not an http or https URL; ${kept}; ${fix}`,
    );
    assert.equal(
      refused("s3://backups", { GALERA_PILOT_S3_REGION: "eu west" }),
      `GALERA_PILOT_S3_REGION "eu west" is not a region name; ${kept}; give one like us-east-1, or leave it unset`,
    );
    assert.equal(
      refused("s3://backups", { GALERA_PILOT_S3_ACCESS_KEY_ID: "AKIAEXAMPLE" }),
      `GALERA_PILOT_S3_ACCESS_KEY_ID is set but GALERA_PILOT_S3_SECRET_ACCESS_KEY is not; ${kept}; set GALERA_PILOT_S3_SECRET_ACCESS_KEY or GALERA_PILOT_S3_SECRET_ACCESS_KEY_FILE too, or neither of them to use the AWS SDK's default chain (AWS_* variables, the instance's role)`,
    );
    assert.equal(
      refused("s3://backups", { GALERA_PILOT_S3_SECRET_ACCESS_KEY: "secret-value" }).includes("secret-value"),
      false,
    );
  });

  it("reads each key from its variable or its _FILE, and names the keys as what they are", () => {
    const empty = join(folder, "empty");
    writeFileSync(empty, "\n");
    assert.equal(
      refused("s3://backups", {
        GALERA_PILOT_S3_ACCESS_KEY_ID: "AKIAEXAMPLE",
        GALERA_PILOT_S3_SECRET_ACCESS_KEY_FILE: empty,
      }),
      `GALERA_PILOT_S3_SECRET_ACCESS_KEY_FILE ${empty} is empty; ${kept}; write the secret access key into it`,
    );
    assert.equal(
      refused("s3://backups", { GALERA_PILOT_S3_ACCESS_KEY_ID: "", GALERA_PILOT_S3_SECRET_ACCESS_KEY: "x" }),
      `GALERA_PILOT_S3_ACCESS_KEY_ID is empty; ${kept}; set an access key id`,
    );
    const keyFile = join(folder, "key-id");
    writeFileSync(keyFile, "AKIAEXAMPLE\n");
    const destination = s3DestinationFromUrl("s3://backups", {
      GALERA_PILOT_S3_ACCESS_KEY_ID_FILE: keyFile,
      GALERA_PILOT_S3_SECRET_ACCESS_KEY: "secret-value",
    });
    assert.equal(destination.credentialSource, "GALERA_PILOT_S3_ACCESS_KEY_ID_FILE");
  });

  it("gives a destination that works against the stand-in, with keys from files", async () => {
    const standIn = await S3StandIn.start({ buckets: ["backups"] });
    try {
      const keyFile = join(folder, "access-key-id");
      const secretFile = join(folder, "secret-access-key");
      writeFileSync(keyFile, `${standInAccessKeyId}\n`);
      writeFileSync(secretFile, `${standInSecretAccessKey}\n`);
      const destination = s3DestinationFromUrl("s3://backups/galera/prod", {
        GALERA_PILOT_S3_ENDPOINT: standIn.endpoint,
        GALERA_PILOT_S3_ACCESS_KEY_ID_FILE: keyFile,
        GALERA_PILOT_S3_SECRET_ACCESS_KEY_FILE: secretFile,
      });
      await destination.check();
      await destination.writeData("20261206T210000Z-n2", Readable.from(["stream"]));
      assert.equal(await text(await destination.readData("20261206T210000Z-n2")), "stream");
      assert.ok(
        standIn.requests.includes("GET /backups/galera/prod/20261206T210000Z-n2/backup.mbstream.zst"),
      );
      writeFileSync(keyFile, "AKIAUNKNOWN\n");
      await assert.rejects(
        s3DestinationFromUrl("s3://backups/galera/prod", {
          GALERA_PILOT_S3_ENDPOINT: standIn.endpoint,
          GALERA_PILOT_S3_ACCESS_KEY_ID_FILE: keyFile,
          GALERA_PILOT_S3_SECRET_ACCESS_KEY_FILE: secretFile,
        }).check(),
        {
          message:
            "the backup destination s3://backups/galera/prod refused the credentials from GALERA_PILOT_S3_ACCESS_KEY_ID_FILE: the server knows no such access key id (InvalidAccessKeyId)",
        },
      );
    } finally {
      await standIn.dispose();
    }
  });
});
