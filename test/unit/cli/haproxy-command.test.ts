import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { haproxyCommand } from "../../../src/cli/haproxy-command.js";

/** Runs `fn` with process.stdout captured; returns what it printed. */
function captureStdout(fn: () => void): string {
  let out = "";
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    fn();
  } finally {
    process.stdout.write = write;
  }
  return out;
}

/** Runs `haproxy render …` and returns what it printed. */
function render(...args: string[]): string {
  return captureStdout(() => assert.equal(haproxyCommand(["render", ...args]), 0));
}

const checkLines = (text: string): string[] => text.split("\n").filter((l) => l.includes("default-server"));

describe("galera-pilot haproxy render", () => {
  it("renders our failover check timings by default", () => {
    assert.deepEqual(checkLines(render("10.0.0.2,10.0.0.3,10.0.0.4")), [
      "    default-server inter 250 fastinter 250 downinter 250 rise 1 fall 2 on-marked-down shutdown-sessions",
      "    default-server inter 1000 fastinter 250 downinter 1000 rise 2 fall 2 on-marked-down shutdown-sessions",
    ]);
  });

  it("takes --check-interval as the interval between checks of passing servers in both backends", () => {
    assert.deepEqual(checkLines(render("10.0.0.2,10.0.0.3,10.0.0.4", "--check-interval", "3000")), [
      "    default-server inter 3000 fastinter 250 downinter 250 rise 1 fall 2 on-marked-down shutdown-sessions",
      "    default-server inter 3000 fastinter 250 downinter 1000 rise 2 fall 2 on-marked-down shutdown-sessions",
    ]);
  });

  it("with --state-file, writes a state with every server DOWN there and has the config load it", (t) => {
    const dir = mkdtempSync(join(tmpdir(), "gp-render-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const stateFile = join(dir, "start-down.state");
    const text = render("10.0.0.2,10.0.0.3", "--state-file", stateFile);
    assert.match(text, new RegExp(`^ {4}server-state-file ${stateFile}$`, "m"));
    assert.match(text, /^ {4}load-server-state-from-file global$/m);
    const rows = readFileSync(stateFile, "utf8")
      .split("\n")
      .filter((l) => /^\d/.test(l) && l.includes(" "));
    assert.deepEqual(
      rows.map((l) => l.split(" ").slice(1, 6).join(" ")),
      [
        "galera_writer 1 n1 10.0.0.2 0",
        "galera_writer 2 n2 10.0.0.3 0",
        "galera_readers 1 n1 10.0.0.2 0",
        "galera_readers 2 n2 10.0.0.3 0",
      ],
    );
  });

  it("refuses a --state-file it cannot write, in one line, and prints no config", () => {
    const out = captureStdout(() =>
      assert.throws(
        () => haproxyCommand(["render", "10.0.0.2", "--state-file", "/nonexistent-dir/x.state"]),
        {
          message:
            /^cannot write the --state-file \/nonexistent-dir\/x\.state: ENOENT[^\n]*; no config printed$/,
        },
      ),
    );
    assert.equal(out, "");
  });
});
