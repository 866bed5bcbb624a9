import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  markSafeToBootstrap,
  removeCrashLeftovers,
  writeGrastateFromPosition,
} from "../../../src/mysqld/crash-leftovers.js";
import { parseGrastate } from "../../../src/mysqld/grastate.js";

function withDatadir(files: Record<string, string>, check: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "gp-leftovers-"));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    check(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("removeCrashLeftovers", () => {
  it("removes an empty gvwstate.dat, a stale sst_in_progress and wsrep_sst.pid, and says so", () => {
    withDatadir({ "gvwstate.dat": " \n", sst_in_progress: "", "wsrep_sst.pid": "4194303\n" }, (dir) => {
      assert.deepEqual(removeCrashLeftovers(dir), [
        "an empty gvwstate.dat",
        "a stale sst_in_progress",
        "a stale wsrep_sst.pid",
      ]);
      for (const name of ["gvwstate.dat", "sst_in_progress", "wsrep_sst.pid"]) {
        assert.ok(!existsSync(join(dir, name)), name);
      }
    });
  });

  it("keeps a gvwstate.dat with content and everything else in the datadir", () => {
    const view = "my_uuid: 1\n#vwbeg\nview_id: 3 1 5\n#vwend\n";
    withDatadir({ "gvwstate.dat": view, "grastate.dat": "seqno: 7\n", ibdata1: "x" }, (dir) => {
      assert.deepEqual(removeCrashLeftovers(dir), []);
      assert.equal(readFileSync(join(dir, "gvwstate.dat"), "utf8"), view);
      assert.ok(existsSync(join(dir, "grastate.dat")) && existsSync(join(dir, "ibdata1")));
    });
  });
});

describe("markSafeToBootstrap", () => {
  it("sets safe_to_bootstrap to 1, once", () => {
    withDatadir({ "grastate.dat": "version: 2.1\nuuid: u\nseqno: 9\nsafe_to_bootstrap: 0\n" }, (dir) => {
      assert.equal(markSafeToBootstrap(dir), true);
      assert.match(readFileSync(join(dir, "grastate.dat"), "utf8"), /^safe_to_bootstrap: 1$/m);
      assert.equal(markSafeToBootstrap(dir), false, "already set: nothing written");
    });
  });

  it("adds the line to a grastate.dat without it, and does nothing without the file", () => {
    withDatadir({ "grastate.dat": "version: 2.1\nuuid: u\nseqno: 9" }, (dir) => {
      assert.equal(markSafeToBootstrap(dir), true);
      assert.equal(
        readFileSync(join(dir, "grastate.dat"), "utf8"),
        "version: 2.1\nuuid: u\nseqno: 9\nsafe_to_bootstrap: 1\n",
      );
    });
    withDatadir({}, (dir) => assert.equal(markSafeToBootstrap(dir), false));
  });
});

describe("writeGrastateFromPosition", () => {
  const A = "75e9801f-d1c2-11f1-9a3b-2f1e0c6b7a10";
  it("writes the file Galera reads, with the recovered cluster UUID and seqno -1 as while running", () => {
    withDatadir({}, (dir) => {
      writeGrastateFromPosition(
        dir,
        { uuid: A, seqno: 442841 },
        { uid: process.getuid!(), gid: process.getgid!() },
      );
      assert.deepEqual(parseGrastate(readFileSync(join(dir, "grastate.dat"), "utf8")), {
        version: "2.1",
        uuid: A,
        seqno: -1,
        safeToBootstrap: false,
      });
    });
  });

  it("never overwrites a grastate.dat that appeared meanwhile", () => {
    withDatadir({ "grastate.dat": "kept\n" }, (dir) => {
      assert.throws(
        () => writeGrastateFromPosition(dir, { uuid: A, seqno: 1 }, { uid: 0, gid: 0 }),
        /EEXIST/,
      );
      assert.equal(readFileSync(join(dir, "grastate.dat"), "utf8"), "kept\n");
    });
  });
});
