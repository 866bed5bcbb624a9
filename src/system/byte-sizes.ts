// Sizes on this machine's disks, and how every progress line says them.
import { lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** Bytes under a folder (files only, symlinks not followed); unreadable entries count 0. */
export function folderBytes(path: string): number {
  let total = 0;
  let entries: string[];
  try {
    entries = readdirSync(path);
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = join(path, entry);
    try {
      const stat = lstatSync(full);
      total += stat.isDirectory() ? folderBytes(full) : stat.isFile() ? stat.size : 0;
    } catch {
      // Moved or removed by the transfer while we looked.
    }
  }
  return total;
}

/** "1.2 GB", "340 MB", "12 kB". */
export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}
