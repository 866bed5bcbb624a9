import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runToCompletion } from "../../../src/mysqld/child-exit.js";
import { defaultCheckTimings, renderHaproxyConfig } from "../../../src/router/haproxy-config.js";

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
    default-server inter 1000 fastinter 250 downinter 250 rise 1 fall 2 on-marked-down shutdown-sessions
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
      interMs: 1000,
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
});
