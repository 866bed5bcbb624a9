// `galera-pilot restore --to-time T | --to-gtid G | --to-latest --datadir DIR [--from ID]`:
// a datadir holding the cluster as it was at a point (docs/point-in-time.md). The work is
// agent/point-restore.ts's, which the agents use too (GALERA_PILOT_RESTORE_TO); this prints.
import { restoreToPoint, type RestoreToPointArgs } from "../agent/point-restore.js";
import { ExitCode } from "../errors.js";
import type { Catalog } from "./backup-catalog.js";

export async function restoreToPointCommand(catalog: Catalog, args: RestoreToPointArgs): Promise<number> {
  const done = await restoreToPoint(catalog, args, (line) => console.log(line));
  const holds =
    done.last === null
      ? `with no transaction replayed: it holds the cluster up to ${done.domain}-…-${done.backupSeqno}`
      : `with ${done.replayed} archived transactions replayed: it holds the cluster up to ${done.domain}-…-${done.last.seqno}, committed ${done.last.committedAt}`;
  console.log(
    `backup ${done.backup} is restored into ${args.datadir} ${holds}; start a new cluster from it: its node as seed, the others join it`,
  );
  return ExitCode.ok;
}
