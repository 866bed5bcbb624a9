import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseRecoveredPosition } from "../../../src/mysqld/recovered-position.js";

// The line the brief quotes from `mariadbd --wsrep-recover` on this machine (MariaDB 10.11.19).
const recoveredSeqno4 =
  "2026-11-25 18:08:12 0 [Note] WSREP: Recovered position: 2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e:4";

// A whole `mariadbd --wsrep-recover` run on a fresh datadir, captured on this machine.
const freshDatadirRun = `2026-11-25 18:13:41 0 [Warning] Could not increase number of max_open_files to more than 20000 (request: 32184)
2026-11-25 18:13:41 0 [Note] Starting MariaDB 10.11.19-MariaDB-0+deb12u1 source revision 5843d8475120241667a7ce0f8a1abb6c9b43a273 server_uid fXdYp7ZWAMMBm0PUMZFJoAcM0o0= as process 5803
2026-11-25 18:13:41 0 [Note] InnoDB: Compressed tables use zlib 1.2.13
2026-11-25 18:13:41 0 [Note] InnoDB: Number of transaction pools: 1
2026-11-25 18:13:41 0 [Note] InnoDB: Using crc32 + pclmulqdq instructions
2026-11-25 18:13:41 0 [Note] InnoDB: Using io_uring
2026-11-25 18:13:41 0 [Note] InnoDB: innodb_buffer_pool_size_max=8388608m, innodb_buffer_pool_size=128m
2026-11-25 18:13:41 0 [Note] InnoDB: Completed initialization of buffer pool
2026-11-25 18:13:41 0 [Note] InnoDB: File system buffers for log disabled (block size=4096 bytes)
2026-11-25 18:13:41 0 [Note] InnoDB: End of log at LSN=44894
2026-11-25 18:13:41 0 [Note] InnoDB: 128 rollback segments are active.
2026-11-25 18:13:41 0 [Note] InnoDB: Setting file './ibtmp1' size to 12.000MiB. Physically writing the file full; Please wait ...
2026-11-25 18:13:41 0 [Note] InnoDB: File './ibtmp1' size is now 12.000MiB.
2026-11-25 18:13:41 0 [Note] InnoDB: log sequence number 44894; transaction id 14
2026-11-25 18:13:41 0 [Warning] InnoDB: Skipping buffer pool dump/restore during wsrep recovery.
2026-11-25 18:13:41 0 [Note] Plugin 'FEEDBACK' is disabled.
2026-11-25 18:13:42 0 [Note] Server socket created on IP: '0.0.0.0', port: '3306'.
2026-11-25 18:13:42 0 [Note] Server socket created on IP: '::', port: '3306'.
2026-11-25 18:13:42 0 [Note] WSREP: Recovered position: 00000000-0000-0000-0000-000000000000:-1
`;

void describe("parseRecoveredPosition", () => {
  void it("reads the line MariaDB 10.11 prints", () => {
    assert.deepEqual(parseRecoveredPosition(recoveredSeqno4), {
      uuid: "2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e",
      seqno: 4,
      gtid: null,
    });
  });

  void it("reads the GTID suffix printed with wsrep_gtid_mode=ON (fresh datadir, captured here)", () => {
    const fresh =
      "2026-11-25 18:13:46 0 [Note] WSREP: Recovered position: 00000000-0000-0000-0000-000000000000:-1,0-0-0";
    assert.deepEqual(parseRecoveredPosition(fresh), {
      uuid: "00000000-0000-0000-0000-000000000000",
      seqno: -1,
      gtid: "0-0-0",
    });
    const line =
      "2026-11-25 18:08:12 0 [Note] WSREP: Recovered position: 2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e:4,0-1-4";
    assert.deepEqual(parseRecoveredPosition(line), {
      uuid: "2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e",
      seqno: 4,
      gtid: "0-1-4",
    });
  });

  void it("reads a fresh datadir's zero position from a whole run", () => {
    assert.deepEqual(parseRecoveredPosition(freshDatadirRun), {
      uuid: "00000000-0000-0000-0000-000000000000",
      seqno: -1,
      gtid: null,
    });
  });

  void it("reads the position of a node killed after 4 writesets (captured here)", () => {
    const line =
      "2026-11-25 18:14:35 0 [Note] WSREP: Recovered position: 08713aa1-e8fc-11f1-bd9a-4fa04cc6190b:4";
    assert.deepEqual(parseRecoveredPosition(line), {
      uuid: "08713aa1-e8fc-11f1-bd9a-4fa04cc6190b",
      seqno: 4,
      gtid: null,
    });
  });

  void it("takes the last of several runs in one log", () => {
    const log = [
      "2026-11-25 18:01:02 0 [Note] WSREP: Recovered position: 00000000-0000-0000-0000-000000000000:-1",
      "2026-11-25 18:05:00 0 [Note] WSREP: Recovered position: 2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e:2",
      "2026-11-25 18:08:12 0 [Note] WSREP: Recovered position: 2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e:812,0-1-812",
      "2026-11-25 18:08:12 0 [Note] InnoDB: FTS optimize thread exiting.",
    ].join("\r\n");
    assert.deepEqual(parseRecoveredPosition(log), {
      uuid: "2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e",
      seqno: 812,
      gtid: "0-1-812",
    });
  });

  void it("reads Percona's bracketed prefix", () => {
    const line =
      "2026-11-25T18:08:12.000000Z 0 [Note] [MY-000000] [WSREP] Recovered position: 2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e:9";
    assert.equal(parseRecoveredPosition(line)?.seqno, 9);
  });

  void it("answers null when no run got that far", () => {
    assert.equal(parseRecoveredPosition(""), null);
    assert.equal(
      parseRecoveredPosition("2026-11-25 18:08:12 0 [ERROR] InnoDB: Plugin initialization aborted\n"),
      null,
    );
  });

  void it("refuses a malformed last line even after a good one", () => {
    const good = "[Note] WSREP: Recovered position: 2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e:4\n";
    const cases: [string, string][] = [
      ["[Note] WSREP: Recovered position: ", ""],
      [
        "[Note] WSREP: Recovered position: 2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e",
        "2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e",
      ],
      ["[Note] WSREP: Recovered position: 2ac6dfbe:4", "2ac6dfbe:4"],
      [
        "[Note] WSREP: Recovered position: 2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e:x",
        "2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e:x",
      ],
      [
        "[Note] WSREP: Recovered position: 2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e:-2",
        "2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e:-2",
      ],
      [
        "[Note] WSREP: Recovered position: 2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e:4,0-1",
        "2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e:4,0-1",
      ],
    ];
    for (const [line, shown] of cases) {
      assert.throws(() => parseRecoveredPosition(good + line), {
        message: `mariadbd --wsrep-recover printed a malformed position: ${JSON.stringify(shown)}`,
      });
    }
  });
});
