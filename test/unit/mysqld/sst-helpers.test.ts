import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  describeHelpers,
  findLeftoverSstHelpers,
  removeOwnSstHelpers,
  type ProcessFacts,
} from "../../../src/mysqld/sst-helpers.js";
import { listProcesses } from "../../../src/system/processes.js";

const datadir = "/var/lib/gp/n3/data";
const endpoint = { datadir, address: "127.0.32.4", port: 4444 };
const agentPid = 100;

function proc(
  pid: number,
  ppid: number,
  comm: string,
  argv: string[],
  cwd: string | null = "/",
): ProcessFacts {
  return { pid, ppid, comm, argv, cwd };
}

/** A mariabackup joiner's tree as Debian's wsrep_sst_mariabackup runs it, under `parent`. */
function joinerTree(parent: number, dir = datadir, address = "127.0.32.4"): ProcessFacts[] {
  const script = [
    "bash",
    "/usr//bin/wsrep_sst_mariabackup",
    "--role",
    "joiner",
    "--address",
    `${address}:4444`,
    "--datadir",
    `${dir}/`,
    "--parent",
    String(parent),
  ];
  return [
    proc(parent + 1, parent, "sh", ["sh", "-c", script.slice(1).join(" ")]),
    proc(parent + 2, parent + 1, "bash", script),
    proc(parent + 3, parent + 2, "bash", script),
    proc(parent + 4, parent + 3, "socat", [
      "socat",
      "-u",
      `TCP-LISTEN:4444,reuseaddr,bind=${address}`,
      "stdio",
    ]),
    proc(parent + 5, parent + 3, "mbstream", ["/usr//bin/mbstream", "-x"], `${dir}/.sst`),
  ];
}

const pids = (helpers: { process: ProcessFacts }[]) => helpers.map((h) => h.process.pid);

describe("the SST helpers a killed joiner leaves behind", () => {
  it("while the joiner's mariadbd runs, its transfer is not a leftover", () => {
    const processes = [
      proc(1, 0, "init", ["/sbin/init"]),
      proc(500, agentPid, "mariadbd", ["/usr/sbin/mariadbd"]),
    ];
    processes.push(...joinerTree(500));
    assert.deepEqual(findLeftoverSstHelpers(processes, endpoint, agentPid), []);
  });

  it("once mariadbd is gone, the script, socat and mbstream are found, each with why", () => {
    const processes = [proc(1, 0, "init", ["/sbin/init"]), ...joinerTree(1)];
    const found = findLeftoverSstHelpers(processes, endpoint, agentPid);
    // Not pid 2, the `sh -c` that started the script: it ends with the script.
    assert.deepEqual(pids(found), [3, 4, 5, 6]);
    assert.equal(found[0]!.why, `the SST script for ${datadir}`);
    assert.equal(found[2]!.why, "it listens on this node's SST address 127.0.32.4:4444");
    assert.equal(
      describeHelpers(found.slice(2)),
      "pid 5 (socat: it listens on this node's SST address 127.0.32.4:4444), pid 6 (mbstream: it works in /var/lib/gp/n3/data)",
    );
  });

  it("a helper known only by its ancestry: a child of the script with nothing of this node in its arguments", () => {
    const processes = [proc(1, 0, "init", ["/sbin/init"]), ...joinerTree(1)];
    processes.push(proc(7, 4, "pv", ["pv", "-q"], "/tmp"));
    const found = findLeftoverSstHelpers(processes, endpoint, agentPid);
    assert.equal(
      found.find((h) => h.process.pid === 7)?.why,
      `a child of pid 4, the SST script for ${datadir}`,
    );
  });

  it("orphans whose script died are still known: socat by its SST endpoint, mbstream by its working directory", () => {
    const processes = [
      proc(1, 0, "init", ["/sbin/init"]),
      proc(7, 1, "socat", ["socat", "-u", "TCP-LISTEN:4444,reuseaddr,bind=127.0.32.4", "stdio"]),
      proc(8, 1, "mbstream", ["/usr/bin/mbstream", "-x"], `${datadir}/.sst`),
      proc(9, 1, "rsync", ["rsync", "--daemon"], datadir),
    ];
    const found = findLeftoverSstHelpers(processes, endpoint, agentPid);
    assert.deepEqual(pids(found), [7, 8, 9]);
    assert.equal(found[0]!.why, "it listens on this node's SST address 127.0.32.4:4444");
    assert.equal(found[1]!.why, `it works in ${datadir}`);
  });

  it("another node's transfer on this machine is not this node's: other datadir, other address, other port", () => {
    const processes = [
      proc(1, 0, "init", ["/sbin/init"]),
      ...joinerTree(10, "/var/lib/gp/n2/data", "127.0.32.3"),
      proc(30, 1, "socat", ["socat", "-u", "TCP-LISTEN:4445,reuseaddr,bind=127.0.32.4", "stdio"]),
      proc(31, 1, "socat", ["socat", "-u", "TCP-LISTEN:4444,reuseaddr,bind=127.0.32.40", "stdio"]),
      proc(32, 1, "socat", ["socat", "-u", "TCP-LISTEN:4444,reuseaddr", "stdio"]),
      proc(33, 1, "mbstream", ["mbstream", "-x"], "/var/lib/gp/n3/data-old"),
      proc(34, 1, "mbstream", ["mbstream", "-x"], null),
      // A shell that merely mentions the datadir, not an SST script.
      proc(35, 1, "bash", ["bash", "-c", `ls --datadir ${datadir}`]),
    ];
    assert.deepEqual(findLeftoverSstHelpers(processes, endpoint, agentPid), []);
  });

  it("the agent and its own children are never taken, whatever their arguments", () => {
    const processes = [
      proc(1, 0, "init", ["/sbin/init"]),
      proc(agentPid, 1, "node", ["node", "main.js", "--datadir", datadir]),
      proc(101, agentPid, "socat", ["socat", "TCP-LISTEN:4444,bind=127.0.32.4", "stdio"]),
    ];
    assert.deepEqual(findLeftoverSstHelpers(processes, endpoint, agentPid), []);
  });

  it("a datadir given with or without its trailing slash, and --datadir=DIR, are the same", () => {
    const script = (arg: string[]) => proc(40, 1, "bash", ["bash", "/usr/bin/wsrep_sst_rsync", ...arg]);
    for (const argv of [["--datadir", datadir], ["--datadir", `${datadir}/`], [`--datadir=${datadir}`]]) {
      assert.deepEqual(
        pids(findLeftoverSstHelpers([script(argv)], { ...endpoint, datadir: `${datadir}/` }, agentPid)),
        [40],
      );
    }
  });

  it("an IPv6 endpoint in socat's bracketed form", () => {
    const socat = proc(50, 1, "socat", ["socat", "-u", "TCP6-LISTEN:4444,reuseaddr,bind=[fd00::4]", "stdio"]);
    assert.deepEqual(
      pids(findLeftoverSstHelpers([socat], { datadir, address: "fd00::4", port: 4444 }, agentPid)),
      [50],
    );
  });
});

describe("removing them from this machine", () => {
  it("kills a real orphaned helper working in the datadir and leaves an unrelated one alone", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gp-sst-helpers-"));
    const other = mkdtempSync(join(tmpdir(), "gp-sst-other-"));
    // A stand-in for mbstream: sleep under that name (the kernel names a process after its
    // file), started by a shell that exits at once, so that it is orphaned as after a crash.
    const bin = mkdtempSync(join(tmpdir(), "gp-sst-bin-"));
    copyFileSync("/bin/sleep", join(bin, "mbstream"));
    const orphan = (cwd: string) =>
      spawnSync("bash", ["-c", `cd '${cwd}' && (setsid '${bin}/mbstream' 60 </dev/null >/dev/null 2>&1 &)`]);
    orphan(dir);
    orphan(other);
    const running = (cwd: string) =>
      listProcesses()
        .filter((p) => p.comm === "mbstream" && p.cwd === cwd)
        .map((p) => p.pid);
    try {
      // The shell returns before its background child has exec'd: wait until both run under that name.
      for (let i = 0; i < 100 && (running(dir).length === 0 || running(other).length === 0); i++)
        await sleep(20);
      const [ours] = running(dir);
      const [theirs] = running(other);
      assert.ok(ours && theirs, "both stand-ins run");
      const removed = await removeOwnSstHelpers({ datadir: dir, address: "127.0.99.9", port: 4444 });
      assert.deepEqual(pids(removed), [ours]);
      assert.equal(removed[0]!.why, `it works in ${dir}`);
      assert.deepEqual(running(dir), []);
      assert.deepEqual(running(other), [theirs]);
    } finally {
      for (const pid of [...running(dir), ...running(other)]) process.kill(pid, "SIGKILL");
      for (const path of [dir, other, bin]) rmSync(path, { recursive: true, force: true });
    }
  });
});
