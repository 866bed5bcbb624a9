import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { backupPosition, isPositionLine } from "../../../src/backup/backup-info.js";

const uuid = "2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e";
/** mariabackup's lines as it prints them (its thread number, the time, the message). */
const galera = (value: string) => `[00] 2026-12-07 02:40:11 Writing Galera info succeeded with ${value}`;
const binlog = (gtid: string) =>
  `[00] 2026-12-07 02:40:11 MySQL binlog position: filename 'mariadb-bin.000003', position '1234', GTID of the last change '${gtid}'`;
const other = "[01] 2026-12-07 02:40:10 Streaming ./sbtest/sbtest1.ibd";

describe("the backup's position, from mariabackup's stderr", () => {
  it("keeps only the lines that say it", () => {
    assert.equal(isPositionLine(galera(`${uuid}:9 0`)), true);
    assert.equal(isPositionLine(binlog("0-1-42")), true);
    assert.equal(isPositionLine(other), false);
    assert.equal(isPositionLine("[00] 2026-12-07 02:40:11 Writing Galera info"), false);
  });

  it("reads the Galera position and the GTID", () => {
    assert.deepEqual(backupPosition([other, galera(`${uuid}:9 0`), binlog("0-1-42"), other]), {
      position: { uuid, seqno: 9 },
      gtid: "0-1-42",
    });
    assert.deepEqual(backupPosition([galera(`${uuid.toUpperCase()}:12 0`), binlog("0-1-42,1-1-7")]), {
      position: { uuid, seqno: 12 },
      gtid: "0-1-42,1-1-7",
    });
  });

  it("reads the last line when mariabackup said it twice", () => {
    assert.deepEqual(backupPosition([galera(`${uuid}:3 0`), galera(`${uuid}:9 0`)]), {
      position: { uuid, seqno: 9 },
      gtid: null,
    });
  });

  it("has no GTID without the binary log, or when the binlog line holds none", () => {
    assert.deepEqual(backupPosition([galera(`${uuid}:12`)]), { position: { uuid, seqno: 12 }, gtid: null });
    assert.deepEqual(backupPosition([galera(`${uuid}:12 0`), binlog("")]), {
      position: { uuid, seqno: 12 },
      gtid: null,
    });
    assert.deepEqual(backupPosition([galera(`${uuid}:12 0`), binlog("not-a-gtid")]), {
      position: { uuid, seqno: 12 },
      gtid: null,
    });
  });

  it("says what is wrong when the position is missing or not one", () => {
    assert.deepEqual(backupPosition([other]), {
      problem:
        'mariabackup never said "Writing Galera info succeeded" (--galera-info wrote none): the backup\'s Galera position is unknown',
    });
    assert.deepEqual(backupPosition([galera("garbage:1 0")]), {
      problem: 'the backup\'s galera info "garbage:1" is not UUID:SEQNO',
    });
    assert.deepEqual(backupPosition([galera(`${uuid}:-1 0`)]), {
      problem: "the backup's galera info holds seqno -1: no committed position",
    });
    assert.deepEqual(backupPosition([galera(`${uuid}:99999999999999999999 0`)]), {
      problem: "the backup's galera info holds seqno 99999999999999999999: no committed position",
    });
  });
});
