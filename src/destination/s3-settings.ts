import { readSecret, type SecretNoun } from "../config/read-secret.js";
import { BadInputError } from "../errors.js";
import { S3Destination } from "./s3-destination.js";

type Env = Readonly<Record<string, string | undefined>>;

export const s3EndpointVariable = "GALERA_PILOT_S3_ENDPOINT";
export const s3RegionVariable = "GALERA_PILOT_S3_REGION";
export const s3AccessKeyIdVariable = "GALERA_PILOT_S3_ACCESS_KEY_ID";
export const s3SecretAccessKeyVariable = "GALERA_PILOT_S3_SECRET_ACCESS_KEY";
export const defaultS3Region = "us-east-1";

const accessKeyIdNoun: SecretNoun = { a: "an access key id", the: "the access key id" };
const secretAccessKeyNoun: SecretNoun = { a: "a secret access key", the: "the secret access key" };

/** What every refusal here keeps safe: the settings are read before anything starts. */
const keptSafe = "nothing was started";

/** The place `s3://bucket/prefix` names: the prefix without a leading or trailing slash. */
export interface S3Location {
  bucket: string;
  prefix: string;
}

/**
 * Reads `s3://bucket` or `s3://bucket/prefix` (a trailing slash is allowed). The URL is never
 * repeated in a message: a URL given as `s3://KEY:SECRET@bucket` would show the secret.
 */
export function parseS3Url(url: string): S3Location {
  const example = "give it as s3://BUCKET or s3://BUCKET/PREFIX";
  const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/s.exec(url);
  if (!match) {
    throw new BadInputError(`the backup destination is not an S3 address (s3://…); ${keptSafe}; ${example}`);
  }
  const bucket = match[1] ?? "";
  const path = (match[2] ?? "").replace(/\/+$/, "");
  if (bucket.includes("@") || bucket.includes(":")) {
    throw new BadInputError(
      `the backup destination holds a user name, a password or a port before its bucket; ${keptSafe}; ` +
        `give the keys in ${s3AccessKeyIdVariable} and ${s3SecretAccessKeyVariable} (or their _FILE), the server in ${s3EndpointVariable}, and the destination as s3://BUCKET/PREFIX`,
    );
  }
  if (bucket === "") {
    throw new BadInputError(`the backup destination names no bucket; ${keptSafe}; ${example}`);
  }
  const bucketProblem = bucketNameProblem(bucket);
  if (bucketProblem) {
    throw new BadInputError(
      `the backup destination's bucket ${JSON.stringify(bucket)} is not a valid bucket name: ${bucketProblem}; ${keptSafe}; ` +
        "give the bucket's name as the store shows it (3 to 63 lower-case letters, digits, dots and hyphens)",
    );
  }
  if (path !== "") {
    const segments = path.split("/");
    if (segments.some((segment) => segment === "" || segment === "." || segment === "..")) {
      throw new BadInputError(
        `the backup destination's prefix ${JSON.stringify(path)} has an empty, "." or ".." part; ${keptSafe}; ` +
          "give the prefix as folder names joined by single slashes, like s3://BUCKET/galera/prod",
      );
    }
    // A control character cannot be typed in most tools; ? and # would be taken for a query.
    if (/[\p{Cc}\\?#]/u.test(path)) {
      throw new BadInputError(
        `the backup destination's prefix has a control character, a backslash, "?" or "#"; ${keptSafe}; ` +
          "use letters, digits and - _ . / in the prefix",
      );
    }
  }
  return { bucket, prefix: path };
}

/** Why `name` is not an S3 bucket name (AWS's rules, which S3-compatible stores share), or null. */
function bucketNameProblem(name: string): string | null {
  if (name.length < 3 || name.length > 63) return `it has ${name.length} characters, not 3 to 63`;
  if (!/^[a-z0-9.-]+$/.test(name)) return "only lower-case letters, digits, dots and hyphens are allowed";
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) return "it must begin and end with a letter or a digit";
  if (name.includes("..")) return "it has two dots in a row";
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return "it has the form of an IP address";
  return null;
}

/**
 * The S3 destination `url` names, with the settings of `env`:
 *
 * - GALERA_PILOT_S3_ENDPOINT: an S3-compatible server's URL (http://127.0.0.1:4569, MinIO's,
 *   Ceph's); unset: AWS S3 itself.
 * - GALERA_PILOT_S3_REGION: the region to sign for; us-east-1 when unset (what MinIO and most
 *   S3-compatible servers expect).
 * - GALERA_PILOT_S3_ACCESS_KEY_ID and GALERA_PILOT_S3_SECRET_ACCESS_KEY, each also as a _FILE
 *   (the Docker secrets convention): both, or neither.
 *
 * With neither key set, the AWS SDK's default chain finds the credentials: AWS_ACCESS_KEY_ID
 * and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), a profile in ~/.aws, a web identity
 * (EKS), the ECS task's or the EC2 instance's role. That is how a node on AWS uses its role
 * without any key written anywhere. Nothing is sent before the first request.
 */
export function s3DestinationFromUrl(url: string, env: Env): S3Destination {
  const { bucket, prefix } = parseS3Url(url);
  const endpoint = readEndpoint(env);
  const region = env[s3RegionVariable] ?? defaultS3Region;
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(region)) {
    throw new BadInputError(
      `${s3RegionVariable} ${JSON.stringify(region)} is not a region name; ${keptSafe}; give one like us-east-1, or leave it unset`,
    );
  }
  const accessKeyId = readSecret(env, s3AccessKeyIdVariable, accessKeyIdNoun);
  const secretAccessKey = readSecret(env, s3SecretAccessKeyVariable, secretAccessKeyNoun);
  if ((accessKeyId === null) !== (secretAccessKey === null)) {
    const [given, missing] =
      accessKeyId === null
        ? [s3SecretAccessKeyVariable, s3AccessKeyIdVariable]
        : [s3AccessKeyIdVariable, s3SecretAccessKeyVariable];
    throw new BadInputError(
      `${given} is set but ${missing} is not; ${keptSafe}; set ${missing} or ${missing}_FILE too, ` +
        "or neither of them to use the AWS SDK's default chain (AWS_* variables, the instance's role)",
    );
  }
  const fromFile = env[`${s3AccessKeyIdVariable}_FILE`] !== undefined;
  return new S3Destination({
    bucket,
    prefix,
    region,
    ...(endpoint !== undefined && { endpoint }),
    ...(accessKeyId &&
      secretAccessKey && {
        credentials: { accessKeyId, secretAccessKey },
        credentialSource: fromFile ? `${s3AccessKeyIdVariable}_FILE` : s3AccessKeyIdVariable,
      }),
  });
}

function readEndpoint(env: Env): string | undefined {
  const given = env[s3EndpointVariable];
  if (given === undefined) return undefined;
  const fix = `give the server's URL, like http://127.0.0.1:4569 or https://minio.example:9000, or leave it unset for AWS S3`;
  // A user name or password in the URL is never repeated, nor sent: keys go in their settings.
  if (given.includes("@")) {
    throw new BadInputError(
      `${s3EndpointVariable} holds a user name or a password; ${keptSafe}; ` +
        `give the keys in ${s3AccessKeyIdVariable} and ${s3SecretAccessKeyVariable} (or their _FILE) and the URL without them`,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(given);
  } catch {
    throw new BadInputError(
      `${s3EndpointVariable} ${JSON.stringify(given)} is not a URL; ${keptSafe}; ${fix}`,
    );
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new BadInputError(
      `${s3EndpointVariable} ${JSON.stringify(given)} is not an http or https URL; ${keptSafe}; ${fix}`,
    );
  }
  if (parsed.search !== "" || parsed.hash !== "") {
    throw new BadInputError(
      `${s3EndpointVariable} ${JSON.stringify(given)} has a query or a fragment; ${keptSafe}; ${fix}`,
    );
  }
  return given;
}
