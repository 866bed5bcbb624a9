import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { classifyProcess, describeProcesses } from "../../../src/local/state-dir-processes.js";
import type { ProcessInfo } from "../../../src/system/processes.js";

const dir = "/var/lib/gp";
const proc = (
  argv: string[],
  env: Record<string, string> | null = null,
  cwd: string | null = "/",
): ProcessInfo => ({
  pid: 42,
  ppid: 1,
  comm: "x",
  argv,
  env,
  cwd,
});
const agentEnv = (node: string, base = dir): Record<string, string> => ({
  GALERA_PILOT_DATADIR: `${base}/${node}/data`,
  GALERA_PILOT_RUN_DIR: `${base}/${node}/run`,
});
const kindOf = (info: ProcessInfo): string | null => {
  const found = classifyProcess(info, dir);
  return found ? `${found.kind}${found.node ? ` ${found.node}` : ""}` : null;
};

describe("classifyProcess", () => {
  it("knows the folder's mariadbd by its --defaults-file, whatever the binary", () => {
    assert.equal(
      kindOf(proc(["/usr/sbin/mariadbd", `--defaults-file=${dir}/n2/run/my.cnf`, "--user=mysql"])),
      "mariadbd n2",
    );
    assert.equal(
      kindOf(proc(["/opt/mysqld", `--defaults-file=${dir}/n12/run/my.cnf`, "--wsrep-recover"])),
      "mariadbd n12",
    );
  });

  it("never takes another folder's mariadbd, or a file outside a node's run folder, for one of its own", () => {
    assert.equal(kindOf(proc(["/usr/sbin/mariadbd", `--defaults-file=${dir}-2/n1/run/my.cnf`])), null);
    assert.equal(kindOf(proc(["/usr/sbin/mariadbd", `--defaults-file=${dir}/x/run/my.cnf`])), null);
    assert.equal(kindOf(proc(["/usr/sbin/mariadbd", `--defaults-file=${dir}/n1/my.cnf`])), null);
    assert.equal(kindOf(proc(["/usr/sbin/mariadbd", `--defaults-extra-file=${dir}/n1/run/my.cnf`])), null);
    // An SST script passes the server's arguments on: it is no server.
    assert.equal(
      kindOf(
        proc([
          "bash",
          "/usr/bin/wsrep_sst_mariabackup",
          "--role",
          "joiner",
          "--mysqld-args",
          `--defaults-file=${dir}/n3/run/my.cnf`,
        ]),
      ),
      null,
    );
  });

  it("knows HAProxy by its config file in the folder", () => {
    assert.equal(kindOf(proc(["haproxy", "-W", "-db", "-f", `${dir}/haproxy.cfg`])), "haproxy");
    assert.equal(
      kindOf(proc(["/usr/sbin/haproxy", "-W", "-db", "-f", `${dir}/haproxy.cfg`, "-x", "s", "-sf", "7"])),
      "haproxy",
    );
    assert.equal(kindOf(proc(["haproxy", "-f", "/etc/haproxy/haproxy.cfg"])), null);
    assert.equal(kindOf(proc(["vim", "-f", `${dir}/haproxy.cfg`])), null);
  });

  it("knows an agent by the datadir and run folder its environment names, both of one node", () => {
    const argv = ["/usr/bin/node", "/repo/dist/src/cli/main.js", "node", "127.0.0.2,127.0.0.3"];
    assert.equal(kindOf(proc(argv, agentEnv("n3"))), "agent n3");
    assert.equal(
      kindOf(proc(["node", "--enable-source-maps", "/x/galera-pilot", "seed"], agentEnv("n1"))),
      "agent n1",
    );
    assert.equal(kindOf(proc(argv, agentEnv("n3", "/elsewhere"))), null, "another folder's agent");
    assert.equal(
      kindOf(proc(argv, { ...agentEnv("n3"), GALERA_PILOT_RUN_DIR: `${dir}/n2/run` })),
      null,
      "datadir and run folder of different nodes",
    );
    assert.equal(kindOf(proc(argv, null)), null, "an environment that could not be read proves nothing");
    assert.equal(kindOf(proc(["/usr/bin/python3", "main.js"], agentEnv("n1"))), null, "not node");
    assert.equal(kindOf(proc(["/usr/bin/node", "/srv/app.js"], agentEnv("n1"))), null, "not galera-pilot");
  });

  it("knows the runner by `local up` and the folder it was given, by flag, variable or default", () => {
    const script = ["/usr/bin/node", "dist/src/cli/main.js"];
    assert.equal(kindOf(proc([...script, "local", "up", "--state-dir", dir], {})), "runner");
    assert.equal(kindOf(proc([...script, "local", "up", `--state-dir=${dir}/`], {})), "runner");
    assert.equal(kindOf(proc([...script, "local", "up", "--state-dir", "gp"], {}, "/var/lib")), "runner");
    assert.equal(kindOf(proc([...script, "local", "up"], { GALERA_PILOT_STATE_DIR: dir })), "runner");
    assert.equal(
      classifyProcess(proc([...script, "local", "up"], {}), "/var/lib/galera-pilot/local")?.kind,
      "runner",
      "the default folder",
    );
    assert.equal(kindOf(proc([...script, "local", "up"], {})), null, "the default folder is not this one");
    assert.equal(kindOf(proc([...script, "local", "up"], null)), null, "unknown environment");
    assert.equal(
      kindOf(proc([...script, "local", "up", "--state-dir", "gp"], {}, null)),
      null,
      "unknown cwd",
    );
    assert.equal(kindOf(proc([...script, "down", "--state-dir", dir], {})), null, "another command");
    assert.equal(kindOf(proc(["timeout", "60", ...script, "local", "up", "--state-dir", dir], {})), null);
  });
});

describe("describeProcesses", () => {
  it("groups by node, last node first, then HAProxy and the runner", () => {
    assert.equal(
      describeProcesses([
        { pid: 1, kind: "runner", node: null },
        { pid: 10, kind: "agent", node: "n1" },
        { pid: 11, kind: "mariadbd", node: "n1" },
        { pid: 30, kind: "agent", node: "n3" },
        { pid: 5, kind: "haproxy", node: null },
        { pid: 6, kind: "haproxy", node: null },
      ]),
      "n3 (agent 30), n1 (agent 10, mariadbd 11), haproxy (5, 6), the runner (1)",
    );
    assert.equal(describeProcesses([]), "");
  });
});
