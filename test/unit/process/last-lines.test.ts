import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { lastLines } from "../../../src/process/child-exit.js";

describe("lastLines (the excerpt of a failed helper's output in a one-line error)", () => {
  it("keeps the first error line when the output ends with a generic banner", () => {
    const output = [
      "Installing MariaDB/MySQL system tables in '/x/data' ...",
      "2026-11-25 22:00:12 0 [ERROR] mariadbd: Can't create/write to file '/x/data/aria_log_control' (Errcode: 13 \"Permission denied\")",
      "Installation of system tables failed!  Examine the logs in",
      "The latest information about mysql_install_db is available at",
      "Please check all of the above before submitting a bug report",
      "at https://mariadb.org/jira",
    ].join("\n");
    const excerpt = lastLines(output);
    assert.match(excerpt, /^2026-11-25 22:00:12 0 \[ERROR\] mariadbd: Can't create\/write/);
    assert.match(excerpt, /at https:\/\/mariadb\.org\/jira$/);
    assert.ok(!excerpt.includes("\n"));
  });
  it("without an error line, the last lines", () => {
    assert.equal(lastLines("a\nb\nc\nd"), "b | c | d");
  });
});
