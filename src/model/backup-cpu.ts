/**
 * How hard a backup may use its node's CPU (GALERA_PILOT_BACKUP_THREADS and
 * GALERA_PILOT_BACKUP_PRIORITY): zstd's threads, and whether mariabackup and zstd run at the
 * lowest priority, so that a busy database keeps its speed and the backup takes what is left.
 */
export interface BackupCpu {
  /** zstd's compression threads. */
  threads: number;
  /** mariabackup and zstd at nice 19 (true), or at the agent's own priority. */
  lowPriority: boolean;
}

/** Two threads: on two cores, about twice one thread's speed on an idle node (BENCHMARKS.md). */
export const defaultBackupCpu: BackupCpu = { threads: 2, lowPriority: true };
