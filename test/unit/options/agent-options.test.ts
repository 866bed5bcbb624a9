import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAgentOptions } from "../../../src/options/agent-options.js";
import { BadInputError } from "../../../src/errors.js";

const secrets = {
  MYSQL_ROOT_PASSWORD: "rootpw",
  XTRABACKUP_PASSWORD: "sstpw",
  GALERA_PILOT_CLUSTER_SECRET: "cs",
};

function badInput(argv: string[], env: Record<string, string>, pattern: RegExp): void {
  assert.throws(
    () => parseAgentOptions(argv, env),
    (error: unknown) => {
      assert.ok(error instanceof BadInputError, `expected BadInputError, got ${String(error)}`);
      assert.match(error.message, pattern);
      assert.ok(!error.message.includes("\n"), "the error is one line");
      return true;
    },
  );
}

describe("parseAgentOptions", () => {
  it("reads the seed's command line: seed and mariadbd arguments", () => {
    const o = parseAgentOptions(["seed", "--max-connections=50"], {
      ...secrets,
      GALERA_PILOT_ADDRESS: "10.0.0.5",
    });
    assert.equal(o.mode, "seed");
    assert.deepEqual(o.hosts, []);
    assert.deepEqual(o.mysqldArgs, ["--max-connections=50"]);
    assert.equal(o.address, "10.0.0.5");
    assert.equal(o.durability, "strict");
    assert.equal(o.sstMethod, "mariabackup");
    assert.deepEqual(o.ports, { mysql: 3306, galera: 4567, ist: 4568, sst: 4444, health: 8080 });
    assert.equal(o.rootPassword.reveal(), "rootpw");
  });

  it("reads node HOSTS and passes the rest to mariadbd unchanged", () => {
    const o = parseAgentOptions(["node", "172.17.0.81,172.17.0.97:4567", "--any-mysql-argument-you-like"], {
      ...secrets,
      GALERA_PILOT_ADDRESS: "172.17.0.99",
    });
    assert.equal(o.mode, "node");
    assert.equal(o.hosts.length, 2);
    assert.deepEqual(o.mysqldArgs, ["--any-mysql-argument-you-like"]);
  });

  it("takes the peers from GALERA_PILOT_PEERS for node without hosts, and for a seed", () => {
    const env = { ...secrets, GALERA_PILOT_ADDRESS: "10.0.0.1", GALERA_PILOT_PEERS: "10.0.0.2,10.0.0.3" };
    assert.equal(parseAgentOptions(["node"], env).hosts.length, 2);
    assert.equal(parseAgentOptions(["seed"], env).hosts.length, 2);
    assert.equal(
      parseAgentOptions(["node", "10.0.0.9"], env).hosts.length,
      1,
      "hosts on the command line win",
    );
    assert.equal(
      parseAgentOptions(["--force-bootstrap-after=300", "seed"], env).forceBootstrapAfterMs,
      300_000,
    );
    assert.equal(parseAgentOptions(["seed"], env).forceBootstrapAfterMs, null);
  });

  it("uses the discovery backend GALERA_PILOT_DISCOVERY names, and then needs no host list", () => {
    const env = { ...secrets, GALERA_PILOT_ADDRESS: "10.0.0.1", GALERA_PILOT_DISCOVERY: "consul-dns" };
    const o = parseAgentOptions(["node"], env);
    assert.deepEqual(o.hosts, []);
    assert.match(o.discovery!.describe(), /galera\.service\.consul/);
    assert.equal(
      parseAgentOptions(["node", "10.0.0.2"], { ...secrets, GALERA_PILOT_ADDRESS: "10.0.0.1" }).discovery,
      null,
    );
  });

  it("lets a flag win over its environment variable", () => {
    const o = parseAgentOptions(["--durability=process", "--port", "3310", "--address=127.0.0.9", "seed"], {
      ...secrets,
      GALERA_PILOT_DURABILITY: "seed",
      GALERA_PILOT_PORT: "3307",
    });
    assert.equal(o.durability, "process");
    assert.equal(o.ports.mysql, 3310);
  });

  it("waits the rendered HAProxy checks' handover before claiming the writer role, unless told otherwise", () => {
    const env = { ...secrets, GALERA_PILOT_ADDRESS: "127.0.0.9" };
    assert.equal(parseAgentOptions(["seed"], env).writerHandoverMs, 750);
    assert.equal(parseAgentOptions(["--writer-handover=2500", "seed"], env).writerHandoverMs, 2500);
    assert.equal(
      parseAgentOptions(["seed"], { ...env, GALERA_PILOT_WRITER_HANDOVER: "0" }).writerHandoverMs,
      0,
    );
    badInput(["--writer-handover=soon", "seed"], env, /writer-handover|writerHandover/);
  });

  it("evicts dead members unless told not to", () => {
    const env = { ...secrets, GALERA_PILOT_ADDRESS: "127.0.0.9" };
    assert.equal(parseAgentOptions(["seed"], env).evictDead, true);
    assert.equal(parseAgentOptions(["--evict-dead=no", "seed"], env).evictDead, false);
    assert.equal(parseAgentOptions(["seed"], { ...env, GALERA_PILOT_EVICT_DEAD: "no" }).evictDead, false);
    badInput(["--evict-dead=maybe", "seed"], env, /evict-dead|evictDead/);
  });

  it("backs up on two zstd threads at nice 19 unless told otherwise, and refuses what is not a choice", () => {
    const env = { ...secrets, GALERA_PILOT_ADDRESS: "127.0.0.9" };
    assert.deepEqual(parseAgentOptions(["seed"], env).backupCpu, { threads: 2, lowPriority: true });
    assert.deepEqual(
      parseAgentOptions(["--backup-threads=4", "seed"], { ...env, GALERA_PILOT_BACKUP_PRIORITY: "normal" })
        .backupCpu,
      { threads: 4, lowPriority: false },
    );
    badInput(["--backup-threads=0", "seed"], env, /^seed: --backup-threads .*0.*; nothing was started$/);
    badInput(["seed"], { ...env, GALERA_PILOT_BACKUP_THREADS: "17" }, /GALERA_PILOT_BACKUP_THREADS .*17/);
    badInput(
      ["seed"],
      { ...env, GALERA_PILOT_BACKUP_PRIORITY: "high" },
      /GALERA_PILOT_BACKUP_PRIORITY .*high/,
    );
  });

  it("never shows a secret when the options are printed", () => {
    const o = parseAgentOptions(["--address=127.0.0.9", "seed"], secrets);
    const printed = JSON.stringify(o) + String(o.rootPassword) + `${o.sstPassword}`;
    assert.ok(!printed.includes("rootpw") && !printed.includes("sstpw"));
  });

  it("reads secrets from _FILE, dropping one trailing newline", (t) => {
    const dir = mkdtempSync(join(tmpdir(), "gp-secret-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, "root"), "from-file\n");
    const o = parseAgentOptions(["--address=127.0.0.9", "seed"], {
      MYSQL_ROOT_PASSWORD_FILE: join(dir, "root"),
      XTRABACKUP_PASSWORD: "x",
      GALERA_PILOT_CLUSTER_SECRET: "cs",
    });
    assert.equal(o.rootPassword.reveal(), "from-file");
  });

  it("rejects bad input with one line naming the problem", (t) => {
    const dir = mkdtempSync(join(tmpdir(), "gp-secret-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, "empty"), "");
    const env = { ...secrets, GALERA_PILOT_ADDRESS: "127.0.0.9" };
    badInput([], env, /missing mode/);
    badInput(["primary"], env, /unknown mode "primary"/);
    badInput(["node"], env, /node needs the peers/);
    badInput(["node", "--wsrep-foo"], env, /node needs the peers/);
    badInput(["node", "a,,b"], env, /empty/i);
    badInput(
      ["--bogus", "seed"],
      env,
      /^seed: unknown flag --bogus; known flags: --name --address .* --syncing-answer; nothing was started$/,
    );
    badInput(["--port=70000", "seed"], env, /--port "70000" is not a port number from 1 to 65535/);
    badInput(["--durability=fast", "seed"], env, /--durability "fast" is not one of strict, process, seed/);
    badInput(
      ["--sst-method=xtrabackup", "seed"],
      env,
      /--sst-method "xtrabackup" is not one of mariabackup, rsync/,
    );
    badInput(["--address=not-an-ip", "seed"], { ...secrets }, /--address "not-an-ip" is not an IP address/);
    badInput(["seed", "stray"], env, /unexpected argument "stray"/);
    badInput(
      ["seed"],
      { GALERA_PILOT_ADDRESS: "127.0.0.9", XTRABACKUP_PASSWORD: "x" },
      /MYSQL_ROOT_PASSWORD is not set/,
    );
    badInput(
      ["seed"],
      {
        ...env,
        MYSQL_ROOT_PASSWORD: undefined as unknown as string,
        MYSQL_ROOT_PASSWORD_FILE: join(dir, "empty"),
      },
      /MYSQL_ROOT_PASSWORD_FILE .* is empty/,
    );
    badInput(
      ["seed"],
      {
        ...env,
        MYSQL_ROOT_PASSWORD: undefined as unknown as string,
        MYSQL_ROOT_PASSWORD_FILE: join(dir, "missing"),
      },
      /cannot read MYSQL_ROOT_PASSWORD_FILE/,
    );
    badInput(
      ["seed"],
      { ...env, MYSQL_ROOT_PASSWORD_FILE: join(dir, "empty") },
      /both MYSQL_ROOT_PASSWORD and/,
    );
    badInput(["seed"], { ...env, MYSQL_USER: "app" }, /MYSQL_USER and MYSQL_PASSWORD/);
    badInput(["--cluster-name=a b", "seed"], env, /--cluster-name "a b" is not 1 to 64 letters, digits/);
    badInput(["--force-bootstrap-after=soon", "seed"], env, /whole number/);
    badInput(["node"], env, /node needs the peers: .* or GALERA_PILOT_PEERS/);
    badInput(["--provider-options=novalue", "seed"], env, /key=value/);
  });
});

describe("parseAgentOptions: TLS", () => {
  it("reads the three TLS files from flags or variables", () => {
    const o = parseAgentOptions(["--tls-ca", "/p/ca.pem", "seed"], {
      ...secrets,
      GALERA_PILOT_TLS_CERT: "/p/n1.pem",
      GALERA_PILOT_TLS_KEY: "/p/n1.key",
    });
    assert.deepEqual(o.tls, { ca: "/p/ca.pem", cert: "/p/n1.pem", key: "/p/n1.key" });
    assert.equal(parseAgentOptions(["seed"], secrets).tls, null);
  });

  it("refuses some but not all of them", () => {
    badInput(["seed"], { ...secrets, GALERA_PILOT_TLS_KEY: "/p/n1.key" }, /TLS needs all three .* got 1/);
  });
});

describe("parseAgentOptions: the peer API key without GALERA_PILOT_CLUSTER_SECRET (the 2015 post's commands)", () => {
  const base = {
    MYSQL_ROOT_PASSWORD: "root-pw",
    XTRABACKUP_PASSWORD: "sst-pw",
    GALERA_PILOT_ADDRESS: "127.0.0.1",
  };
  const parsed = (env: Record<string, string>) => parseAgentOptions(["seed"], env);

  it("is derived from the SST password, which every node shares: the same on every node, never the password itself", () => {
    const a = parsed(base);
    const b = parsed({ ...base, GALERA_PILOT_NAME: "other-node" });
    assert.equal(a.clusterSecretDerived, true);
    assert.equal(a.clusterSecret.reveal(), b.clusterSecret.reveal());
    assert.match(a.clusterSecret.reveal(), /^[0-9a-f]{64}$/);
    assert.ok(!a.clusterSecret.reveal().includes("sst-pw"));
  });

  it("differs with another SST password or another cluster name", () => {
    const key = parsed(base).clusterSecret.reveal();
    assert.notEqual(parsed({ ...base, XTRABACKUP_PASSWORD: "sst-pw2" }).clusterSecret.reveal(), key);
    assert.notEqual(parsed({ ...base, GALERA_PILOT_CLUSTER_NAME: "other" }).clusterSecret.reveal(), key);
  });

  it("an explicit secret still wins", () => {
    const options = parsed({ ...base, GALERA_PILOT_CLUSTER_SECRET: "explicit" });
    assert.equal(options.clusterSecretDerived, false);
    assert.equal(options.clusterSecret.reveal(), "explicit");
  });
});

describe("parseAgentOptions: the backup schedule (GALERA_PILOT_BACKUP_SCHEDULE)", () => {
  const env = {
    ...secrets,
    GALERA_PILOT_ADDRESS: "10.0.0.5",
    GALERA_PILOT_BACKUP_DESTINATION: "/srv/backups",
  };
  const refusal = (argv: string[], given: Record<string, string>): string => {
    try {
      parseAgentOptions(argv, given);
    } catch (error) {
      assert.ok(error instanceof BadInputError, `expected BadInputError, got ${String(error)}`);
      return error.message;
    }
    assert.fail("the schedule should be refused");
  };

  it("is none when unset, and read in UTC from the variable or the flag, which wins", () => {
    assert.equal(parseAgentOptions(["seed"], env).backupSchedule, null);
    const daily = parseAgentOptions(["seed"], { ...env, GALERA_PILOT_BACKUP_SCHEDULE: "0 2 * * *" });
    assert.equal(daily.backupSchedule?.expression, "0 2 * * *");
    assert.equal(
      daily.backupSchedule?.nextSlot(Date.parse("2026-12-06T21:00:00Z")),
      Date.parse("2026-12-07T02:00:00Z"),
    );
    const flagged = parseAgentOptions(["--backup-schedule", "*/5 * * * *", "seed"], {
      ...env,
      GALERA_PILOT_BACKUP_SCHEDULE: "0 2 * * *",
    });
    assert.equal(flagged.backupSchedule?.expression, "*/5 * * * *");
  });

  it("allows any frequency, every minute too", () => {
    const minutely = parseAgentOptions(["seed"], { ...env, GALERA_PILOT_BACKUP_SCHEDULE: "* * * * *" });
    assert.equal(minutely.backupSchedule?.expression, "* * * * *");
  });

  it("refuses a bad expression in one line naming the variable, the value, what is wrong and an example", () => {
    assert.equal(
      refusal(["seed"], { ...env, GALERA_PILOT_BACKUP_SCHEDULE: "0 25 * * *" }),
      'seed: GALERA_PILOT_BACKUP_SCHEDULE "0 25 * * *" is not a backup schedule: its hour field "25" is refused (Constraint error, got value 25 expected range 0-23); give five cron fields in UTC (minute hour day-of-month month day-of-week), e.g. "0 2 * * *" for 02:00 UTC every day; nothing was started',
    );
    assert.equal(
      refusal(["--backup-schedule=@daily", "node", "10.0.0.6"], env),
      'node: --backup-schedule "@daily" is not a backup schedule: it has 1 field, not 5 (a seconds field, and names like @daily, are not read); give five cron fields in UTC (minute hour day-of-month month day-of-week), e.g. "0 2 * * *" for 02:00 UTC every day; nothing was started',
    );
  });

  it("refuses a schedule without a destination, in one line", () => {
    assert.equal(
      refusal(["seed"], {
        ...secrets,
        GALERA_PILOT_ADDRESS: "10.0.0.5",
        GALERA_PILOT_BACKUP_SCHEDULE: "0 2 * * *",
      }),
      'seed: GALERA_PILOT_BACKUP_SCHEDULE "0 2 * * *" is set but GALERA_PILOT_BACKUP_DESTINATION is not, and the scheduled backups would have nowhere to go; set it too, on every agent alike (a shared folder or s3://bucket/prefix), e.g. GALERA_PILOT_BACKUP_DESTINATION=/srv/backups; nothing was started',
    );
  });
});
