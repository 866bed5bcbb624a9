import { join } from "node:path";

/** The SST user's name; its password is XTRABACKUP_PASSWORD (the seed's variable). */
export const sstUserName = "sst";

/** Paths inside the agent's run directory. */
export function runPaths(runDir: string): {
  config: string;
  socket: string;
  pidFile: string;
  stateTransferMarker: string;
  recoveryRecord: string;
} {
  return {
    config: join(runDir, "my.cnf"),
    socket: join(runDir, "mysqld.sock"),
    pidFile: join(runDir, "mysqld.pid"),
    // Written before a joiner starts, removed once it is Synced: a datadir left half-filled by
    // a failed state transfer is then known as ours (src/mysqld/datadir.ts).
    stateTransferMarker: join(runDir, "state-transfer-pending"),
    // The agent's own recovery, kept across a restart of the agent (recovery-record-file.ts).
    recoveryRecord: join(runDir, "recovery-record.json"),
  };
}
