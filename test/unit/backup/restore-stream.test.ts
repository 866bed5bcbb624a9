import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { unpackFailure } from "../../../src/backup/restore-stream.js";
import type { ChildExit } from "../../../src/process/child-exit.js";

const exit = (exitCode: number | null, signal: NodeJS.Signals | null = null): ChildExit => ({
  exitCode,
  signal,
  forcedKill: false,
  durationMs: 10,
});
const ok = exit(0);

describe("what a restore's unpacking says when zstd or mbstream failed", () => {
  it("says nothing when both exited 0", () => {
    assert.equal(unpackFailure(ok, "", ok, ""), null);
  });

  it("names mbstream, not zstd's broken pipe, when mbstream stopped first (a full scratch disk)", () => {
    assert.equal(
      unpackFailure(
        exit(null, "SIGPIPE"),
        "",
        exit(1),
        "mbstream: failed to write: No space left on device\n",
      ),
      "mbstream -x failed (exit 1): mbstream: failed to write: No space left on device",
    );
    assert.equal(
      unpackFailure(exit(null, "SIGPIPE"), "", exit(null, "SIGKILL"), ""),
      "mbstream -x stopped reading before the stream ended: ",
    );
  });

  it("calls a stream zstd refused one that does not decompress", () => {
    assert.equal(
      unpackFailure(exit(1), "zstd: /*stdin*\\: unexpected end of file \n", exit(0), ""),
      "the stored stream does not decompress (zstd: zstd: /*stdin*\\: unexpected end of file)",
    );
  });

  it("says a missing tool is missing, never that the backup is corrupt", () => {
    assert.equal(unpackFailure(exit(127), "", ok, ""), "zstd could not be run (is it installed?)");
    assert.equal(
      unpackFailure(exit(null, "SIGPIPE"), "", exit(127), ""),
      "mbstream could not be run (is it installed?)",
    );
  });

  it("says nothing of children the restore killed itself (the read failed: its own error says why)", () => {
    assert.equal(unpackFailure(exit(null, "SIGKILL"), "", exit(null, "SIGKILL"), ""), null);
  });
});
