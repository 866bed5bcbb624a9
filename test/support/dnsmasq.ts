/**
 * A real dnsmasq (Debian's /usr/sbin/dnsmasq) on a loopback address, serving the given A/AAAA
 * and SRV records like Consul's DNS interface, for discovery tests. Every name outside the
 * given records is answered NXDOMAIN (`local=/#/`), as an authoritative server would, rather
 * than REFUSED. Several `host-record` lines for one name give that name several addresses
 * (checked against dnsmasq 2.90: a query returns all of them).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { Resolver } from "node:dns/promises";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { isIPv6 } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const dnsmasqPath = "/usr/sbin/dnsmasq";
export const defaultDnsmasqAddress = "127.0.53.1";
export const defaultDnsmasqPort = 5353;
/** How long dnsmasq has to answer its first query, and to exit after SIGTERM. */
const readyTimeoutMs = 5000;
const stopTimeoutMs = 2000;
const readyAddress = "127.0.0.1";

export interface SrvRecordSpec {
  /** e.g. `_galera._tcp.service.consul` */
  name: string;
  target: string;
  port: number;
  priority?: number;
  weight?: number;
}

export interface DnsmasqOptions {
  address?: string;
  port?: number;
  /** name → addresses; IPv4 addresses become A records, IPv6 ones AAAA records. */
  aRecords: Record<string, string[]>;
  srvRecords?: SrvRecordSpec[];
}

export interface RunningDnsmasq {
  /** `ADDR:PORT` (or `[ADDR]:PORT`), ready for Resolver.setServers. */
  server: string;
  /** dnsmasq's log so far (it logs every query), for failure messages. */
  log(): Promise<string>;
  stop(): Promise<void>;
}

export function dnsmasqConfig(
  address: string,
  port: number,
  options: DnsmasqOptions,
  readyName?: string,
): string {
  const lines = [
    "no-resolv",
    "no-hosts",
    "bind-interfaces",
    `listen-address=${address}`,
    `port=${port}`,
    // Answer NXDOMAIN for every name not configured here, instead of REFUSED (no upstream).
    "local=/#/",
    "log-queries",
  ];
  if (readyName !== undefined) lines.push(`host-record=${field(readyName)},${readyAddress}`);
  for (const [name, addresses] of Object.entries(options.aRecords)) {
    for (const ip of addresses) lines.push(`host-record=${field(name)},${field(ip)}`);
  }
  for (const srv of options.srvRecords ?? []) {
    const fields = [srv.name, srv.target, srv.port, srv.priority ?? 0, srv.weight ?? 0].map((value) =>
      field(String(value)),
    );
    lines.push(`srv-host=${fields.join(",")}`);
  }
  return lines.join("\n") + "\n";
}

function field(value: string): string {
  if (/[\s,#]/.test(value) || value === "") throw new Error(`dnsmasq record field ${JSON.stringify(value)}`);
  return value;
}

export async function startDnsmasq(options: DnsmasqOptions): Promise<RunningDnsmasq> {
  const address = options.address ?? defaultDnsmasqAddress;
  const port = options.port ?? defaultDnsmasqPort;
  const server = isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
  const dir = await mkdtemp(join(tmpdir(), "galera-pilot-dnsmasq-"));
  const configPath = join(dir, "dnsmasq.conf");
  const logPath = join(dir, "dnsmasq.log");
  // A name only this instance serves: an answer from another dnsmasq on the same port (one that
  // is still exiting, say) must not pass for this one's.
  const readyName = `ready-${randomUUID()}.galera-pilot.invalid`;
  await writeFile(configPath, dnsmasqConfig(address, port, options, readyName));

  const args = [
    "--keep-in-foreground",
    `--conf-file=${configPath}`,
    `--pid-file=${join(dir, "dnsmasq.pid")}`,
    `--log-facility=${logPath}`,
  ];
  // As root, dnsmasq would switch to the "dnsmasq" user, which may not be able to write the log.
  if (process.getuid?.() === 0) args.push("--user=root", "--group=root");
  const child = spawn(dnsmasqPath, args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", () => resolve({ code: null, signal: null }));
  });
  let running = true;
  void exited.then(() => (running = false));

  const log = async (): Promise<string> => {
    const text = await readFile(logPath, "utf8").catch(() => "");
    return text + stderr;
  };
  const stop = async (): Promise<void> => {
    await stopChild(child, exited, () => running);
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await waitUntilServing(server, readyName, () => running);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    const text = (await log()).trim();
    await stop();
    throw new Error(`dnsmasq on ${server} did not start: ${why}; its output: ${text || "(none)"}`);
  }
  return { server, log, stop };
}

/** Ready when the instance's own readiness name resolves, and it is still running. */
async function waitUntilServing(server: string, readyName: string, running: () => boolean): Promise<void> {
  const deadline = Date.now() + readyTimeoutMs;
  const resolver = new Resolver({ timeout: 200, tries: 1 });
  resolver.setServers([server]);
  let last = "no answer yet";
  for (;;) {
    if (!running()) throw new Error("it exited");
    try {
      const addresses = await resolver.resolve4(readyName);
      if (addresses.length === 1 && addresses[0] === readyAddress && running()) return;
      last = `answered ${addresses.join(" ")}`;
    } catch (error) {
      last = typeof error === "object" && error && "code" in error ? String(error.code) : String(error);
    }
    if (Date.now() > deadline)
      throw new Error(`${readyName} did not resolve within ${readyTimeoutMs} ms (${last})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stopChild(
  child: ChildProcess,
  exited: Promise<unknown>,
  running: () => boolean,
): Promise<void> {
  if (!running()) return;
  child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve();
    }, stopTimeoutMs);
  });
  await Promise.race([exited, killed]);
  clearTimeout(timer);
  await exited;
}
