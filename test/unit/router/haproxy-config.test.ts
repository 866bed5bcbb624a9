import { describe, it } from "node:test";
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runToCompletion } from "../../../src/process/child-exit.js";
import {
  defaultCheckTimings,
  renderHaproxyConfig,
  renderStartDownServerState,
  writerHandoverMs,
} from "../../../src/router/haproxy-config.js";
import { haproxyRuntime } from "../../../src/router/haproxy-process.js";

const input = {
  nodes: [
    { name: "n1", address: "127.0.0.2", sqlPort: 3306, healthPort: 8080 },
    { name: "n2", address: "127.0.0.3", sqlPort: 3306, healthPort: 8080 },
  ],
  writer: { address: "127.0.0.1", port: 3306 },
  reader: { address: "127.0.0.1", port: 3307 },
  statsSocket: "/tmp/haproxy.sock",
  writerCheckPath: "/writer",
  readerCheckPath: "/ready",
  statsPage: { address: "127.0.0.1", port: 8404 },
};

describe("renderHaproxyConfig", () => {
  it("runs one thread when told to (a machine shared with the databases), HAProxy's default otherwise", () => {
    assert.match(
      renderHaproxyConfig({ ...input, threads: 1 }),
      /^global\n {4}stats socket .*\n {4}nbthread 1\n/m,
    );
    assert.doesNotMatch(renderHaproxyConfig(input), /nbthread/);
  });
  it("renders a writer backend checked on /writer and a reader backend checked on /ready", () => {
    assert.equal(
      renderHaproxyConfig(input),
      `# Rendered by galera-pilot; edits here are lost.
global
    stats socket /tmp/haproxy.sock mode 600 level admin
    maxconn 2000

defaults
    mode tcp
    timeout connect 3s
    timeout client 1h
    timeout server 1h
    timeout check 1s

frontend galera_writer
    bind 127.0.0.1:3306
    default_backend galera_writer

backend galera_writer
    option httpchk GET /writer
    http-check expect status 200
    default-server inter 250 fastinter 250 downinter 250 rise 1 fall 2 on-marked-down shutdown-sessions
    server n1 127.0.0.2:3306 check addr 127.0.0.2 port 8080
    server n2 127.0.0.3:3306 check addr 127.0.0.3 port 8080

frontend galera_readers
    bind 127.0.0.1:3307
    default_backend galera_readers

backend galera_readers
    balance leastconn
    option httpchk GET /ready
    http-check expect status 200
    default-server inter 1000 fastinter 250 downinter 1000 rise 2 fall 2 on-marked-down shutdown-sessions
    server n1 127.0.0.2:3306 check addr 127.0.0.2 port 8080
    server n2 127.0.0.3:3306 check addr 127.0.0.3 port 8080

listen stats
    mode http
    bind 127.0.0.1:8404
    stats enable
    stats uri /
    stats refresh 2s
`,
    );
  });

  it("keeps server states across reloads and lets new servers start without traffic", () => {
    const text = renderHaproxyConfig({
      ...input,
      serverStateFile: "/s/haproxy.state",
      enteringServers: ["n2"],
    });
    assert.match(text, /^global\n(?:.*\n)*? {4}server-state-file \/s\/haproxy\.state\n/m);
    assert.match(text, /^defaults\n(?:.*\n)*? {4}load-server-state-from-file global\n/m);
    assert.match(text, /^ {4}server n2 127\.0\.0\.3:3306 check addr 127\.0\.0\.3 port 8080 weight 0$/m);
    assert.match(text, /^ {4}server n1 127\.0\.0\.2:3306 check addr 127\.0\.0\.2 port 8080$/m);
  });

  it("takes each backend's check timings from the input, field by field, the rest from the defaults", () => {
    const text = renderHaproxyConfig({
      ...input,
      checks: { writer: { interMs: 2000, rise: 2 }, reader: { fall: 3 } },
    });
    const lines = text.split("\n").filter((l) => l.includes("default-server"));
    assert.deepEqual(lines, [
      "    default-server inter 2000 fastinter 250 downinter 250 rise 2 fall 2 on-marked-down shutdown-sessions",
      "    default-server inter 1000 fastinter 250 downinter 1000 rise 2 fall 3 on-marked-down shutdown-sessions",
    ]);
    assert.deepEqual(defaultCheckTimings.writer, {
      interMs: 250,
      fastinterMs: 250,
      downinterMs: 250,
      rise: 1,
      fall: 2,
    });
    assert.throws(() => renderHaproxyConfig({ ...input, checks: { writer: { fall: 0 } } }), {
      message: "HAProxy check fall must be a whole number ≥ 1, got 0",
    });
  });

  it("is accepted by the real haproxy -c", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "gp-haproxy-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, "haproxy.cfg");
    writeFileSync(path, renderHaproxyConfig(input));
    const check = await runToCompletion("haproxy", ["-c", "-f", path]);
    assert.equal(check.exitCode, 0, check.stderr + check.stdout);
  });

  it("starts HAProxy with every server of both backends DOWN when the state file is the rendered one (HAProxy 2.6 counts them UP otherwise)", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "gp-haproxy-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const socket = join(dir, "haproxy.sock");
    const stateFile = join(dir, "haproxy.state");
    // Addresses nothing listens on, and checks too slow to run before we look: what we read is
    // the state HAProxy started with, not the result of a check.
    const nodes = [1, 2, 3].map((i) => ({
      name: `n${i}`,
      address: `127.0.9.${10 + i}`,
      sqlPort: 3306,
      healthPort: 8080,
    }));
    const config = renderHaproxyConfig({
      ...input,
      nodes,
      writer: { address: "127.0.9.10", port: 13306 },
      reader: { address: "127.0.9.10", port: 13307 },
      statsSocket: socket,
      serverStateFile: stateFile,
      checks: {
        writer: { interMs: 60_000, downinterMs: 60_000 },
        reader: { interMs: 60_000, downinterMs: 60_000 },
      },
    });
    writeFileSync(join(dir, "haproxy.cfg"), config);
    const states = async (withStateFile: boolean): Promise<string[]> => {
      if (withStateFile) writeFileSync(stateFile, renderStartDownServerState(nodes));
      else rmSync(stateFile, { force: true });
      const child = spawn("haproxy", ["-db", "-f", join(dir, "haproxy.cfg")], { stdio: "ignore" });
      try {
        for (let i = 0; i < 50; i++) {
          await sleep(100);
          const answer = await haproxyRuntime(socket, "show servers state").catch(() => "");
          const rows = answer.split("\n").filter((l) => /^\d+ galera_/.test(l));
          // backend/server op_state (0 DOWN, 2 UP)
          if (rows.length === 6)
            return rows.map((l) => `${l.split(" ")[1]}/${l.split(" ")[3]} ${l.split(" ")[5]}`);
        }
        throw new Error("haproxy did not answer on its admin socket");
      } finally {
        child.kill("SIGKILL");
        await new Promise((resolve) => child.once("exit", resolve));
      }
    };
    assert.deepEqual(await states(true), [
      "galera_writer/n1 0",
      "galera_writer/n2 0",
      "galera_writer/n3 0",
      "galera_readers/n1 0",
      "galera_readers/n2 0",
      "galera_readers/n3 0",
    ]);
    // Without it, every server counts as UP until its first check: the fault this file fixes.
    assert.ok((await states(false)).some((s) => s.endsWith(" 2")));
  });
});

describe("writerHandoverMs: how long HAProxy may still count a writer UP after it stops claiming", () => {
  it("is, for the default writer checks, the posting lag, one interval, one fast interval and three answers: 750 ms", () => {
    assert.equal(writerHandoverMs(), 100 + 250 + 250 + 3 * 50);
    assert.equal(writerHandoverMs(defaultCheckTimings.writer), 750);
  });

  it("grows with the check interval, and with each failure that fall asks for", () => {
    const base = defaultCheckTimings.writer;
    assert.equal(writerHandoverMs({ ...base, interMs: 2000 }), 100 + 2000 + 250 + 150);
    assert.equal(writerHandoverMs({ ...base, fall: 3 }), 100 + 250 + 2 * 250 + 4 * 50);
    assert.equal(writerHandoverMs({ ...base, fastinterMs: 500 }), 100 + 250 + 500 + 150);
    // rise and the down interval concern the next writer's UP, not the old one's DOWN.
    assert.equal(writerHandoverMs({ ...base, rise: 3, downinterMs: 5000 }), 750);
  });
});
