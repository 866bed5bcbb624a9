import { BackupError } from "../errors.js";

/**
 * A destination could not do what was asked. `message` is one line for a person: what was
 * asked, where, and what the system said, without credentials; the caller adds what it kept
 * safe and what to do.
 */
export class DestinationError extends BackupError {}

/** A system error's code and text, as one short phrase: "no space left on the device (ENOSPC)". */
export function systemReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  const known: Record<string, string> = {
    ENOSPC: "no space left on the device",
    EDQUOT: "the disk quota is exceeded",
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    ENOENT: "no such file or folder",
    EROFS: "the file system is read-only",
    ENOTDIR: "a part of the path is not a folder",
    EIO: "an input/output error",
    ESTALE: "a stale NFS handle",
  };
  if (code && known[code]) return `${known[code]} (${code})`;
  return code ? `${error.message.split("\n")[0]} (${code})` : (error.message.split("\n")[0] ?? "");
}
