// Everything a start of mariadbd decides from, before the first decision: crash leftovers
// removed, the config written, a datadir of another cluster refused while untouched, the
// position known (from grastate.dat, or InnoDB's word through `mariadbd --wsrep-recover`).
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { knownPosition } from "../decide/known-position.js";
import { judgeLastStart } from "../decide/last-start.js";
import type { PeerEndpoint } from "../discovery/discovery.js";
import type { Logger } from "../logger.js";
import { ZERO_UUID, type RecoveredPosition } from "../model/galera-state.js";
import type { NodeReport } from "../model/peer-report.js";
import { removeCrashLeftovers, writeGrastateFromPosition } from "../mysqld/crash-leftovers.js";
import type { DatadirFacts } from "../mysqld/datadir.js";
import type { OsUser } from "../mysqld/os-user.js";
import { recoverPosition } from "../mysqld/wsrep-recover.js";
import type { AgentOptions } from "../options/agent-options.js";
import { readGvwstateText, readJoinRecord } from "./join-record.js";
import { inspect, writeServerConfig } from "./prepare-node.js";
import { runPaths } from "./run-paths.js";

/** What the preparation needs of the agent around it. */
export interface PreparationContext {
  options: AgentOptions;
  serverUser: OsUser;
  log: Logger;
  /** The datadir was empty at this start and the node has not been synced since. */
  fresh: boolean;
  peers(): PeerEndpoint[];
  gather(peers: readonly PeerEndpoint[]): Promise<NodeReport[]>;
  /** What the datadir and the position are as far as known: the agent's own report says them. */
  learned(datadir: DatadirFacts, recovered: RecoveredPosition | null): void;
  /** Throws when the recovery rules refuse this start from these reports, before InnoDB is touched. */
  refuseEarly(reports: NodeReport[], peers: readonly PeerEndpoint[]): void;
}

/**
 * Prepares a start; returns the peers' reports when they are no older than the position.
 * `justAsked`: the peers' reports if they were gathered an instant ago (the agent's first
 * start), else they are asked here.
 */
export async function prepareStart(
  ctx: PreparationContext,
  justAsked?: NodeReport[],
): Promise<NodeReport[] | null> {
  const { options, serverUser, log } = ctx;
  const found = inspect(options, serverUser);
  // How the last start ended, read before the crash leftovers (sst_in_progress among them) go.
  const lastStart = judgeLastStart({
    grastate: found.grastate,
    grastateEmpty: found.grastateEmpty,
    transferLeftovers: !found.empty && !existsSync(join(options.datadir, "mysql")),
    sstInProgress: existsSync(join(options.datadir, "sst_in_progress")),
    joinRecord: readJoinRecord(options.runDir, options.datadir),
    gvwstate: readGvwstateText(options.datadir),
  });
  if (lastStart.voidView !== null) {
    // Before mariadbd can read it: Galera would restore that view by itself.
    rmSync(join(options.datadir, "gvwstate.dat"), { force: true });
    log.warn(
      `removed gvwstate.dat: ${lastStart.voidView}; recovery compares the nodes' positions instead of letting Galera restore that view`,
    );
  }
  for (const leftover of removeCrashLeftovers(options.datadir))
    log.info(`removed ${leftover} left by a crash`);
  let datadir = inspect(options, serverUser);
  const peers = ctx.peers();
  writeServerConfig(options, serverUser, peers);
  // Before --wsrep-recover touches InnoDB: a datadir of another cluster is refused as it was
  // found. grastate.dat's UUID is enough to tell (its seqno may still be unknown).
  const grastate = datadir.grastate;
  ctx.learned(datadir, grastate ? { uuid: grastate.uuid, seqno: grastate.seqno, gtid: null } : null);
  let reports: NodeReport[] | null = null;
  if (grastate && !ctx.fresh) {
    reports = justAsked ?? (await ctx.gather(peers));
    ctx.refuseEarly(reports, peers);
  }
  // After a clean shutdown grastate.dat holds the position; only seqno -1 needs InnoDB's word.
  const known = knownPosition(grastate, lastStart.transferCutShort);
  let recovered: RecoveredPosition;
  if (known.known) {
    recovered = { ...known.position, gtid: null };
  } else {
    log.info(`recovering the position: ${known.reason}`);
    recovered = await recoverPosition(options.mysqldPath, runPaths(options.runDir).config, serverUser.name);
    // The peers' answers above are older than a full mariadbd start: ask again.
    reports = null;
    if (!datadir.grastateEmpty && grastate === null && recovered.uuid !== ZERO_UUID && recovered.seqno >= 0) {
      writeGrastateFromPosition(options.datadir, recovered, serverUser);
      datadir = inspect(options, serverUser);
      log.info(
        `wrote grastate.dat from the recovered position (cluster ${recovered.uuid}): without it Galera would take this node for one that never joined a cluster`,
      );
    }
  }
  ctx.learned(datadir, recovered);
  log.info(
    `recovered position ${recovered.uuid}:${recovered.seqno} ${known.known ? known.reason : "with --wsrep-recover"}`,
  );
  return reports;
}
