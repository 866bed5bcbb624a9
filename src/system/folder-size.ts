import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";

/** The bytes of the regular files under `folder` (a datadir's size, for a progress estimate); null if unreadable. */
export async function folderBytes(folder: string): Promise<number | null> {
  try {
    let total = 0;
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) total += (await folderBytes(path)) ?? 0;
      else if (entry.isFile()) total += (await stat(path)).size;
    }
    return total;
  } catch {
    return null;
  }
}
