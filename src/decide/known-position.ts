/**
 * Whether a node's position must be recovered with `mariadbd --wsrep-recover` (a full start of
 * InnoDB, about half a second to a second here), or is already known from `grastate.dat`.
 * Pure: the agent reads the file and acts on the answer.
 *
 * Galera writes seqno -1 into grastate.dat when its provider starts, before any write-set is
 * applied, and writes the real seqno back only on a clean shutdown. So a grastate.dat with a
 * real cluster UUID and a seqno ≥ 0 is the position InnoDB holds; only -1 (running, crashed,
 * or killed) leaves InnoDB as the sole truth. Pacemaker's galera agent decides the same way.
 */
import { ZERO_UUID, type Grastate, type Position } from "../model/galera-state.js";

export type KnownPosition =
  { known: true; position: Position; reason: string } | { known: false; reason: string };

/**
 * `transferCutShort` (last-start.ts): a state transfer into this datadir began and did not
 * complete. Whatever InnoDB holds then is no position of the cluster this node can vouch for
 * (rsync writes over the datadir file by file; mariabackup moves its files in at the end), so
 * the node reports the zero UUID, as Galera does, rejoins by a new transfer, and never
 * bootstraps; `--wsrep-recover` is not asked.
 */
export function knownPosition(
  grastate: Grastate | null,
  transferCutShort: string | null = null,
): KnownPosition {
  if (transferCutShort !== null) {
    return {
      known: true,
      position: { uuid: ZERO_UUID, seqno: -1 },
      reason: `(none held: ${transferCutShort}; the node rejoins by a new state transfer and never bootstraps)`,
    };
  }
  if (grastate === null) {
    return { known: false, reason: "no grastate.dat: --wsrep-recover reads the position from InnoDB" };
  }
  if (grastate.uuid === ZERO_UUID) {
    return {
      known: false,
      reason: "grastate.dat holds the zero UUID: --wsrep-recover reads the position from InnoDB",
    };
  }
  if (grastate.seqno < 0) {
    return {
      known: false,
      reason: `grastate.dat says seqno ${grastate.seqno} (mariadbd did not stop cleanly): --wsrep-recover reads the position from InnoDB`,
    };
  }
  return {
    known: true,
    position: { uuid: grastate.uuid, seqno: grastate.seqno },
    reason: "from grastate.dat, written by a clean shutdown: no --wsrep-recover needed",
  };
}
