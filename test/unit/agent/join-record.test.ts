import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clearJoinRecord, readJoinRecord, writeJoinRecord } from "../../../src/agent/join-record.js";

const VIEW = "my_uuid: 3e1f5ab1-e8fb-11f1-9e5c-5e7b8c1a1b01\n#vwbeg\n#vwend\n";

function withDirs(check: (runDir: string, datadir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "gp-join-record-"));
  try {
    mkdirSync(join(dir, "run"));
    mkdirSync(join(dir, "data"));
    check(join(dir, "run"), join(dir, "data"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the join record", () => {
  it("keeps gvwstate.dat as it was at the start, in the run directory and in the datadir", () => {
    withDirs((runDir, datadir) => {
      writeFileSync(join(datadir, "gvwstate.dat"), VIEW);
      writeJoinRecord(runDir, datadir);
      writeFileSync(join(datadir, "gvwstate.dat"), "changed by Galera");
      assert.deepEqual(readJoinRecord(runDir, datadir), { gvwstateAtStart: VIEW });
      assert.ok(existsSync(join(runDir, "state-transfer-pending")));
      assert.ok(existsSync(join(datadir, "galera-pilot-join.json")));
    });
  });

  it("records that there was no view", () => {
    withDirs((runDir, datadir) => {
      writeJoinRecord(runDir, datadir);
      assert.deepEqual(readJoinRecord(runDir, datadir), { gvwstateAtStart: null });
    });
  });

  it("either copy alone is enough: a state snapshot deletes the datadir's, a container's restart the run directory's", () => {
    withDirs((runDir, datadir) => {
      writeFileSync(join(datadir, "gvwstate.dat"), VIEW);
      writeJoinRecord(runDir, datadir);
      rmSync(join(datadir, "galera-pilot-join.json"));
      assert.deepEqual(readJoinRecord(runDir, datadir), { gvwstateAtStart: VIEW });
      writeJoinRecord(runDir, datadir);
      rmSync(join(runDir, "state-transfer-pending"));
      assert.deepEqual(readJoinRecord(runDir, datadir), { gvwstateAtStart: VIEW });
    });
  });

  it("an older agent's marker (the datadir's path alone) still says the start never synced", () => {
    withDirs((runDir, datadir) => {
      writeFileSync(join(runDir, "state-transfer-pending"), `${datadir}\n`);
      assert.deepEqual(readJoinRecord(runDir, datadir), { gvwstateAtStart: "unknown" });
    });
  });

  it("is gone once cleared (the node synced), and absent before any start", () => {
    withDirs((runDir, datadir) => {
      assert.equal(readJoinRecord(runDir, datadir), null);
      writeJoinRecord(runDir, datadir);
      clearJoinRecord(runDir, datadir);
      assert.equal(readJoinRecord(runDir, datadir), null);
    });
  });
});
