/**
 * The node's own binlog files, read where the server writes them: `binlog.NNNNNN` in the
 * datadir (mysqld/server-config.ts sets `log_bin=binlog`). The agent runs beside its mariadbd
 * (it starts it), so it reads them directly, as root: no connection, no credential, no copy.
 */
import { open, readdir } from "node:fs/promises";
import { join } from "node:path";
import { BINLOG_MAGIC, EventType, gtidListFields, wholeEvents } from "../binlog/binlog-events.js";

const FILE_PATTERN = /^binlog\.(\d{6,})$/;

/** The binlog files in the datadir, oldest first (by number, not by name). */
export async function binlogFiles(datadir: string): Promise<string[]> {
  const names = (await readdir(datadir)).filter((name) => FILE_PATTERN.test(name));
  const number = (name: string) => Number(FILE_PATTERN.exec(name)![1]);
  return names.sort((a, b) => number(a) - number(b));
}

/** A file's header read this far holds its Gtid_list event (it follows the Format_description). */
const HEADER_READ_BYTES = 64 * 1024;

/**
 * The last sequence number of `domain` binlogged before `file` began (its Gtid_list event),
 * 0 when the list has none of that domain, null when the file's start cannot be read whole
 * yet (a file the server is creating).
 */
export async function seqnoBeforeFile(datadir: string, file: string, domain: number): Promise<number | null> {
  const handle = await open(join(datadir, file), "r");
  try {
    const buffer = Buffer.alloc(HEADER_READ_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const head = buffer.subarray(0, bytesRead);
    if (head.length < BINLOG_MAGIC.length) return null;
    if (!head.subarray(0, BINLOG_MAGIC.length).equals(BINLOG_MAGIC)) {
      throw new Error(
        `${join(datadir, file)} is not a binlog file (it does not begin with the binlog's magic bytes)`,
      );
    }
    const { events } = wholeEvents(head, BINLOG_MAGIC.length);
    const list = events.find((e) => e.type === EventType.gtidList);
    if (list === undefined) return null;
    return gtidListFields(head, list)
      .filter((g) => g.domain === domain)
      .reduce((highest, g) => Math.max(highest, g.seqno), 0);
  } finally {
    await handle.close();
  }
}

export interface StartPoint {
  file: string;
  /** Sequence numbers that follow the archive's last one but no binlog file here still holds. */
  missing: { first: number; last: number } | null;
}

/**
 * Where to start reading to archive the transactions after `archived` (0: none archived yet):
 * the newest file that began at or before it. When even the oldest file began after it, the
 * transactions between are no longer here: the oldest file, and the gap.
 */
export async function startPoint(
  datadir: string,
  domain: number,
  archived: number,
): Promise<StartPoint | null> {
  const files = await binlogFiles(datadir);
  if (files.length === 0) return null;
  for (let i = files.length - 1; i >= 0; i--) {
    const before = await seqnoBeforeFile(datadir, files[i]!, domain);
    if (before !== null && before <= archived) return { file: files[i]!, missing: null };
    if (i === 0 && before !== null) {
      return { file: files[0]!, missing: { first: archived + 1, last: before } };
    }
  }
  return { file: files[0]!, missing: null };
}
