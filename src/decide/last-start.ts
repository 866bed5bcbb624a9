/**
 * What a datadir says about how mariadbd's last start on it ended, read before the next one:
 * whether a state transfer into it was cut short, and whether the primary view Galera saved
 * in gvwstate.dat is one this node was synced in. Pure: the agent gathers the evidence and
 * acts on the verdict (removes a void gvwstate.dat, reports no position for a cut-short
 * transfer, never runs `--wsrep-recover` to find one).
 *
 * Why it matters (docs/recovery.md, "A join cut short"): a joiner left alone in the primary
 * component by peers that stopped cleanly gets a gvwstate.dat that lists only itself. Had that
 * view counted, the node would have restored a primary alone on its next start — from the
 * zero position Galera keeps during a state transfer, which starts a new cluster — while its
 * peers held the newest data of the real one.
 */
import { ZERO_UUID, type Grastate } from "../model/galera-state.js";

/**
 * The agent's join record: written before every start of mariadbd that is not a bootstrap,
 * removed once the node is Synced. It holds gvwstate.dat as it was at that start, so that a
 * view Galera saved during a start that never synced can be told from one saved before.
 */
export interface JoinRecord {
  /** gvwstate.dat's text at that start; null = there was none; "unknown" = a record without it. */
  gvwstateAtStart: string | null | "unknown";
}

export interface LastStartEvidence {
  /** grastate.dat, parsed; null when absent or 0 bytes. */
  grastate: Grastate | null;
  /** grastate.dat exists with 0 bytes. */
  grastateEmpty: boolean;
  /** The datadir holds the files of a state transfer but no mysql/ schema, and the agent's marker says it was filling it. */
  transferLeftovers: boolean;
  /** mariabackup's SST marker `sst_in_progress` is in the datadir. */
  sstInProgress: boolean;
  /** The join record of mariadbd's last start, when it never reached Synced; null when there is none. */
  joinRecord: JoinRecord | null;
  /** gvwstate.dat's text now; null when absent. */
  gvwstate: string | null;
}

export interface LastStartVerdict {
  /** Why a state transfer into this datadir is known to have been cut short; null when none was. */
  transferCutShort: string | null;
  /** Why gvwstate.dat's view must not be used for Galera's pc.recovery; null when it stands or is absent. */
  voidView: string | null;
}

/**
 * The rules, each a fact Galera or the SST scripts leave on disk:
 * - Galera writes the zero UUID into grastate.dat before it asks for a state snapshot (SST) and
 *   the received one only once the snapshot is in: a zero UUID in a datadir that ran Galera is
 *   a snapshot that never arrived. An empty grastate.dat, mariabackup's `sst_in_progress`, or
 *   a datadir of transfer files without a mysql/ schema say the same.
 * - Galera saves every primary view it installs, a joiner's too. A view saved during a start
 *   that never reached Synced — the join record is there and gvwstate.dat changed since the
 *   start — lists a node that held no state of that primary: pc.recovery must not restore it.
 */
export function judgeLastStart(evidence: LastStartEvidence): LastStartVerdict {
  const transferCutShort = cutShortTransfer(evidence);
  if (evidence.gvwstate === null) return { transferCutShort, voidView: null };
  if (transferCutShort !== null) {
    return {
      transferCutShort,
      voidView: `${transferCutShort}, so the primary view saved in gvwstate.dat is one this node held no data in`,
    };
  }
  const record = evidence.joinRecord;
  if (record !== null && record.gvwstateAtStart !== evidence.gvwstate) {
    const since =
      record.gvwstateAtStart === "unknown"
        ? "and Galera may have saved gvwstate.dat during it"
        : "and Galera saved gvwstate.dat during it";
    return {
      transferCutShort,
      voidView: `mariadbd's last start never reached Synced ${since}, so that primary view is one this node held no synced state in`,
    };
  }
  return { transferCutShort, voidView: null };
}

function cutShortTransfer(evidence: LastStartEvidence): string | null {
  if (evidence.transferLeftovers) {
    return "the datadir holds the files of a state transfer this agent began, and no mysql/ schema: the transfer was cut short";
  }
  if (evidence.sstInProgress) {
    return "an sst_in_progress file is in the datadir: a state transfer into it was cut short";
  }
  if (evidence.grastateEmpty) {
    return "grastate.dat is empty, as a state transfer that was cut short leaves it";
  }
  if (evidence.grastate?.uuid === ZERO_UUID) {
    return "grastate.dat holds the zero UUID, which Galera writes before a state transfer and replaces once it completes: a transfer was cut short, or the node never joined a cluster";
  }
  return null;
}
