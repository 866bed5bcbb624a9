import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { haproxyCommand } from "../../../src/cli/haproxy-command.js";

/** Runs `haproxy render …` and returns what it printed. */
function render(...args: string[]): string {
  let out = "";
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    assert.equal(haproxyCommand(["render", ...args]), 0);
  } finally {
    process.stdout.write = write;
  }
  return out;
}

const checkLines = (text: string): string[] => text.split("\n").filter((l) => l.includes("default-server"));

describe("galera-pilot haproxy render", () => {
  it("renders our failover check timings by default", () => {
    assert.deepEqual(checkLines(render("10.0.0.2,10.0.0.3,10.0.0.4")), [
      "    default-server inter 1000 fastinter 250 downinter 250 rise 1 fall 2 on-marked-down shutdown-sessions",
      "    default-server inter 1000 fastinter 250 downinter 1000 rise 2 fall 2 on-marked-down shutdown-sessions",
    ]);
  });

  it("takes --check-interval as the interval between checks of passing servers in both backends", () => {
    assert.deepEqual(checkLines(render("10.0.0.2,10.0.0.3,10.0.0.4", "--check-interval", "3000")), [
      "    default-server inter 3000 fastinter 250 downinter 250 rise 1 fall 2 on-marked-down shutdown-sessions",
      "    default-server inter 3000 fastinter 250 downinter 1000 rise 2 fall 2 on-marked-down shutdown-sessions",
    ]);
  });
});
