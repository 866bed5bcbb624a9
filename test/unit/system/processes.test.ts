import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { listProcesses, readProcess } from "../../../src/system/processes.js";

describe("this machine's processes, from /proc", () => {
  it("reads this process from /proc with its parent, kernel name, arguments and working directory", () => {
    const me = listProcesses().find((p) => p.pid === process.pid);
    assert.ok(me);
    assert.equal(me.ppid, process.ppid);
    assert.equal(me.comm, "node");
    assert.deepEqual(me.argv.slice(1), process.execArgv.concat(process.argv.slice(1)));
    assert.equal(me.cwd, process.cwd());
  });

  it("reads the environment only of the processes asked for", () => {
    assert.equal(readProcess(process.pid)?.env, null);
    assert.equal(readProcess(process.pid, () => true)?.env?.["PATH"], process.env["PATH"]);
  });

  it("a pid that runs nothing is no process", () => {
    assert.equal(readProcess(2 ** 22 + 1), null);
  });
});
