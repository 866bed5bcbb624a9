import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { parseLocalFlags } from "../../../src/cli/local-flags.js";
import { BadInputError } from "../../../src/errors.js";

describe("parseLocalFlags", () => {
  it("waits 600 s by default; --no-wait and --timeout S change it", () => {
    const plain = parseLocalFlags("down", [], {});
    assert.equal(plain.noWait, false);
    assert.equal(plain.timeoutSeconds, 600);
    const flags = parseLocalFlags("down", ["--no-wait", "--timeout", "30"], {});
    assert.equal(flags.noWait, true);
    assert.equal(flags.timeoutSeconds, 30);
    assert.equal(parseLocalFlags("down", ["--timeout=5"], {}).timeoutSeconds, 5);
  });

  it("refuses a timeout that is no whole number of seconds from 1 to 86400, in one line", () => {
    for (const bad of ["0", "-1", "1.5", "abc", "86401"]) {
      assert.throws(
        () => parseLocalFlags("down", ["--timeout", bad], {}),
        (error: unknown) =>
          error instanceof BadInputError &&
          error.message === `down: --timeout "${bad}" is not a whole number of seconds from 1 to 86400`,
      );
    }
    assert.throws(() => parseLocalFlags("down", ["--timeout"], {}), {
      name: "BadInputError",
      message: "down: --timeout needs a value",
    });
  });

  it("makes the state folder absolute, so every process names it alike", () => {
    assert.equal(parseLocalFlags("status", ["--state-dir", "x/y"], {}).stateDir, resolve("x/y"));
    assert.equal(parseLocalFlags("status", [], { GALERA_PILOT_STATE_DIR: "/s/" }).stateDir, "/s");
    assert.equal(parseLocalFlags("status", [], {}).stateDir, "/var/lib/galera-pilot/local");
  });
});
