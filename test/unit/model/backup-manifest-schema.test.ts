import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseManifest } from "../../../src/model/backup-manifest-schema.js";
import {
  backupId,
  backupIdPattern,
  type BackupManifest,
  type CompleteBackup,
  type FailedBackup,
  type RunningBackup,
} from "../../../src/model/backup-manifest.js";

const uuid = "adb45e98-e8fc-11f1-96fe-721d16e53e1b";
const running: RunningBackup = {
  manifestVersion: 1,
  id: "20261206T210000Z-n2",
  state: "running",
  clusterUuid: uuid,
  node: "n2",
  startedAt: "2026-12-06T21:00:00.412Z",
  mariadbVersion: "10.11.14-MariaDB-deb12",
  galeraPilotVersion: "0.1.0",
  compression: "gzip",
  destination: "directory",
  bytesStreamed: 0,
  bytesStored: 0,
  updatedAt: "2026-12-06T21:00:05.000Z",
};
const complete: CompleteBackup = {
  ...running,
  state: "complete",
  endedAt: "2026-12-06T21:04:31.007Z",
  position: { uuid, seqno: 442_841 },
  gtid: "0-1-442841",
  sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
  bytesStreamed: 1_073_741_824,
  bytesStored: 402_653_184,
};
const failed: FailedBackup = {
  ...running,
  state: "failed",
  endedAt: "2026-12-06T21:01:12.000Z",
  failure: "the destination is full (ENOSPC) after 1.2 GB",
  bytesStreamed: 1_288_490_188,
  bytesStored: 515_396_075,
};
const text = (value: unknown): string => JSON.stringify(value, null, 2);

describe("backupId", () => {
  it("is the start to the second in UTC, then the node", () => {
    assert.equal(backupId(Date.parse("2026-12-06T21:00:00.999Z"), "n2"), "20261206T210000Z-n2");
    assert.equal(backupId(Date.parse("2027-01-02T03:04:05Z"), "db-3.eu"), "20270102T030405Z-db-3.eu");
    assert.match(backupId(0, "n1"), backupIdPattern);
  });

  it("sorts as the times do, whatever the nodes' names (property)", () => {
    const time = fc.integer({
      min: Date.parse("2000-01-01T00:00:00Z"),
      max: Date.parse("9999-12-31T23:59:59Z"),
    });
    const node = fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/);
    fc.assert(
      fc.property(time, node, time, node, (t1, n1, t2, n2) => {
        const [a, b] = [backupId(t1, n1), backupId(t2, n2)];
        assert.match(a, backupIdPattern);
        if (Math.floor(t1 / 1000) < Math.floor(t2 / 1000)) assert.ok(a < b, `${a} < ${b}`);
      }),
    );
  });
});

describe("parseManifest", () => {
  it("reads a manifest in each state as it is written", () => {
    const toTheSecond = { ...complete, startedAt: "2026-12-06T21:00:00Z", endedAt: "2026-12-06T21:04:31Z" };
    for (const manifest of [running, complete, failed, { ...complete, gtid: null }, toTheSecond]) {
      assert.deepEqual(parseManifest(`${text(manifest)}\n`), manifest);
    }
  });

  it("keeps what a newer version added: a field, a compression or a destination it does not know", () => {
    const newer = { ...complete, compression: "lz4", destination: "gcs", encryption: { kind: "age" } };
    assert.deepEqual(parseManifest(text(newer)), newer);
  });

  it("says what is wrong with a torn or empty file", () => {
    assert.deepEqual(parseManifest(""), { problem: "the file is empty" });
    assert.deepEqual(parseManifest("\n\t "), { problem: "the file is empty" });
    const torn = parseManifest(text(complete).slice(0, 60));
    assert.ok("problem" in torn);
    assert.match(torn.problem, /^not JSON \(.+\)$/);
  });

  it("names the field that is wrong, and what it should be", () => {
    const without = (manifest: BackupManifest, key: string): Record<string, unknown> => {
      const copy: Record<string, unknown> = { ...manifest };
      delete copy[key];
      return copy;
    };
    const cases: [unknown, string][] = [
      [[], "a list, not a manifest"],
      [null, "null, not a manifest"],
      ["complete", '"complete", not a manifest'],
      [{ ...complete, state: "done" }, 'a manifest whose state is "done", not running, complete or failed'],
      [without(complete, "state"), "a manifest without state"],
      [{ ...complete, manifestVersion: 2 }, "a manifest whose manifestVersion is 2, not 1"],
      [
        { ...complete, id: "2026-12-06-n2" },
        'a manifest whose id is "2026-12-06-n2", not an id like 20261206T210000Z-n2',
      ],
      [{ ...complete, clusterUuid: null }, "a manifest whose clusterUuid is null, not a string"],
      [without(complete, "node"), "a manifest without node"],
      [{ ...complete, startedAt: "yesterday" }, 'a manifest whose startedAt is "yesterday", not an ISO time'],
      [{ ...running, updatedAt: undefined }, "a manifest without updatedAt"],
      [
        { ...complete, startedAt: 1_796_000_000_000 },
        "a manifest whose startedAt is 1796000000000, not an ISO time",
      ],
      [
        { ...complete, endedAt: "2026-12-06 21:04:31Z" },
        'a manifest whose endedAt is "2026-12-06 21:04:31Z", not an ISO time',
      ],
      [
        { ...complete, endedAt: "2026-13-06T21:04:31Z" },
        'a manifest whose endedAt is "2026-13-06T21:04:31Z", not an ISO time',
      ],
      [
        { ...complete, endedAt: "+012026-12-06T21:04:31Z" },
        'a manifest whose endedAt is "+012026-12-06T21:04:31Z", not an ISO time',
      ],
      [
        { ...complete, id: "x20261206T210000Z-n2" },
        'a manifest whose id is "x20261206T210000Z-n2", not an id like 20261206T210000Z-n2',
      ],
      [
        { ...complete, id: "20261206T210000Z-n2 " },
        'a manifest whose id is "20261206T210000Z-n2 ", not an id like 20261206T210000Z-n2',
      ],
      [
        { ...complete, sha256: `0${complete.sha256}` },
        'a manifest whose sha256 is "09f86d081884c7d659a2feaa0c55ad015a3bf…", not 64 lower-case hex digits',
      ],
      [
        { ...complete, sha256: `${complete.sha256}0` },
        'a manifest whose sha256 is "9f86d081884c7d659a2feaa0c55ad015a3bf4…", not 64 lower-case hex digits',
      ],
      [without(complete, "mariadbVersion"), "a manifest without mariadbVersion"],
      [{ ...complete, galeraPilotVersion: 1 }, "a manifest whose galeraPilotVersion is 1, not a string"],
      [{ ...complete, compression: true }, "a manifest whose compression is true, not a string"],
      [without(complete, "destination"), "a manifest without destination"],
      [{ ...complete, bytesStreamed: -1 }, "a manifest whose bytesStreamed is -1, not a whole number ≥ 0"],
      [{ ...complete, bytesStored: 1.5 }, "a manifest whose bytesStored is 1.5, not a whole number"],
      [{ ...complete, position: null }, "a manifest whose position is null, not an object"],
      [
        { ...complete, position: { uuid, seqno: "7" } },
        'a manifest whose position.seqno is "7", not a whole number',
      ],
      [{ ...complete, position: { seqno: 7 } }, "a manifest without position.uuid"],
      [{ ...complete, gtid: 7 }, "a manifest whose gtid is 7, not a string or null"],
      [without(complete, "gtid"), "a manifest without gtid"],
      [
        { ...complete, sha256: complete.sha256.toUpperCase() },
        `a manifest whose sha256 is "9F86D081884C7D659A2FEAA0C55AD015A3BF4…", not 64 lower-case hex digits`,
      ],
      [
        { ...complete, sha256: "9f86d0" },
        'a manifest whose sha256 is "9f86d0", not 64 lower-case hex digits',
      ],
      // A complete manifest must hold what makes it restorable; a failed one, why it failed.
      [without(complete, "sha256"), "a manifest without sha256"],
      [without(complete, "endedAt"), "a manifest without endedAt"],
      [{ ...running, state: "complete" }, "a manifest without endedAt"],
      [without(failed, "failure"), "a manifest without failure"],
      [{ ...failed, failure: null }, "a manifest whose failure is null, not a string"],
    ];
    for (const [value, problem] of cases) assert.deepEqual(parseManifest(text(value)), { problem }, problem);
  });

  it("refuses an id that disagrees with the start and node inside, which would sort or name it as another", () => {
    assert.deepEqual(parseManifest(text({ ...complete, id: "20261206T210001Z-n2" })), {
      problem:
        'a manifest whose id is "20261206T210001Z-n2", not "20261206T210000Z-n2" (its startedAt and node)',
    });
    assert.deepEqual(parseManifest(text({ ...failed, node: "n3" })), {
      problem:
        'a manifest whose id is "20261206T210000Z-n2", not "20261206T210000Z-n3" (its startedAt and node)',
    });
  });

  it("refuses a complete backup whose Galera position is of another cluster than its own", () => {
    const other = "0d6e1c3a-e8fc-11f1-8000-000000000001";
    assert.deepEqual(parseManifest(text({ ...complete, position: { uuid: other, seqno: 5 } })), {
      problem: `a manifest whose position.uuid is "${other}", not its clusterUuid "${uuid}"`,
    });
  });
});
