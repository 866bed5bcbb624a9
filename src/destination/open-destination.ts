import { isAbsolute } from "node:path";
import { BadInputError } from "../errors.js";
import type { BackupDestination } from "./destination.js";
import { DirectoryDestination } from "./directory-destination.js";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The destination a setting names: `s3://bucket/prefix` (S3-compatible storage, its
 * settings and credentials from the environment) or an absolute folder path. Opening
 * checks only the form; `check()` reaches it.
 */
export async function openDestination(spec: string, env: Env): Promise<BackupDestination> {
  if (spec.startsWith("s3://")) {
    const { s3DestinationFromUrl } = await import("./s3-settings.js");
    return s3DestinationFromUrl(spec, env);
  }
  if (!isAbsolute(spec)) {
    throw new BadInputError(
      `the backup destination "${spec}" is neither an absolute folder path nor s3://bucket/prefix; nothing was changed; give one of those`,
    );
  }
  return new DirectoryDestination(spec.replace(/(.)\/+$/, "$1"));
}
