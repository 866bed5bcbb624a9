import { join } from "node:path";

/** The SST user's name; its password is XTRABACKUP_PASSWORD (the seed's variable). */
export const sstUserName = "sst";

/** Paths inside the agent's run directory. */
export function runPaths(runDir: string): { config: string; socket: string; pidFile: string } {
  return {
    config: join(runDir, "my.cnf"),
    socket: join(runDir, "mysqld.sock"),
    pidFile: join(runDir, "mysqld.pid"),
  };
}
