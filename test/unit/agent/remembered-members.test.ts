import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readRememberedMembers, rememberMembers } from "../../../src/agent/remembered-members.js";

function withDatadir(test: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "gp-members-"));
  try {
    test(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const n2 = { endpoint: "10.0.0.3:4567", name: "n2" };
const n3 = { endpoint: "10.0.0.4:4567", name: "n3" };

describe("the members a node last saw, kept in its datadir", () => {
  it("nothing saved yet: no member; a first save writes them by endpoint, readable by all", () =>
    withDatadir((dir) => {
      assert.deepEqual(readRememberedMembers(dir), []);
      assert.equal(rememberMembers(dir, [n3, n2], []), true);
      assert.deepEqual(readRememberedMembers(dir), [n2, n3]);
      assert.equal(statSync(join(dir, "galera-pilot-members.json")).mode & 0o777, 0o644);
    }));

  it("the same members again are not rewritten; a change replaces them (a member that left is not waited for)", () =>
    withDatadir((dir) => {
      rememberMembers(dir, [n2, n3], []);
      assert.equal(rememberMembers(dir, [n3, n2], [n2, n3]), false);
      assert.equal(rememberMembers(dir, [n3], [n2, n3]), true);
      assert.deepEqual(readRememberedMembers(dir), [n3]);
    }));

  it("a name learnt later is a change: the member is rewritten with it", () =>
    withDatadir((dir) => {
      const unnamed = { endpoint: n2.endpoint, name: null };
      rememberMembers(dir, [unnamed], []);
      assert.equal(rememberMembers(dir, [n2], [unnamed]), true);
      assert.deepEqual(readRememberedMembers(dir), [n2]);
    }));

  it("a file that a state transfer deleted is written again, even for the same members", () =>
    withDatadir((dir) => {
      rememberMembers(dir, [n2], []);
      rmSync(join(dir, "galera-pilot-members.json"));
      assert.equal(rememberMembers(dir, [n2], [n2]), true);
      assert.deepEqual(readRememberedMembers(dir), [n2]);
    }));

  it("a torn or foreign file counts as no member, and malformed entries are dropped", () =>
    withDatadir((dir) => {
      const path = join(dir, "galera-pilot-members.json");
      writeFileSync(path, '{"members": [{"endpoint": "10.0.0.3:4567", "name": "n2"}');
      assert.deepEqual(readRememberedMembers(dir), []);
      writeFileSync(
        path,
        JSON.stringify({
          members: [
            n2,
            { endpoint: "nohost", name: "x" },
            { endpoint: "[fd00::3]:4567", name: null },
            "10.0.0.9:4567",
            7,
          ],
        }),
      );
      assert.deepEqual(readRememberedMembers(dir), [n2, { endpoint: "[fd00::3]:4567", name: null }]);
      writeFileSync(path, '{"members": "10.0.0.3:4567"}');
      assert.deepEqual(readRememberedMembers(dir), []);
    }));
});
