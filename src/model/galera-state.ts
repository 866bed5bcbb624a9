/**
 * Galera's state as the rooms pass it around: a position, what grastate.dat says (parsed in
 * src/mysqld/grastate.ts), what `mariadbd --wsrep-recover` printed (parsed in
 * src/mysqld/recovered-position.ts).
 */

/** A Galera position: the cluster state UUID and the last committed seqno. */
export interface Position {
  uuid: string;
  /** -1 = unknown (a crash left grastate.dat without it and --wsrep-recover did not run yet). */
  seqno: number;
}

/** grastate.dat, parsed (src/mysqld/grastate.ts). */
export interface Grastate {
  /** The file format version ("2.1"); "" when the file has no version line (Galera ignores it too). */
  version: string;
  /** The cluster state UUID, lower case. */
  uuid: string;
  /** -1 while the server runs or after a crash: then only `--wsrep-recover` knows the position. */
  seqno: number;
  safeToBootstrap: boolean;
}

/** The UUID of a node that never joined a cluster (and of a fresh `--wsrep-recover`). */
export const ZERO_UUID = "00000000-0000-0000-0000-000000000000";

/** The position `mariadbd --wsrep-recover` printed (src/mysqld/recovered-position.ts). */
export interface RecoveredPosition {
  /** The cluster state UUID, lower case. */
  uuid: string;
  /** -1 when InnoDB holds no Galera position (fresh datadir). */
  seqno: number;
  /** MariaDB's "domain-server-seqno" when wsrep_gtid_mode is on, else null. */
  gtid: string | null;
}
