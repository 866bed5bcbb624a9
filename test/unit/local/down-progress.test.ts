import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  downTimeoutMessage,
  formatDownDone,
  formatDownProgress,
  stoppedNodes,
} from "../../../src/local/down-progress.js";
import type { StateDirProcess } from "../../../src/local/state-dir-processes.js";

const running: StateDirProcess[] = [
  { pid: 100, kind: "runner", node: null },
  { pid: 20, kind: "agent", node: "n2" },
  { pid: 21, kind: "mariadbd", node: "n2" },
  { pid: 10, kind: "agent", node: "n1" },
  { pid: 5, kind: "haproxy", node: null },
];

describe("down's lines", () => {
  it("lists the nodes that stopped, last node first", () => {
    assert.deepEqual(stoppedNodes(["n1", "n2", "n3", "n10"], running), ["n10", "n3"]);
    assert.deepEqual(stoppedNodes(["n1"], []), ["n1"]);
  });

  it("says what still runs and what stopped", () => {
    assert.equal(
      formatDownProgress(running, ["n1", "n2", "n3"], 5400),
      "down: 5 s, still running: n2 (agent 20, mariadbd 21), n1 (agent 10), haproxy (5), the runner (100); stopped: n3",
    );
    assert.equal(
      formatDownProgress(running, ["n1", "n2"], 0),
      "down: 0 s, still running: n2 (agent 20, mariadbd 21), n1 (agent 10), haproxy (5), the runner (100)",
    );
  });

  it("ends with every node named, n1 first, and HAProxy when it ran", () => {
    assert.equal(
      formatDownDone(["n3", "n1", "n2"], true, 12_345, "/s"),
      "down: stopped after 12.3 s: n1, n2, n3 (agents and mariadbd) and HAProxy; nothing of /s runs; `npm start` brings the same data back",
    );
    assert.match(
      formatDownDone(["n1"], false, 300, "/s"),
      /^down: stopped after 0\.3 s: n1 \(agent and mariadbd\); /,
    );
    assert.match(formatDownDone([], true, 100, "/s"), /^down: stopped after 0\.1 s: HAProxy; /);
    assert.match(formatDownDone([], false, 100, "/s"), /^down: stopped after 0\.1 s: the runner; /);
  });

  it("times out in one line: what runs, that nothing was killed, and what to do", () => {
    const message = downTimeoutMessage(running, 30, "/s", true);
    assert.doesNotMatch(message, /\n/);
    assert.match(
      message,
      /^the local cluster did not stop within 30 s: still running: n2 \(agent 20, mariadbd 21\)/,
    );
    assert.match(message, /this command killed nothing, so no acknowledged write is at risk/);
    assert.match(
      message,
      /the runner goes on stopping them cleanly .* run `galera-pilot down` again to wait longer/,
    );
    assert.match(message, /\/s\/n2\/agent\.log says why n2 is slow/);
    const orphans = downTimeoutMessage(
      running.filter((p) => p.kind !== "runner"),
      30,
      "/s",
      false,
    );
    assert.match(orphans, /no runner is left to stop them and they did not stop after SIGTERM/);
    assert.match(orphans, /stop them with kill PID$/);
    assert.match(
      downTimeoutMessage(running, 30, "/s", false),
      /the runner never answered on \/s\/runner\.sock: look at its output, then stop it with kill -INT 100 \(it stops every node cleanly, as Ctrl-C does\)$/,
    );
  });
});
