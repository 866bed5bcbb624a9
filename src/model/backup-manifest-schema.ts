/**
 * The schema of a backup's manifest (BackupManifest, backup-manifest.ts). Every command that
 * reads a destination checks each manifest with it before reading a field: a manifest may be
 * another version's, torn by a crash, or edited by hand. A module of its own, imported only
 * when a destination is read (`import()`): valibot takes 10–20 ms to load (docs/architecture.md).
 *
 * Unknown fields are kept (a newer version may add some), and so is a compression or
 * destination kind this version does not know: `backup list` still lists it, and a restore
 * is to refuse what it cannot read. The state is not open like that: only a manifest that says
 * `complete` in words this version knows is ever restored or counted for retention.
 */
import * as v from "valibot";

import type { BackupManifest, CompleteBackup, FailedBackup, RunningBackup } from "./backup-manifest.js";
import { backupId, backupIdPattern } from "./backup-manifest.js";
import {
  checkFileText,
  knownOrNewer,
  orNull,
  record,
  text,
  wholeNumber,
  type SameShape,
} from "./wire-check.js";

/** An ISO time as `Date.prototype.toISOString` writes it (milliseconds optional). */
const isoTime = () =>
  v.pipe(
    v.string("an ISO time"),
    v.regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{3})?Z$/, "an ISO time"),
    v.check((time) => !Number.isNaN(Date.parse(time)), "an ISO time"),
  );
const byteCount = () => v.pipe(wholeNumber(), v.minValue(0, "a whole number ≥ 0"));

const common = {
  manifestVersion: v.literal(1, "1"),
  id: v.pipe(text(), v.regex(backupIdPattern, "an id like 20261206T210000Z-n2")),
  clusterUuid: text(),
  node: text(),
  startedAt: isoTime(),
  mariadbVersion: text(),
  galeraPilotVersion: text(),
  compression: knownOrNewer<BackupManifest["compression"]>(),
  destination: knownOrNewer<BackupManifest["destination"]>(),
  bytesStreamed: byteCount(),
  bytesStored: byteCount(),
  updatedAt: isoTime(),
};

export const runningBackupSchema = record({ ...common, state: v.literal("running") });
export const completeBackupSchema = record({
  ...common,
  state: v.literal("complete"),
  endedAt: isoTime(),
  position: record({ uuid: text(), seqno: wholeNumber() }),
  gtid: orNull(text()),
  sha256: v.pipe(text(), v.regex(/^[0-9a-f]{64}$/, "64 lower-case hex digits")),
});
export const failedBackupSchema = record({
  ...common,
  state: v.literal("failed"),
  endedAt: isoTime(),
  failure: text(),
});
export const backupManifestSchema = v.variant(
  "state",
  [runningBackupSchema, completeBackupSchema, failedBackupSchema],
  "running, complete or failed",
);

// The schemas and the types they check cannot drift apart: these lines stop compiling.
export const runningBackupShapeMatches: SameShape<
  v.InferOutput<typeof runningBackupSchema>,
  RunningBackup
> = true;
export const completeBackupShapeMatches: SameShape<
  v.InferOutput<typeof completeBackupSchema>,
  CompleteBackup
> = true;
export const failedBackupShapeMatches: SameShape<
  v.InferOutput<typeof failedBackupSchema>,
  FailedBackup
> = true;
export const backupManifestShapeMatches: SameShape<
  v.InferOutput<typeof backupManifestSchema>,
  BackupManifest
> = true;

/**
 * A manifest file's text as a manifest, or what is wrong with it in words, naming the field:
 * `not JSON (Unexpected end of JSON input)`, `a manifest without startedAt`, `a manifest whose
 * sha256 is "abc", not 64 lower-case hex digits`, `a manifest whose id is … , not … (its
 * startedAt and node)`.
 */
export function parseManifest(fileText: string): BackupManifest | { problem: string } {
  const checked = checkFileText(backupManifestSchema, fileText, "a manifest");
  if (!checked.ok) return { problem: checked.problem };
  const manifest = checked.value;
  // The id is where the backup lies and what orders it: one that disagrees with the time and
  // node inside would sort the backup, or name it, as another.
  const expectedId = backupId(Date.parse(manifest.startedAt), manifest.node);
  if (manifest.id !== expectedId) {
    return {
      problem: `a manifest whose id is ${JSON.stringify(manifest.id)}, not ${JSON.stringify(expectedId)} (its startedAt and node)`,
    };
  }
  // mariabackup's galera info is the node's state: a position of another cluster is not this backup's.
  if (manifest.state === "complete" && manifest.position.uuid !== manifest.clusterUuid) {
    return {
      problem: `a manifest whose position.uuid is ${JSON.stringify(manifest.position.uuid)}, not its clusterUuid ${JSON.stringify(manifest.clusterUuid)}`,
    };
  }
  return manifest;
}
