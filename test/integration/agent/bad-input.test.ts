import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, chownSync, mkdirSync, writeFileSync } from "node:fs";
import { createSocket, type Socket } from "node:dgram";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { runToCompletion } from "../../../src/process/child-exit.js";
import { lookUpOsUser } from "../../../src/mysqld/os-user.js";
import { fingerprint } from "../../support/datadir-fingerprint.js";
import { installDatadir } from "../../support/install-datadir.js";
import { startDnsmasq, type RunningDnsmasq } from "../../support/dnsmasq.js";
import { makeStateDir } from "../../support/local-cluster-harness.js";
import { errorLines, runCli } from "../../support/run-cli.js";
import { makeTestPki, type TestPki } from "../../support/test-pki.js";

/**
 * The bad-input catalogue (docs/bad-inputs.md): bad input never half-starts a node. Each case
 * asserts a one-line error naming the problem and the fix, its exit code, and the datadir
 * byte-identical — an absent one and one that holds data (made by mariadb-install-db) for
 * every input, and datadirs of their own for the datadir cases (a read-only bind mount, a
 * small tmpfs for a full disk). Real agent processes, a real dnsmasq, real sockets.
 *
 * With GALERA_PILOT_CATALOGUE_OUT set, each case's line is appended there as JSON, to keep
 * the table in docs/bad-inputs.md true.
 */
describe("given bad input", { timeout: 600_000 }, () => {
  const address = "127.0.20.2";
  const base = makeStateDir("bad-input");
  const populated = join(base, "populated");
  const absent = join(base, "absent");
  const secrets = join(base, "secrets");
  const mounts: string[] = [];
  let dns: RunningDnsmasq;
  let silentDns: Socket;
  let taken: Server[] = [];
  let pki: TestPki;

  const copyOfPopulated = async (name: string): Promise<string> => {
    const copy = join(base, name);
    const cp = await runToCompletion("cp", ["-a", populated, copy]);
    assert.equal(cp.exitCode, 0, cp.stderr);
    return copy;
  };
  const mount = async (args: string[], target: string): Promise<void> => {
    mkdirSync(target, { recursive: true });
    const result = await runToCompletion("mount", [...args, target]);
    assert.equal(result.exitCode, 0, result.stderr);
    mounts.unshift(target);
  };

  /** Datadirs of the datadir cases, made in before(). */
  const dirs: Record<string, string> = {};

  before(async () => {
    const mysqlUser = lookUpOsUser("mysql");
    mkdirSync(populated, { recursive: true });
    chownSync(populated, mysqlUser.uid, mysqlUser.gid);
    await installDatadir(populated);
    mkdirSync(secrets);
    writeFileSync(join(secrets, "empty"), "");
    writeFileSync(join(secrets, "root"), "root-pw\n");
    mkdirSync(join(secrets, "a-directory"));
    pki = await makeTestPki(join(base, "pki"), ["n1"], mysqlUser);
    dns = await startDnsmasq({
      address: "127.0.21.53",
      port: 5353,
      aRecords: { "galera.service.dc1.consul": ["127.0.20.3", "127.0.20.4"] },
    });
    // A DNS server that never answers: discovery must time out, in one line.
    silentDns = createSocket("udp4");
    await new Promise<void>((resolve) => silentDns.bind(5353, "127.0.21.54", resolve));
    for (const port of [3306, 4567, 8080]) {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(port, address, resolve));
      taken.push(server);
    }

    const grastate = (uuid: string, seqno: number) =>
      `# GALERA saved state\nversion: 2.1\nuuid:    ${uuid}\nseqno:   ${seqno}\nsafe_to_bootstrap: 0\n`;
    dirs["corrupt grastate.dat"] = await copyOfPopulated("corrupt-grastate");
    writeFileSync(join(dirs["corrupt grastate.dat"], "grastate.dat"), "garbage written over it\n");
    dirs["zeroed grastate.dat"] = await copyOfPopulated("zeroed-grastate");
    writeFileSync(join(dirs["zeroed grastate.dat"], "grastate.dat"), Buffer.alloc(128));
    dirs["missing grastate.dat"] = await copyOfPopulated("missing-grastate");
    dirs["empty grastate.dat"] = await copyOfPopulated("empty-grastate");
    writeFileSync(join(dirs["empty grastate.dat"], "grastate.dat"), "");
    dirs["corrupt gvwstate.dat"] = await copyOfPopulated("corrupt-gvwstate");
    writeFileSync(
      join(dirs["corrupt gvwstate.dat"], "grastate.dat"),
      grastate("2ac6dfbe-e8fb-11f1-aee4-d2bbb464c24e", 12),
    );
    writeFileSync(join(dirs["corrupt gvwstate.dat"], "gvwstate.dat"), "my_uuid: not-a-uuid\n#vwbeg\n");
    dirs["wrong owner"] = await copyOfPopulated("wrong-owner");
    await runToCompletion("chown", ["-R", "root:root", dirs["wrong owner"]]);
    dirs["not a MariaDB datadir"] = join(base, "not-mariadb");
    mkdirSync(dirs["not a MariaDB datadir"]);
    writeFileSync(join(dirs["not a MariaDB datadir"], "notes.txt"), "somebody's files\n");
    chownSync(dirs["not a MariaDB datadir"], mysqlUser.uid, mysqlUser.gid);
    // A state folder only root can enter (mode 0700): mysql cannot reach a datadir inside it.
    mkdirSync(join(base, "private"), { mode: 0o700 });
    dirs["inside a folder mysql cannot enter"] = join(base, "private", "data");
    dirs["a file"] = join(base, "a-file");
    writeFileSync(dirs["a file"], "not a directory\n");
    // Root ignores mode bits, but not a read-only mount.
    const readOnlySource = await copyOfPopulated("read-only-source");
    dirs["read-only"] = join(base, "read-only");
    await mount(["--bind", readOnlySource], dirs["read-only"]);
    const remount = await runToCompletion("mount", ["-o", "remount,ro,bind", dirs["read-only"]]);
    assert.equal(remount.exitCode, 0, remount.stderr);
    dirs["read-only absent"] = join(dirs["read-only"], "not-yet");
    // A full disk: tmpfs volumes too small for what a start writes.
    await mount(["-t", "tmpfs", "-o", "size=64m", "tmpfs"], join(base, "small"));
    dirs["full disk absent"] = join(base, "small", "data");
    await mount(["-t", "tmpfs", "-o", "size=160m", "tmpfs"], join(base, "full"));
    dirs["full disk populated"] = join(base, "full", "data");
    const cp = await runToCompletion("cp", ["-a", populated, dirs["full disk populated"]]);
    assert.equal(cp.exitCode, 0, cp.stderr);
  });

  after(async () => {
    await dns?.stop();
    silentDns?.close();
    for (const server of taken) server.close();
    taken = [];
    for (const target of mounts) await runToCompletion("umount", [target]);
  });

  const env = (datadir: string, extra: Record<string, string> = {}): Record<string, string> => ({
    MYSQL_ROOT_PASSWORD_FILE: join(secrets, "root"),
    XTRABACKUP_PASSWORD: "sst-pw",
    GALERA_PILOT_CLUSTER_SECRET: "cluster-secret",
    GALERA_PILOT_ADDRESS: "127.0.20.5",
    GALERA_PILOT_HEALTH_ADDRESS: "127.0.20.5",
    GALERA_PILOT_DATADIR: datadir,
    GALERA_PILOT_RUN_DIR: join(base, "run"),
    GALERA_PILOT_DNS_SERVER: dns.server,
    ...extra,
  });

  interface Case {
    name: string;
    args: string[];
    /** Extra environment; a function for values known only after before(). */
    env?: () => Record<string, string>;
    /** Variables to remove from the base environment. */
    unset?: string[];
    error: RegExp;
    exit: number;
    /** The datadirs to try: both kinds by default, or named datadir cases. */
    datadirs?: string[];
  }

  const cases: Case[] = [
    // Peers and discovery.
    {
      name: "an unresolvable peer name (NXDOMAIN)",
      args: ["node", "nosuch.service.dc1.consul"],
      error: /cannot resolve .*nosuch\.service\.dc1\.consul/,
      exit: 4,
    },
    {
      name: "a DNS server that never answers",
      args: ["node", "galera.service.dc1.consul"],
      env: () => ({ GALERA_PILOT_DNS_SERVER: "127.0.21.54:5353" }),
      error: /galera\.service\.dc1\.consul.*(timed out|timeout|no answer)/i,
      exit: 4,
    },
    { name: "a malformed host list", args: ["node", "127.0.20.3,,127.0.20.4"], error: /empty/i, exit: 2 },
    {
      name: "a Consul service that does not resolve",
      args: ["node"],
      env: () => ({ GALERA_PILOT_DISCOVERY: "consul-dns", GALERA_PILOT_CONSUL_SERVICE: "nosuch" }),
      error: /nosuch\.service\.consul/,
      exit: 4,
    },
    {
      name: "a port out of range in the host list",
      args: ["node", "127.0.20.3:99999"],
      error: /port/,
      exit: 2,
    },
    {
      name: "node without peers",
      args: ["node"],
      error: /node needs the peers/,
      exit: 2,
    },
    {
      name: "a malformed GALERA_PILOT_PEERS",
      args: ["seed"],
      env: () => ({ GALERA_PILOT_PEERS: "127.0.20.3,," }),
      error: /empty/i,
      exit: 2,
    },
    {
      name: "an unknown GALERA_PILOT_DISCOVERY",
      args: ["node"],
      env: () => ({ GALERA_PILOT_DISCOVERY: "zookeeper" }),
      error: /GALERA_PILOT_DISCOVERY "zookeeper" is not one of/,
      exit: 2,
    },
    {
      name: "a GALERA_PILOT_DNS_SERVER that is not an address",
      args: ["seed"],
      env: () => ({ GALERA_PILOT_DNS_SERVER: "dns.example" }),
      error: /DNS server "dns\.example" is not an address/,
      exit: 2,
    },
    // Arguments.
    {
      name: "an unknown option",
      args: ["--bogus", "seed"],
      error: /seed: unknown flag --bogus; known flags: --name /,
      exit: 2,
    },
    {
      name: "an option without its value",
      args: ["--port"],
      error: /seed\|node: --port needs a value/,
      exit: 2,
    },
    { name: "no mode", args: ["--name", "n1"], error: /missing mode: say seed or node/, exit: 2 },
    { name: "an unknown command", args: ["bootstrap"], error: /unknown command "bootstrap"/, exit: 2 },
    {
      name: "a stray argument for mariadbd",
      args: ["node", "127.0.20.3", "max-connections=5"],
      error: /unexpected argument "max-connections=5"/,
      exit: 2,
    },
    // Settings: every documented variable with a bad value.
    ...(
      [
        ["GALERA_PILOT_NAME", "my node", /GALERA_PILOT_NAME "my node" is not 1 to 64 letters/],
        ["GALERA_PILOT_ADDRESS", "db1.example", /GALERA_PILOT_ADDRESS "db1\.example" is not an IP address/],
        [
          "GALERA_PILOT_CLUSTER_NAME",
          "my cluster",
          /GALERA_PILOT_CLUSTER_NAME "my cluster" is not 1 to 64 letters/,
        ],
        ["GALERA_PILOT_DATADIR", "data", /GALERA_PILOT_DATADIR "data" is not an absolute path/],
        ["GALERA_PILOT_RUN_DIR", "run", /GALERA_PILOT_RUN_DIR "run" is not an absolute path/],
        ["GALERA_PILOT_PORT", "abc", /GALERA_PILOT_PORT "abc" is not a port number/],
        ["GALERA_PILOT_GALERA_PORT", "0", /GALERA_PILOT_GALERA_PORT "0" is not a port number/],
        ["GALERA_PILOT_IST_PORT", "70000", /GALERA_PILOT_IST_PORT "70000" is not a port number/],
        ["GALERA_PILOT_SST_PORT", "-1", /GALERA_PILOT_SST_PORT "-1" is not a port number/],
        ["GALERA_PILOT_HEALTH_PORT", "", /GALERA_PILOT_HEALTH_PORT "" is not a port number/],
        [
          "GALERA_PILOT_HEALTH_ADDRESS",
          "localhost",
          /GALERA_PILOT_HEALTH_ADDRESS "localhost" is not an IP address/,
        ],
        [
          "GALERA_PILOT_DURABILITY",
          "fast",
          /GALERA_PILOT_DURABILITY "fast" is not one of strict, process, seed/,
        ],
        [
          "GALERA_PILOT_SST_METHOD",
          "xtrabackup",
          /GALERA_PILOT_SST_METHOD "xtrabackup" is not one of mariabackup, rsync/,
        ],
        [
          "GALERA_PILOT_PROVIDER_OPTIONS",
          "gcache.size",
          /GALERA_PILOT_PROVIDER_OPTIONS item "gcache\.size" is not key=value/,
        ],
        ["GALERA_PILOT_PROVIDER_OPTIONS", "pc.recovery=false", /pc\.recovery is set by galera-pilot itself/],
        [
          "GALERA_PILOT_MYSQLD",
          "/usr/sbin/nosuch-mariadbd",
          /mariadbd \/usr\/sbin\/nosuch-mariadbd cannot be run/,
        ],
        [
          "GALERA_PILOT_GALERA_LIBRARY",
          "/usr/lib/galera/nosuch.so",
          /Galera library \/usr\/lib\/galera\/nosuch\.so \(wsrep_provider\) cannot be loaded \(no such file\)/,
        ],
        ["GALERA_PILOT_GALERA_LIBRARY", "/etc/passwd", /cannot be loaded \(not a shared library/],
        ["GALERA_PILOT_SERVER_USER", "nosuchuser", /the OS user "nosuchuser" .* does not exist/],
        [
          "GALERA_PILOT_STOP_TIMEOUT",
          "soon",
          /GALERA_PILOT_STOP_TIMEOUT "soon" is not a whole number of seconds/,
        ],
        [
          "GALERA_PILOT_FORCE_BOOTSTRAP_AFTER",
          "-5",
          /GALERA_PILOT_FORCE_BOOTSTRAP_AFTER "-5" is not a whole number of seconds/,
        ],
        ["GALERA_PILOT_DRAIN", "3s", /GALERA_PILOT_DRAIN "3s" is not a whole number of seconds/],
        [
          "GALERA_PILOT_SAMPLE_INTERVAL",
          "10",
          /GALERA_PILOT_SAMPLE_INTERVAL "10" is not a whole number of milliseconds from 100/,
        ],
        ["GALERA_PILOT_DONOR_AVAILABLE", "maybe", /GALERA_PILOT_DONOR_AVAILABLE "maybe" is not yes or no/],
        ["GALERA_PILOT_READ_ONLY_AVAILABLE", "2", /GALERA_PILOT_READ_ONLY_AVAILABLE "2" is not yes or no/],
        ["GALERA_PILOT_DASHBOARD", "on", /GALERA_PILOT_DASHBOARD "on" is not yes or no/],
        [
          "GALERA_PILOT_WRITER_HANDOVER",
          "soon",
          /GALERA_PILOT_WRITER_HANDOVER "soon" is not a whole number of milliseconds from 0 to 60000/,
        ],
        ["GALERA_PILOT_EVICT_DEAD", "sometimes", /GALERA_PILOT_EVICT_DEAD "sometimes" is not yes or no/],
        ["GALERA_PILOT_SYNCING_ANSWER", "200", /GALERA_PILOT_SYNCING_ANSWER "200" is not one of 100, 503/],
        ["GALERA_PILOT_SST_RATE_LIMIT", "fast", /GALERA_PILOT_SST_RATE_LIMIT "fast" is not bytes per second/],
        ["GALERA_PILOT_TLS_CA", "/etc/ssl/nosuch.pem", /TLS needs all three of GALERA_PILOT_TLS_CA/],
      ] as const
    ).map(([variable, value, error]): Case => ({
      name: `${variable}=${JSON.stringify(value)}`,
      args: ["seed"],
      env: () => ({ [variable]: value }),
      error,
      exit: 2,
    })),
    // TLS files.
    {
      name: "a TLS key that is not the certificate's",
      args: ["seed"],
      env: () => ({ ...pki.nodeEnv("n1"), GALERA_PILOT_TLS_KEY: pki.wrongCa.key }),
      error: /TLS key .* does not belong to the certificate/,
      exit: 2,
    },
    {
      name: "a TLS certificate of another CA",
      args: ["seed"],
      env: () => ({ ...pki.nodeEnv("n1"), GALERA_PILOT_TLS_CA: pki.wrongCa.cert }),
      error: /TLS certificate .* is not signed by the CA in/,
      exit: 2,
    },
    {
      name: "a TLS key that mysql cannot read",
      args: ["seed"],
      env: () => ({ ...pki.nodeEnv("n1"), GALERA_PILOT_TLS_KEY: pki.rootOnlyKey }),
      error: /TLS key .* cannot be read \(not readable by mysql, which mariadbd runs as\)/,
      exit: 2,
    },
    {
      name: "a TLS CA file that holds no certificate",
      args: ["seed"],
      env: () => ({ ...pki.nodeEnv("n1"), GALERA_PILOT_TLS_CA: pki.node("n1").key }),
      error: /TLS CA file .* holds no PEM certificate/,
      exit: 2,
    },
    // Secrets.
    {
      name: "an empty password file",
      args: ["seed"],
      env: () => ({ MYSQL_ROOT_PASSWORD_FILE: join(secrets, "empty") }),
      error: /MYSQL_ROOT_PASSWORD_FILE .* is empty/,
      exit: 2,
    },
    {
      name: "a root password file that does not exist",
      args: ["seed"],
      env: () => ({ MYSQL_ROOT_PASSWORD_FILE: join(secrets, "nosuch") }),
      error: /cannot read MYSQL_ROOT_PASSWORD_FILE .*nosuch: ENOENT/,
      exit: 2,
    },
    {
      name: "an SST password file that cannot be read (a directory)",
      args: ["seed"],
      env: () => ({ XTRABACKUP_PASSWORD_FILE: join(secrets, "a-directory") }),
      unset: ["XTRABACKUP_PASSWORD"],
      error: /cannot read XTRABACKUP_PASSWORD_FILE .*a-directory: not a regular file/,
      exit: 2,
    },
    {
      name: "both XTRABACKUP_PASSWORD and XTRABACKUP_PASSWORD_FILE",
      args: ["seed"],
      env: () => ({ XTRABACKUP_PASSWORD_FILE: join(secrets, "root") }),
      error: /both XTRABACKUP_PASSWORD and XTRABACKUP_PASSWORD_FILE are set/,
      exit: 2,
    },
    {
      name: "no SST password",
      args: ["seed"],
      unset: ["XTRABACKUP_PASSWORD"],
      error: /XTRABACKUP_PASSWORD is not set/,
      exit: 2,
    },
    {
      name: "an empty cluster secret",
      args: ["seed"],
      env: () => ({ GALERA_PILOT_CLUSTER_SECRET: "" }),
      error: /GALERA_PILOT_CLUSTER_SECRET is empty/,
      exit: 2,
    },
    {
      name: "MYSQL_USER without a password",
      args: ["seed"],
      env: () => ({ MYSQL_USER: "app" }),
      error: /MYSQL_USER and MYSQL_PASSWORD .* go together/,
      exit: 2,
    },
    // Ports.
    {
      name: "the SQL port already taken",
      args: ["seed"],
      env: () => ({ GALERA_PILOT_ADDRESS: address }),
      error: /SQL port 127\.0\.20\.2:3306 is already in use/,
      exit: 2,
    },
    {
      name: "the Galera port already taken",
      args: ["seed"],
      env: () => ({ GALERA_PILOT_ADDRESS: address, GALERA_PILOT_PORT: "3307" }),
      error: /Galera replication port 127\.0\.20\.2:4567 is already in use/,
      exit: 2,
    },
    {
      name: "the health port already taken",
      args: ["seed"],
      env: () => ({ GALERA_PILOT_HEALTH_ADDRESS: address }),
      error: /health port 127\.0\.20\.2:8080 is already in use/,
      exit: 2,
    },
    {
      name: "an address that is not on this machine",
      args: ["seed"],
      env: () => ({ GALERA_PILOT_ADDRESS: "192.0.2.10", GALERA_PILOT_HEALTH_ADDRESS: "127.0.20.5" }),
      error: /SQL port 192\.0\.2\.10:3306 cannot be bound: the address is not on this machine/,
      exit: 2,
    },
    // The datadir.
    {
      name: "a corrupt grastate.dat",
      args: ["seed"],
      datadirs: ["corrupt grastate.dat"],
      error: /grastate\.dat is unreadable or corrupt \(grastate\.dat has no uuid line\).*restore it/,
      exit: 3,
    },
    {
      name: "a zeroed grastate.dat",
      args: ["seed"],
      datadirs: ["zeroed grastate.dat"],
      error: /grastate\.dat is unreadable or corrupt \(grastate\.dat is zeroed \(128 NUL bytes\)/,
      exit: 3,
    },
    {
      name: "a seed with data but no grastate.dat and no peers",
      args: ["seed"],
      datadirs: ["missing grastate.dat"],
      error: /holds data but no grastate\.dat, so it has no Galera position.*would wait forever/,
      exit: 3,
    },
    {
      name: "a seed with data, an empty grastate.dat and no peers",
      args: ["seed"],
      datadirs: ["empty grastate.dat"],
      error: /holds data but an empty grastate\.dat/,
      exit: 3,
    },
    {
      name: "a corrupt gvwstate.dat",
      args: ["seed"],
      datadirs: ["corrupt gvwstate.dat"],
      error: /gvwstate\.dat is corrupt \(gvwstate\.dat has a malformed my_uuid/,
      exit: 3,
    },
    {
      name: "a datadir owned by another user",
      args: ["seed"],
      datadirs: ["wrong owner"],
      error: /is owned by uid 0, not by mysql .*run chown -R mysql:/,
      exit: 2,
    },
    {
      name: "a folder that is not a MariaDB datadir",
      args: ["seed"],
      datadirs: ["not a MariaDB datadir"],
      error: /holds files but no mysql\/ system schema/,
      exit: 3,
    },
    {
      name: "a datadir inside a folder mysql cannot enter",
      args: ["seed"],
      datadirs: ["inside a folder mysql cannot enter"],
      error:
        /datadir .*private\/data is inside .*private, which mysql .* cannot enter \(mode 700\).*chmod o\+x/,
      exit: 2,
    },
    {
      name: "a datadir that is a file",
      args: ["seed"],
      datadirs: ["a file"],
      error: /is not a directory/,
      exit: 2,
    },
    {
      name: "a read-only datadir",
      args: ["seed"],
      datadirs: ["read-only", "read-only absent"],
      error: /is on a read-only file system.*mount it read-write/,
      exit: 2,
    },
    {
      name: "a read-only run directory",
      args: ["seed"],
      env: () => ({ GALERA_PILOT_RUN_DIR: join(dirs["read-only"]!, "run") }),
      error: /run directory .* is on a read-only file system/,
      exit: 2,
    },
    {
      name: "a full disk",
      args: ["seed"],
      datadirs: ["full disk absent", "full disk populated"],
      error: /has \d+ MiB free, and this start needs \d+ MiB .*free some space/,
      exit: 2,
    },
  ];

  for (const c of cases) {
    for (const kind of c.datadirs ?? ["absent", "populated"]) {
      it(`when ${c.name} is given with the ${kind} datadir, then one line says so, exit ${c.exit}, and the datadir is untouched`, async () => {
        const datadir = kind === "absent" ? absent : kind === "populated" ? populated : dirs[kind]!;
        const before = fingerprint(datadir);
        const environment = env(datadir, c.env?.());
        for (const name of c.unset ?? []) delete environment[name];
        const result = await runCli(c.args, environment);
        const lines = errorLines(result);
        const out = process.env["GALERA_PILOT_CATALOGUE_OUT"];
        if (out)
          appendFileSync(out, JSON.stringify({ case: c.name, kind, exit: result.exitCode, lines }) + "\n");
        assert.equal(result.exitCode, c.exit, `exit ${c.exit}, got ${result.exitCode}:\n${result.stderr}`);
        assert.equal(lines.length, 1, `exactly one error line, got:\n${result.stderr}`);
        assert.match(lines[0]!, c.error);
        assert.match(lines[0]!, /nothing was (started|changed)/);
        assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
        assert.equal(fingerprint(datadir), before, "the datadir is byte-identical");
      });
    }
  }

  it("then the read-only datadir really refuses root's writes", async () => {
    const touch = await runToCompletion("touch", [join(dirs["read-only"]!, "probe")]);
    assert.notEqual(touch.exitCode, 0);
    assert.match(touch.stderr, /Read-only file system/);
  });
});
