import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseShowStat } from "../../../src/router/haproxy-stat.js";

describe("parseShowStat", () => {
  it("keeps the server rows, finds columns by the header's names, and leaves frontends and backend totals out", () => {
    const csv = [
      "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,",
      "galera_writer,FRONTEND,,,0,1,2000,3,0,0,0,0,0,,,,,OPEN,,",
      "galera_writer,n1,0,0,2,2,,3,0,0,,0,,0,0,0,0,UP,1,",
      "galera_writer,n2,0,0,0,0,,0,0,0,,0,,0,0,0,0,DOWN,1,",
      "galera_writer,BACKEND,0,0,2,2,200,3,0,0,0,0,,0,0,0,0,UP,2,",
      "galera_readers,n2,0,0,0,0,,0,0,0,,0,,0,0,0,0,DOWN 1/2,1,",
      "",
    ].join("\n");
    assert.deepEqual(parseShowStat(csv), [
      { backend: "galera_writer", server: "n1", status: "UP", weight: 1, sessions: 2 },
      { backend: "galera_writer", server: "n2", status: "DOWN", weight: 1, sessions: 0 },
      { backend: "galera_readers", server: "n2", status: "DOWN 1/2", weight: 1, sessions: 0 },
    ]);
  });
  it("gives nothing for an answer without the header", () => {
    assert.deepEqual(parseShowStat(""), []);
    assert.deepEqual(parseShowStat("Unknown command\n"), []);
  });
});
