import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { backupCommand, restoreEntry } from "../../../src/cli/backup-command.js";
import { BadInputError } from "../../../src/errors.js";

/** Rejects with a BadInputError of exactly this message. */
async function refused(run: Promise<number>, message: string): Promise<void> {
  await assert.rejects(run, (error: unknown) => {
    assert.ok(error instanceof BadInputError, String(error));
    assert.equal(error.message, message);
    return true;
  });
}

describe("galera-pilot backup and restore: bad input, refused before anything is read or written", () => {
  it("--allow-writer goes with --node only", async () => {
    await refused(
      backupCommand(["--allow-writer"], {}),
      "backup: --allow-writer goes with --node: the automatic choice never takes the writer; nothing was changed",
    );
  });

  it("a destination that is neither an absolute folder nor s3://", async () => {
    await refused(
      backupCommand(["list", "--destination", "backups"], {}),
      'the backup destination "backups" is neither an absolute folder path nor s3://bucket/prefix; nothing was changed; give one of those',
    );
    await refused(
      backupCommand(["list"], { GALERA_PILOT_BACKUP_DESTINATION: "./here" }),
      'the backup destination "./here" is neither an absolute folder path nor s3://bucket/prefix; nothing was changed; give one of those',
    );
  });

  it("restore needs --from and --datadir", async () => {
    await refused(
      restoreEntry(["--datadir", "/tmp/x"], {}),
      "restore: --from is required: the id of a complete backup (galera-pilot backup list); nothing was changed",
    );
    await refused(
      restoreEntry(["--from", "20261206T210000Z-n2"], {}),
      "restore: --datadir is required: the empty or absent folder to restore into; nothing was changed",
    );
  });

  it("verify needs the backup's id", async () => {
    await refused(
      backupCommand(["verify"], {}),
      "backup verify: ID is required, e.g. galera-pilot backup verify 20261206T210000Z-n2; nothing was changed",
    );
  });

  it("restore of an id the destination does not hold, and into a folder that holds data, changes nothing", async () => {
    const root = mkdtempSync(join(tmpdir(), "gp-restore-input-"));
    try {
      await refused(
        restoreEntry(
          ["--from", "20261206T210000Z-n2", "--datadir", join(root, "data"), "--destination", root],
          {},
        ),
        `there is no backup 20261206T210000Z-n2 in ${root}; nothing was changed; \`galera-pilot backup list\` shows the backups there`,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("prune's retention numbers are checked", async () => {
    await refused(
      backupCommand(["prune", "--keep-last", "0", "--destination", "/nonexistent"], {}),
      'backup prune: --keep-last "0" is not a whole number, 1 or more; nothing was changed',
    );
  });

  it("a restore's point is one, and each kind is checked before anything is read", async () => {
    const restore = (args: string[]) =>
      restoreEntry([...args, "--datadir", "/nonexistent/data", "--destination", "/nonexistent"], {});
    await refused(
      restore(["--to-latest", "--to-time", "2026-12-07T14:03:00Z"]),
      "restore: --to-latest is given with --to-time, but a restore reaches one point: give one of --to-time, --to-gtid, --to-latest; nothing was changed",
    );
    await refused(
      restore(["--to-time", "2026-12-07 14:03"]),
      'restore: --to-time "2026-12-07 14:03" is not an ISO 8601 time with its zone, e.g. 2026-12-07T14:03:00Z; nothing was changed',
    );
    await refused(
      restore(["--to-gtid", "7216-4211"]),
      'restore: --to-gtid "7216-4211" is not a GTID DOMAIN-SERVER-SEQNO, e.g. 7216-187122-4211; nothing was changed',
    );
  });
});
