import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { BadInputError } from "../../../src/errors.js";
import {
  durationSeconds,
  failoverProviderOptions,
  galeraDefaultEvsOptions,
  DEFAULT_GALERA_LIBRARY,
  MAX_OPTION_LINE_BYTES,
  quoteOptionValue,
  renderServerConfig,
  type ServerConfigInput,
} from "../../../src/mysqld/server-config.js";

// The real option file reader: MariaDB's my_print_defaults prints what mariadbd would read.
const scratch = mkdtempSync(join(tmpdir(), "galera-pilot-server-config-"));
after(() => rmSync(scratch, { recursive: true, force: true }));
let fileCount = 0;

/** The options mariadbd would read from `text`, as `--name=value` lines. */
function readBack(text: string): string[] {
  const file = join(scratch, `my-${fileCount++}.cnf`);
  // mode 0600: the reader ignores world-writable files, and this is how the agent writes it.
  writeFileSync(file, text, { mode: 0o600 });
  const output = execFileSync("my_print_defaults", [`--defaults-file=${file}`, "mysqld"], {
    encoding: "utf8",
  });
  return output.split("\n").slice(0, -1);
}

function n2OfThreeOnLoopback(overrides: Partial<ServerConfigInput> = {}): ServerConfigInput {
  return {
    datadir: "/var/lib/galera-pilot/n2/data",
    socket: "/run/galera-pilot/n2.sock",
    pidFile: "/run/galera-pilot/n2.pid",
    errorLog: null,
    bindAddress: "127.0.0.3",
    port: 3306,
    nodeAddress: "127.0.0.3",
    nodeName: "n2",
    clusterName: "galera-pilot",
    clusterAddresses: ["127.0.0.2", "127.0.0.3", "127.0.0.4"],
    galeraPort: 4567,
    istPort: 4568,
    sstPort: 4444,
    sstMethod: "mariabackup",
    sstUser: "sst",
    sstPassword: "s3cret",
    durability: "strict",
    providerOptions: {},
    galeraLibrary: DEFAULT_GALERA_LIBRARY,
    ...overrides,
  };
}

void describe("renderServerConfig", () => {
  void it("renders a loopback node of a three-node cluster", () => {
    const input = n2OfThreeOnLoopback({
      errorLog: "/var/log/galera-pilot/n2.err",
      providerOptions: { "gcache.size": "256M", "evs.suspect_timeout": "PT2S" },
    });
    assert.equal(
      renderServerConfig(input),
      `# Rendered by galera-pilot at each start; edits here are lost.
[mysqld]
datadir="/var/lib/galera-pilot/n2/data"
socket="/run/galera-pilot/n2.sock"
pid_file="/run/galera-pilot/n2.pid"
log_error="/var/log/galera-pilot/n2.err"
bind_address="127.0.0.3"
port=3306
skip_name_resolve
max_connections=300
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
innodb_flush_log_at_trx_commit=1
sync_binlog=1
log_bin=binlog
log_slave_updates=ON
binlog_expire_logs_seconds=259200
server_id=520029
gtid_domain_id=512400122
wsrep_on=ON
wsrep_gtid_mode=ON
wsrep_gtid_domain_id=7216
wsrep_provider="/usr/lib/galera/libgalera_smm.so"
wsrep_cluster_name="galera-pilot"
wsrep_cluster_address="gcomm://127.0.0.2:4567,127.0.0.3:4567,127.0.0.4:4567"
wsrep_node_name="n2"
wsrep_node_address="127.0.0.3"
wsrep_node_incoming_address="127.0.0.3:3306"
wsrep_provider_options="gmcast.listen_addr=tcp://127.0.0.3:4567;ist.recv_addr=127.0.0.3:4568;pc.recovery=TRUE;evs.keepalive_period=PT0.25S;evs.inactive_check_period=PT0.25S;evs.inactive_timeout=PT15S;evs.install_timeout=PT7.5S;evs.join_retrans_period=PT0.25S;gcache.size=256M;evs.suspect_timeout=PT2S"
wsrep_sst_receive_address="127.0.0.3:4444"
wsrep_sst_method=mariabackup
wsrep_sst_auth="sst:s3cret"

[sst]
sockopt="bind=127.0.0.3"
`,
    );
  });

  void it("is read back by MariaDB's own reader as intended", () => {
    assert.deepEqual(readBack(renderServerConfig(n2OfThreeOnLoopback({ sstMethod: "rsync" }))), [
      "--datadir=/var/lib/galera-pilot/n2/data",
      "--socket=/run/galera-pilot/n2.sock",
      "--pid_file=/run/galera-pilot/n2.pid",
      "--bind_address=127.0.0.3",
      "--port=3306",
      "--skip_name_resolve",
      "--max_connections=300",
      "--binlog_format=ROW",
      "--default_storage_engine=InnoDB",
      "--innodb_autoinc_lock_mode=2",
      "--innodb_flush_log_at_trx_commit=1",
      "--sync_binlog=1",
      "--log_bin=binlog",
      "--log_slave_updates=ON",
      "--binlog_expire_logs_seconds=259200",
      "--server_id=520029",
      "--gtid_domain_id=512400122",
      "--wsrep_on=ON",
      "--wsrep_gtid_mode=ON",
      "--wsrep_gtid_domain_id=7216",
      "--wsrep_provider=/usr/lib/galera/libgalera_smm.so",
      "--wsrep_cluster_name=galera-pilot",
      "--wsrep_cluster_address=gcomm://127.0.0.2:4567,127.0.0.3:4567,127.0.0.4:4567",
      "--wsrep_node_name=n2",
      "--wsrep_node_address=127.0.0.3",
      "--wsrep_node_incoming_address=127.0.0.3:3306",
      "--wsrep_provider_options=gmcast.listen_addr=tcp://127.0.0.3:4567;ist.recv_addr=127.0.0.3:4568;pc.recovery=TRUE;evs.keepalive_period=PT0.25S;evs.inactive_check_period=PT0.25S;evs.suspect_timeout=PT5S;evs.inactive_timeout=PT15S;evs.install_timeout=PT7.5S;evs.join_retrans_period=PT0.25S",
      "--wsrep_sst_receive_address=127.0.0.3:4444",
      "--wsrep_sst_method=rsync",
      "--wsrep_sst_auth=sst:s3cret",
    ]);
  });

  void it("sets each durability profile's flush and binlog sync", () => {
    const expected = { strict: ["=1", "=1"], process: ["=2", "=0"], seed: ["=0", "=0"] } as const;
    for (const [durability, [flush, sync]] of Object.entries(expected)) {
      const text = renderServerConfig(
        n2OfThreeOnLoopback({ durability: durability as keyof typeof expected }),
      );
      assert.match(text, new RegExp(`^innodb_flush_log_at_trx_commit${flush}$`, "m"), durability);
      assert.match(text, new RegExp(`^sync_binlog${sync}$`, "m"), durability);
    }
  });

  void it("renders gcomm:// for a node that bootstraps, and leaves log_error out for stderr", () => {
    const text = renderServerConfig(n2OfThreeOnLoopback({ clusterAddresses: [] }));
    assert.match(text, /^wsrep_cluster_address="gcomm:\/\/"$/m);
    assert.doesNotMatch(text, /log_error/);
  });

  void it("keeps given ports, adds the Galera port to the others, and brackets IPv6", () => {
    const text = renderServerConfig(
      n2OfThreeOnLoopback({
        galeraPort: 14567,
        clusterAddresses: [
          "db-1.galera.service.dc1.consul",
          "db-2.example:5000",
          "[fd00::3]:4567",
          "fd00::4",
          "[fd00::5]",
        ],
      }),
    );
    assert.match(
      text,
      /^wsrep_cluster_address="gcomm:\/\/db-1.galera.service.dc1.consul:14567,db-2.example:5000,\[fd00::3\]:4567,\[fd00::4\]:14567,\[fd00::5\]:14567"$/m,
    );
  });

  void it("renders an IPv6 node as MariaDB's IPv6 tests do (verified by a bootstrap on ::1)", () => {
    const lines = renderServerConfig(
      n2OfThreeOnLoopback({ bindAddress: "[::1]", nodeAddress: "::1", clusterAddresses: [] }),
    )
      .split("\n")
      .filter((line) => /^(bind_address|wsrep_node|wsrep_provider_options|wsrep_sst_receive)/.test(line));
    assert.deepEqual(lines, [
      'bind_address="::1"',
      'wsrep_node_name="n2"',
      'wsrep_node_address="::1"',
      'wsrep_node_incoming_address="[::1]:3306"',
      'wsrep_provider_options="base_host=[::1];gmcast.listen_addr=tcp://[::1]:4567;ist.recv_addr=[::1]:4568;pc.recovery=TRUE;evs.keepalive_period=PT0.25S;evs.inactive_check_period=PT0.25S;evs.suspect_timeout=PT5S;evs.inactive_timeout=PT15S;evs.install_timeout=PT7.5S;evs.join_retrans_period=PT0.25S"',
      'wsrep_sst_receive_address="[::1]:4444"',
    ]);
  });

  void it("refuses addresses that are not host[:port]", () => {
    for (const address of ["a,b", "host:1:2", "", "[::1", "host:0", "host:70000", "-host", "tcp://x"]) {
      assert.throws(
        () => renderServerConfig(n2OfThreeOnLoopback({ clusterAddresses: [address] })),
        BadInputError,
        address,
      );
    }
    assert.throws(() => renderServerConfig(n2OfThreeOnLoopback({ nodeAddress: "127.0.0.3:4567" })), {
      message: 'node address "127.0.0.3:4567" is not a host name or an IP address',
    });
    assert.throws(() => renderServerConfig(n2OfThreeOnLoopback({ istPort: 0 })), {
      message: "IST port 0 is not a TCP port (1-65535)",
    });
  });

  void it("refuses provider options galera-pilot owns or Galera's parser would split", () => {
    const cases: [Record<string, string>, string][] = [
      [
        { "pc.recovery": "FALSE" },
        "provider option pc.recovery is set by galera-pilot itself; use its own setting",
      ],
      [
        { "gmcast.listen_addr": "tcp://0.0.0.0:4567" },
        "provider option gmcast.listen_addr is set by galera-pilot itself; use its own setting",
      ],
      [
        { "gcache.size": "1G;pc.ignore_sb=TRUE" },
        'provider option gcache.size="1G;pc.ignore_sb=TRUE" contains ; = \\ or a newline',
      ],
      [
        { "gcache.dir": "C:\\galera" },
        'provider option gcache.dir="C:\\\\galera" contains ; = \\ or a newline',
      ],
      [{ "bad key": "1" }, 'provider option name "bad key" is not a Galera option name'],
    ];
    for (const [providerOptions, message] of cases) {
      assert.throws(() => renderServerConfig(n2OfThreeOnLoopback({ providerOptions })), { message });
    }
  });

  void it("renders Galera's own timeouts with short periods, within galera-4's start-up checks", () => {
    const options = providerOptionsOf(renderServerConfig(n2OfThreeOnLoopback()));
    const timings = [
      "evs.keepalive_period",
      "evs.inactive_check_period",
      "evs.suspect_timeout",
      "evs.inactive_timeout",
      "evs.install_timeout",
    ].map((key) => durationSeconds(options.get(key) ?? "")!);
    assert.deepEqual(timings, [0.25, 0.25, 5, 15, 7.5]);
    assert.equal(options.get("evs.join_retrans_period"), "PT0.25S");
    // The timeouts are Galera's defaults; the periods are shorter.
    for (const key of ["evs.suspect_timeout", "evs.inactive_timeout", "evs.install_timeout"] as const)
      assert.equal(
        durationSeconds(failoverProviderOptions[key]),
        durationSeconds(galeraDefaultEvsOptions[key]),
      );
    // keepalive_period ≤ inactive_check_period ≤ suspect_timeout ≤ inactive_timeout
    assert.deepEqual(
      timings.slice(0, 4),
      [...timings.slice(0, 4)].sort((a, b) => a - b),
    );
    // galera-4's own start-up checks (gcomm/src/evs_proto.cpp).
    assert.ok(timings[1]! <= timings[2]! / 2 && timings[0]! <= timings[2]! / 3);
    assert.ok(timings[4]! <= timings[3]! && timings[4]! >= 2 * timings[0]!);
    assert.deepEqual(
      Object.keys(failoverProviderOptions).sort(),
      Object.keys(galeraDefaultEvsOptions).sort(),
    );
  });

  void it("lets the user's provider options replace any of our evs timings, each rendered once", () => {
    const options = providerOptionsOf(
      renderServerConfig(
        n2OfThreeOnLoopback({
          providerOptions: { ...galeraDefaultEvsOptions, "gcache.size": "1G" },
        }),
      ),
    );
    for (const [key, value] of Object.entries(galeraDefaultEvsOptions)) assert.equal(options.get(key), value);
    assert.equal(options.get("gcache.size"), "1G");
    const text = renderServerConfig(
      n2OfThreeOnLoopback({ providerOptions: { "evs.suspect_timeout": "PT3S" } }),
    );
    assert.equal(text.match(/evs\.suspect_timeout=/g)?.length, 1);
    assert.equal(providerOptionsOf(text).get("evs.keepalive_period"), "PT0.25S");
  });

  void it("refuses evs timings Galera would refuse at start, naming the pair", () => {
    const cases: [Record<string, string>, string][] = [
      [
        { "evs.keepalive_period": "PT2S" },
        "provider option evs.keepalive_period=PT2S must be at most a third of evs.suspect_timeout=PT5S (galera-4 refuses to start otherwise); set both",
      ],
      [
        { "evs.suspect_timeout": "PT20S" },
        "provider option evs.suspect_timeout=PT20S must be at most evs.inactive_timeout=PT15S (inactive_timeout is the hard limit behind suspect_timeout); set both",
      ],
      [
        { "evs.inactive_check_period": "PT3S" },
        "provider option evs.inactive_check_period=PT3S must be at most half of evs.suspect_timeout=PT5S (galera-4 refuses to start otherwise); set both",
      ],
      [
        { "evs.join_retrans_period": "PT3S" },
        "provider option evs.join_retrans_period=PT3S must be at most half of evs.suspect_timeout=PT5S (members agreeing on a view would suspect each other); set both",
      ],
      [
        { "evs.install_timeout": "PT1M" },
        "provider option evs.install_timeout=PT1M must be at most evs.inactive_timeout=PT15S (galera-4 refuses to start otherwise); set both",
      ],
    ];
    for (const [providerOptions, message] of cases) {
      assert.throws(() => renderServerConfig(n2OfThreeOnLoopback({ providerOptions })), { message });
    }
    // Galera's own defaults pass, though they do not follow its documented order.
    assert.doesNotThrow(() =>
      renderServerConfig(n2OfThreeOnLoopback({ providerOptions: { ...galeraDefaultEvsOptions } })),
    );
  });

  void it("reads ISO 8601 durations as Galera writes them", () => {
    assert.equal(durationSeconds("PT0.5S"), 0.5);
    assert.equal(durationSeconds("PT1M"), 60);
    assert.equal(durationSeconds("PT1M30S"), 90);
    assert.equal(durationSeconds("P1D"), 86_400);
    assert.equal(durationSeconds("PT"), null);
    assert.equal(durationSeconds("5"), null);
  });

  void it("refuses an SST user with a colon, which the SST scripts would split", () => {
    assert.throws(() => renderServerConfig(n2OfThreeOnLoopback({ sstUser: "s:st" })), {
      message: 'SST user "s:st" must be non-empty and contain no ":"',
    });
  });

  void it("keeps passwords with option-file metacharacters intact through MariaDB's reader", () => {
    const passwords = [
      "p#ss",
      'say "hi"',
      "it's",
      "back\\slash",
      "ends with backslash\\",
      "\\",
      '\\"',
      "\\n is not a newline",
      "\\s\\t\\b\\r\\x",
      "  spaces around  ",
      "#",
      "'",
      '"',
      "''",
      '""',
      `a"#b'c\\d;e=f`,
      "tab\there",
      "carriage\rreturn",
      "pässwörd €",
      "$(id) `id` ${HOME}",
      "",
    ];
    for (const password of passwords) {
      const options = readBack(renderServerConfig(n2OfThreeOnLoopback({ sstPassword: password })));
      assert.equal(options.at(-1), `--wsrep_sst_auth=sst:${password}`, JSON.stringify(password));
    }
  });

  void it("refuses a password with a newline or NUL without echoing it", () => {
    for (const password of ["line\nbreak", "nul\0byte"]) {
      assert.throws(
        () => renderServerConfig(n2OfThreeOnLoopback({ sstPassword: password })),
        (error: Error) =>
          error instanceof BadInputError &&
          error.message === "wsrep_sst_auth contains a newline or NUL, which an option file cannot hold" &&
          !error.message.includes(password),
      );
    }
  });

  void it("refuses a line longer than the reader's buffer, whose tail would be read as another option", () => {
    // `datadir="…"` is 10 bytes around the path.
    const longest = "/" + "d".repeat(MAX_OPTION_LINE_BYTES - 11);
    const options = readBack(renderServerConfig(n2OfThreeOnLoopback({ datadir: longest })));
    assert.equal(options[0], `--datadir=${longest}`);
    assert.equal(options[1], "--socket=/run/galera-pilot/n2.sock");
    assert.throws(() => renderServerConfig(n2OfThreeOnLoopback({ datadir: longest + "d" })), {
      message: `datadir is longer than the ${MAX_OPTION_LINE_BYTES} bytes an option file line holds`,
    });
  });
});

void describe("quoteOptionValue", () => {
  void it("round-trips any text without newline or NUL through MariaDB's reader", () => {
    // Mostly the characters the reader treats specially, mixed with any other code point.
    const special = fc.constantFrom('"', "'", "\\", "#", ";", " ", "\t", "\r", "n", "s", "b");
    const anyCodePoint = fc.string({ unit: "binary", minLength: 1, maxLength: 1 });
    const unit = fc.oneof({ arbitrary: special, weight: 3 }, { arbitrary: anyCodePoint, weight: 1 });
    const values = fc
      .sample(fc.string({ unit, maxLength: 24 }), { numRuns: 400, seed: 20261125 })
      .filter((value) => !/[\n\0]/.test(value) && Buffer.from(value).toString() === value);
    const text = ["[mysqld]", ...values.map((value, i) => `v${i}=${quoteOptionValue(value)}`), ""].join("\n");
    assert.deepEqual(
      readBack(text),
      values.map((value, i) => `--v${i}=${value}`),
    );
  });

  void it("echoes a non-secret value in its error", () => {
    assert.throws(() => quoteOptionValue("a\nb", "datadir"), {
      message: 'datadir "a\\nb" contains a newline or NUL, which an option file cannot hold',
    });
  });
});

void describe("renderServerConfig with TLS", () => {
  const tls = { ca: "/etc/galera/ca.pem", cert: "/etc/galera/n2.pem", key: "/etc/galera/n2.key" };

  void it("gives Galera its socket.ssl_* options and the SST scripts their [sst] encrypt settings", () => {
    const text = renderServerConfig(n2OfThreeOnLoopback({ tls }));
    const options = readBack(text).find((l) => l.startsWith("--wsrep_provider_options="));
    assert.equal(
      options,
      "--wsrep_provider_options=gmcast.listen_addr=tcp://127.0.0.3:4567;ist.recv_addr=127.0.0.3:4568;pc.recovery=TRUE;socket.ssl_ca=/etc/galera/ca.pem;socket.ssl_cert=/etc/galera/n2.pem;socket.ssl_key=/etc/galera/n2.key;socket.ssl=YES;evs.keepalive_period=PT0.25S;evs.inactive_check_period=PT0.25S;evs.suspect_timeout=PT5S;evs.inactive_timeout=PT15S;evs.install_timeout=PT7.5S;evs.join_retrans_period=PT0.25S",
    );
    const sst = execFileSync(
      "my_print_defaults",
      [`--defaults-file=${join(scratch, `my-${fileCount - 1}.cnf`)}`, "sst"],
      { encoding: "utf8" },
    );
    assert.deepEqual(sst.split("\n").slice(0, -1), [
      "--sockopt=bind=127.0.0.3",
      "--encrypt=3",
      "--tca=/etc/galera/ca.pem",
      "--tcert=/etc/galera/n2.pem",
      "--tkey=/etc/galera/n2.key",
      "--ssl-mode=VERIFY_CA",
    ]);
  });

  void it("renders no TLS setting without TLS files", () => {
    const text = renderServerConfig(n2OfThreeOnLoopback());
    assert.doesNotMatch(text, /ssl|encrypt|tca/);
  });

  void it("refuses socket.ssl options given as provider options: the TLS settings check their files", () => {
    assert.throws(
      () => renderServerConfig(n2OfThreeOnLoopback({ providerOptions: { "socket.ssl_key": "/k" } })),
      /socket\.ssl_key is set by galera-pilot itself/,
    );
  });

  void it("refuses a TLS path Galera's option list would split", () => {
    assert.throws(
      () => renderServerConfig(n2OfThreeOnLoopback({ tls: { ...tls, key: "/etc/a;b.key" } })),
      (error: unknown) => error instanceof BadInputError && /TLS file path/.test(error.message),
    );
  });
});

/** The provider options of a rendered config, as a map. */
function providerOptionsOf(text: string): Map<string, string> {
  const line = /^wsrep_provider_options="(.*)"$/m.exec(text)![1]!;
  return new Map(line.split(";").map((pair) => pair.split("=") as [string, string]));
}
