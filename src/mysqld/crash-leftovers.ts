import { chownSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Removes what a crash leaves in a datadir that would stop the next start (docs/recovery.md, "When it runs"), and
 * says what it removed. Only called while no mariadbd runs on the datadir (the agent is its
 * parent and checked the pid file):
 * - an empty gvwstate.dat: Galera refuses to start on it ("failed to parse gvwstate");
 * - a stale sst_in_progress or wsrep_sst.pid: the SST scripts take them for a live transfer.
 */
export function removeCrashLeftovers(datadir: string): string[] {
  const removed: string[] = [];
  const gvwstate = join(datadir, "gvwstate.dat");
  if (existsSync(gvwstate) && readFileSync(gvwstate, "utf8").trim() === "") {
    rmSync(gvwstate);
    removed.push("an empty gvwstate.dat");
  }
  for (const name of ["sst_in_progress", "wsrep_sst.pid"]) {
    const path = join(datadir, name);
    if (existsSync(path) && statSync(path).isFile()) {
      rmSync(path);
      removed.push(`a stale ${name}`);
    }
  }
  return removed;
}

/**
 * Marks grastate.dat safe to bootstrap, as an operator would by hand after choosing this
 * node: Galera refuses --wsrep-new-cluster on `safe_to_bootstrap: 0`. Called only after the
 * recovery decision chose this node (highest seqno of its cluster, every member heard from).
 */
export function markSafeToBootstrap(datadir: string): boolean {
  const path = join(datadir, "grastate.dat");
  if (!existsSync(path)) return false;
  const text = readFileSync(path, "utf8");
  if (/^safe_to_bootstrap:\s*1\s*$/m.test(text)) return false;
  const updated = /^safe_to_bootstrap:/m.test(text)
    ? text.replace(/^safe_to_bootstrap:.*$/m, "safe_to_bootstrap: 1")
    : `${text.replace(/\n?$/, "\n")}safe_to_bootstrap: 1\n`;
  writeFileSync(path, updated);
  return true;
}

/**
 * Writes grastate.dat from the position `--wsrep-recover` read from InnoDB, when a crash left
 * the datadir without the file. Galera takes its state from grastate.dat and uses the start
 * position only when the UUIDs match: without the file it would take this node for one that
 * never joined — a full state transfer to rejoin, a new cluster if bootstrapped. Written as
 * Galera writes it while running (seqno -1, not safe to bootstrap), owned by the server's user.
 */
export function writeGrastateFromPosition(
  datadir: string,
  position: { uuid: string; seqno: number },
  owner: { uid: number; gid: number },
): void {
  const path = join(datadir, "grastate.dat");
  const text = `# GALERA saved state\nversion: 2.1\nuuid:    ${position.uuid}\nseqno:   -1\nsafe_to_bootstrap: 0\n`;
  writeFileSync(path, text, { mode: 0o660, flag: "wx" });
  chownSync(path, owner.uid, owner.gid);
}
