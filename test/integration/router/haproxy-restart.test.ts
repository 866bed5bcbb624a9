import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { makeStateDir } from "../../support/local-cluster-harness.js";
import { HaproxyProcess } from "../../../src/router/haproxy-process.js";

/**
 * A real HAProxy (Debian's) that dies is started again, with the backoff every supervisor here
 * uses: 1 s after a first exit, 2 s after a second quick one. A router that stays down leaves
 * the whole cluster unreachable; one restarted at once in a loop floods its log and the machine.
 * It needs no cluster: a config with one listener and an admin socket is enough.
 */
describe("given HAProxy run by galera-pilot (127.0.33.1)", { timeout: 120_000 }, () => {
  const stateDir = makeStateDir("haproxy-restart");
  const statsSocket = join(stateDir, "haproxy.sock");
  const lines: string[] = [];
  const haproxy = new HaproxyProcess({
    configPath: join(stateDir, "haproxy.cfg"),
    config: [
      "global",
      `  stats socket ${statsSocket} mode 600 level admin`,
      "defaults",
      "  mode tcp",
      "  timeout connect 1s",
      "  timeout client 5s",
      "  timeout server 5s",
      "listen writer",
      "  bind 127.0.33.1:3306",
      "  server n1 127.0.33.2:3306",
      "",
    ].join("\n"),
    statsSocket,
    logPath: join(stateDir, "haproxy.log"),
    log: (line) => lines.push(`${new Date().toISOString()} ${line}`),
  });

  after(async () => {
    await haproxy.stop();
  });

  /** Waits until a HAProxy other than `previous` answers on its admin socket; how long it took. */
  async function answersAgain(previous: number | null, timeoutMs: number): Promise<number> {
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
      if (haproxy.pid !== null && haproxy.pid !== previous) {
        try {
          if ((await haproxy.runtime("show info")).includes("Pid:")) return Date.now() - started;
        } catch {
          // Not listening on its socket yet.
        }
      }
      await sleep(50);
    }
    throw new Error(`HAProxy did not answer again within ${timeoutMs} ms; the log:\n${lines.join("\n")}`);
  }

  it("is started again 1 s after it is killed, then 2 s after a second quick death, and says so", async () => {
    await haproxy.start();
    await answersAgain(null, 10_000);

    const first = haproxy.pid!;
    process.kill(first, "SIGKILL");
    const afterFirst = await answersAgain(first, 10_000);
    assert.ok(afterFirst >= 900 && afterFirst < 5000, `back after ${afterFirst} ms`);

    const second = haproxy.pid!;
    process.kill(second, "SIGKILL");
    const afterSecond = await answersAgain(second, 10_000);
    assert.ok(afterSecond >= 1900 && afterSecond < 6000, `back after ${afterSecond} ms`);

    const restarts = lines.filter((l) => l.includes("haproxy was killed by SIGKILL"));
    assert.deepEqual(
      restarts.map((l) => l.slice(l.indexOf("haproxy was"))),
      [
        "haproxy was killed by SIGKILL; restarting in 1 s",
        "haproxy was killed by SIGKILL; restarting in 2 s",
      ],
      lines.join("\n"),
    );
  });
});
