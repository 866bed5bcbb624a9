import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chownSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspectDatadir } from "../../../src/mysqld/datadir.js";
import { RefusedError } from "../../../src/errors.js";
import { lookUpOsUser } from "../../../src/mysqld/os-user.js";

describe("inspectDatadir and a state transfer that did not finish", () => {
  const mysqlUser = lookUpOsUser("mysql");
  const leftovers = (): string => {
    const dir = mkdtempSync(join(tmpdir(), "gp-datadir-"));
    writeFileSync(join(dir, "ibdata1"), "partial");
    writeFileSync(join(dir, "xtrabackup_galera_info"), "");
    chownSync(dir, mysqlUser.uid, mysqlUser.gid);
    return dir;
  };

  it("refuses files without a mysql/ schema when nothing says they are ours", () => {
    const dir = leftovers();
    try {
      assert.throws(() => inspectDatadir(dir, mysqlUser), RefusedError);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it("takes them for a failed transfer's leftovers when this agent's marker says a transfer was pending: position unknown, join by SST", () => {
    const dir = leftovers();
    try {
      assert.deepEqual(inspectDatadir(dir, mysqlUser, true), {
        path: dir,
        empty: false,
        grastate: null,
        grastateEmpty: true,
        gvwstate: null,
      });
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
