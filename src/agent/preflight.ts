import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  statfsSync,
  statSync,
  type Stats,
} from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { BadInputError } from "../errors.js";
import type { OsUser } from "../mysqld/os-user.js";
import type { TlsFiles } from "../mysqld/server-config.js";

/**
 * Checks that a TCP port can be bound, before anything is written: a port taken by another
 * process would otherwise fail mariadbd half-way through a start.
 */
export function checkPortFree(address: string, port: number, purpose: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => {
      const why =
        error.code === "EADDRINUSE"
          ? "is already in use by another process"
          : error.code === "EADDRNOTAVAIL"
            ? "cannot be bound: the address is not on this machine"
            : `cannot be bound (${error.code ?? error.message})`;
      reject(
        new BadInputError(
          `${purpose} port ${address}:${port} ${why}; nothing was started and the datadir was not touched; stop the other process or choose another port/address`,
        ),
      );
    });
    server.listen({ host: address, port, exclusive: true }, () => server.close(() => resolve()));
  });
}

const untouched = "nothing was started and the datadir was not touched";

/** mariadbd must be an executable file; the Galera library a readable shared object. */
export function checkServerFiles(mysqldPath: string, galeraLibrary: string): void {
  try {
    if (!statSync(mysqldPath).isFile()) throw new Error("not a regular file");
    accessSync(mysqldPath, constants.X_OK);
  } catch (error) {
    throw new BadInputError(
      `mariadbd ${mysqldPath} cannot be run (${reasonOf(error)}); ${untouched}; install mariadb-server or set GALERA_PILOT_MYSQLD`,
    );
  }
  try {
    if (!statSync(galeraLibrary).isFile()) throw new Error("not a regular file");
    const head = Buffer.alloc(4);
    const fd = openSync(galeraLibrary, "r");
    try {
      readSync(fd, head, 0, 4, 0);
    } finally {
      closeSync(fd);
    }
    if (!head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46])))
      throw new Error("not a shared library (no ELF header)");
  } catch (error) {
    throw new BadInputError(
      `the Galera library ${galeraLibrary} (wsrep_provider) cannot be loaded (${reasonOf(error)}); ${untouched}; install galera-4 or set GALERA_PILOT_GALERA_LIBRARY`,
    );
  }
}

/** A program on PATH, or null. */
export function findOnPath(program: string): string | null {
  for (const dir of (process.env["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
    const path = join(dir || ".", program);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // next
    }
  }
  return null;
}

/**
 * The TLS files mariadbd (as the server's user) and the SST scripts will read: each a
 * readable PEM file, the key that of the certificate, the certificate issued by the CA and
 * valid now. Galera would otherwise fail at its first connection, in its own words.
 */
export function checkTlsFiles(tls: TlsFiles, serverUser: OsUser, now = new Date()): void {
  const read = (path: string, what: string, setting: string): string => {
    let text: string;
    try {
      const stat = statSync(path);
      if (!stat.isFile()) throw new Error("not a regular file");
      if (!readableBy(stat, serverUser)) {
        throw new Error(`not readable by ${serverUser.name}, which mariadbd runs as`);
      }
      text = readFileSync(path, "utf8");
    } catch (error) {
      throw new BadInputError(
        `TLS ${what} ${path} cannot be read (${reasonOf(error)}); ${untouched}; point ${setting} at a PEM file that ${serverUser.name} can read (chown ${serverUser.name}: or chmod 0640 with group ${serverUser.name})`,
      );
    }
    return text;
  };
  const caText = read(tls.ca, "CA file", "GALERA_PILOT_TLS_CA");
  const certText = read(tls.cert, "certificate", "GALERA_PILOT_TLS_CERT");
  const keyText = read(tls.key, "key", "GALERA_PILOT_TLS_KEY");

  const cas = pemBlocks(caText, "CERTIFICATE").flatMap((pem) => {
    try {
      return [new X509Certificate(pem)];
    } catch {
      return [];
    }
  });
  if (cas.length === 0) {
    throw new BadInputError(
      `TLS CA file ${tls.ca} holds no PEM certificate; ${untouched}; point GALERA_PILOT_TLS_CA at the CA certificate (BEGIN CERTIFICATE)`,
    );
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certText);
  } catch (error) {
    throw new BadInputError(
      `TLS certificate ${tls.cert} is not a PEM certificate (${reasonOf(error)}); ${untouched}; point GALERA_PILOT_TLS_CERT at this node's certificate`,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyText);
  } catch (error) {
    throw new BadInputError(
      `TLS key ${tls.key} is not an unencrypted PEM private key (${reasonOf(error)}); ${untouched}; point GALERA_PILOT_TLS_KEY at this node's key, without a passphrase`,
    );
  }
  if (!cert.checkPrivateKey(key)) {
    throw new BadInputError(
      `TLS key ${tls.key} does not belong to the certificate ${tls.cert}; ${untouched}; give the key the certificate was made for`,
    );
  }
  if (!cas.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey))) {
    throw new BadInputError(
      `TLS certificate ${tls.cert} (${cert.subject.replace(/\n/g, ", ")}) is not signed by the CA in ${tls.ca}; ${untouched}; the peers would refuse it: give a certificate issued by the cluster's CA`,
    );
  }
  const from = new Date(cert.validFrom);
  const to = new Date(cert.validTo);
  if (now < from || now > to) {
    throw new BadInputError(
      `TLS certificate ${tls.cert} is valid from ${from.toISOString()} to ${to.toISOString()}, not now; ${untouched}; renew it`,
    );
  }
}

function pemBlocks(text: string, label: string): string[] {
  const pattern = new RegExp(`-----BEGIN ${label}-----[\\s\\S]*?-----END ${label}-----`, "g");
  return text.match(pattern) ?? [];
}

/** Permission bits as the kernel applies them to a user other than root. */
function readableBy(stat: Stats, user: OsUser): boolean {
  if (user.uid === 0) return true;
  if (stat.uid === user.uid) return (stat.mode & 0o400) !== 0;
  if (stat.gid === user.gid) return (stat.mode & 0o040) !== 0;
  return (stat.mode & 0o004) !== 0;
}

/** The datadir (or, when absent, the folder it would be created in) must accept writes. */
export function checkWritable(path: string, what: string, setting: string): void {
  let existing = path;
  while (!existsSync(existing)) {
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  try {
    accessSync(existing, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "EROFS"
        ? "is on a read-only file system"
        : code === "EPERM" || code === "EACCES"
          ? "refuses writes (immutable or not writable)"
          : `cannot be written (${code ?? reasonOf(error)})`;
    throw new BadInputError(
      `${what} ${path}${existing === path ? "" : ` (its parent ${existing})`} ${why}; ${untouched}; mount it read-write or point ${setting} elsewhere`,
    );
  }
}

/**
 * mariadbd runs as the server's user: every existing folder above the datadir and the run
 * directory must let that user through (x), or mariadb-install-db and mariadbd fail half-way
 * (a datadir under /root, a 0700 state folder).
 */
export function checkTraversable(path: string, what: string, setting: string, user: OsUser): void {
  let dir = dirname(path);
  const blocked: string[] = [];
  for (;;) {
    if (existsSync(dir)) {
      const stat = statSync(dir);
      const bit =
        user.uid === 0 ? 0o111 : stat.uid === user.uid ? 0o100 : stat.gid === user.gid ? 0o010 : 0o001;
      if ((stat.mode & bit) === 0) blocked.push(dir);
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  const top = blocked.at(-1);
  if (top !== undefined) {
    throw new BadInputError(
      `${what} ${path} is inside ${top}, which ${user.name} (the user mariadbd runs as) cannot enter (mode ${(statSync(top).mode & 0o777).toString(8)}); ${untouched}; run chmod o+x ${top}, or point ${setting} elsewhere`,
    );
  }
}

/** MiB */
const MiB = 1024 * 1024;
/** What mariadb-install-db writes (measured: 114 MiB with the 96 MiB redo log of 10.11), rounded up. */
export const initialisedDatadirBytes = 128 * MiB;
/** Galera's default gcache.size, preallocated as galera.cache in the datadir. */
export const defaultGcacheBytes = 128 * MiB;
/** Room for the first writes, temporary files and grastate.dat. */
export const spareBytes = 32 * MiB;

/** Galera's size syntax: 128M, 1G, 512K, or bytes. */
export function parseGaleraSize(text: string): number | null {
  const match = /^(\d+)([kKmMgGtT]?)$/.exec(text.trim());
  if (!match) return null;
  const unit = { "": 1, k: 1024, m: MiB, g: 1024 * MiB, t: 1024 * 1024 * MiB }[
    (match[2] ?? "").toLowerCase() as "" | "k" | "m" | "g" | "t"
  ];
  return Number(match[1]) * unit;
}

/**
 * Free space where the datadir lives must hold what the start will write: the system tables
 * of an empty datadir, and Galera's preallocated gcache when galera.cache is not there yet.
 * A full disk would otherwise fail mariadb-install-db or mariadbd half-way.
 */
export function checkFreeSpace(
  datadir: string,
  facts: { empty: boolean; gcachePresent: boolean },
  gcacheBytes: number,
): void {
  let existing = datadir;
  while (!existsSync(existing)) existing = dirname(existing);
  const fs = statfsSync(existing);
  const free = fs.bavail * fs.bsize;
  const needed =
    (facts.empty ? initialisedDatadirBytes : 0) + (facts.gcachePresent ? 0 : gcacheBytes) + spareBytes;
  if (free < needed) {
    const parts = [
      facts.empty ? `${initialisedDatadirBytes / MiB} MiB for the system tables` : null,
      facts.gcachePresent ? null : `${Math.ceil(gcacheBytes / MiB)} MiB for Galera's gcache`,
      `${spareBytes / MiB} MiB spare`,
    ].filter(Boolean);
    throw new BadInputError(
      `the file system of datadir ${datadir} has ${Math.floor(free / MiB)} MiB free, and this start needs ${Math.ceil(needed / MiB)} MiB (${parts.join(", ")}); ${untouched}; free some space or give the volume more`,
    );
  }
}

function reasonOf(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e?.code === "ENOENT") return "no such file";
  if (e?.code === "EACCES") return "permission denied";
  if (e?.code === "EISDIR") return "a directory";
  return e instanceof Error ? e.message.replace(/\s+/g, " ") : String(error);
}
