import { BadInputError } from "../errors.js";
import type { BackupDestination } from "./destination.js";

/** S3 destinations are being built; until then an s3:// destination is refused plainly. */
export function s3DestinationFromUrl(
  url: string,
  _env: Readonly<Record<string, string | undefined>>,
): BackupDestination {
  throw new BadInputError(
    `the backup destination ${url} is on S3, which this build cannot write yet; nothing was changed; use a folder`,
  );
}
