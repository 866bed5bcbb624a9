import { createHash } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";

/**
 * A fingerprint of a directory tree: every entry's path, type, mode, owner and content hash.
 * Two equal fingerprints mean the datadir is byte-identical (and owned the same way).
 */
export function fingerprint(root: string): string {
  if (!existsSync(root)) return "absent";
  const hash = createHash("sha256");
  const top = lstatSync(root);
  // A datadir setting that names a file: its mode, owner and content.
  if (!top.isDirectory())
    return hash.update(`${top.mode}\0${top.uid}\0`).update(readFileSync(root)).digest("hex");
  const walk = (dir: string, rel: string): void => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      const stat = lstatSync(path);
      hash.update(`${join(rel, entry)}\0${stat.mode}\0${stat.uid}\0${stat.gid}\0`);
      if (stat.isDirectory()) walk(path, join(rel, entry));
      else if (stat.isSymbolicLink()) hash.update(readlinkSync(path));
      else if (stat.isFile()) hash.update(readFileSync(path));
    }
  };
  walk(root, "");
  return hash.digest("hex");
}
