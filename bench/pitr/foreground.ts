// Part 2 of the pitr benchmark: sysbench oltp_write_only through HAProxy with the cluster's
// archiver running, against the same with every agent restarted with GALERA_PILOT_ARCHIVE=no.
// Rounds alternate which side runs first; the archive is switched by a rolling restart of
// the agents (their datadirs kept) and checked on every agent's GET /status before a window.
import { electedWriter } from "../harness/bench-cluster.js";
import { progress } from "../harness/progress.js";
import { repeatOnceOnFailure, rotated } from "../harness/rounds.js";
import { globalValue, viewCounter } from "../harness/sql.js";
import { measureSysbench } from "../harness/sysbench.js";
import { syncDisks } from "../backup/common.js";
import {
  confirmArchive,
  dataset,
  load,
  nodeNamed,
  switchArchive,
  waitAllSynced,
  type ArchiveSide,
  type Context,
  type ForegroundRun,
  warmUpSeconds,
} from "./common.js";

const sides: readonly ArchiveSide[] = ["on", "off"];

export async function measureForeground(
  ctx: Context,
  rounds: number,
  state: { archive: ArchiveSide },
  switches: { to: ArchiveSide; seconds: number }[],
): Promise<ForegroundRun[]> {
  const runs: ForegroundRun[] = [];
  let position = 0;
  for (let round = 1; round <= rounds; round++) {
    for (const side of rotated(sides, round - 1)) {
      if (state.archive !== side) {
        const switched = await switchArchive(ctx, side);
        state.archive = side;
        switches.push({ to: side, seconds: switched.seconds });
        // A switch restarts every mariadbd: the side after it would run on cold buffer pools
        // (measured: 70 % of the other side's tps without this, 98 % in the round it ran first).
        await waitAllSynced(ctx);
        await ctx.writerUp();
        progress(`warm-up after the switch: oltp_write_only through HAProxy for ${warmUpSeconds} s`);
        await measureSysbench(ctx.b.stateDir, ctx.router, "oltp_write_only", {
          ...dataset,
          ...load,
          seconds: warmUpSeconds,
        });
      }
      const what = `round ${round} oltp_write_only, archive ${side}`;
      const record = await repeatOnceOnFailure(
        what,
        async (): Promise<ForegroundRun> => {
          await waitAllSynced(ctx);
          await ctx.writerUp();
          const archiver = await confirmArchive(ctx, side);
          const writer = nodeNamed(ctx, await electedWriter(ctx.b.cluster));
          syncDisks();
          const confBefore = await viewCounter(writer.socket);
          const pausesBefore = Number(await globalValue(writer.socket, "STATUS", "wsrep_flow_control_recv"));
          const result = await measureSysbench(ctx.b.stateDir, ctx.router, "oltp_write_only", {
            ...dataset,
            ...load,
          });
          const confAfter = await viewCounter(writer.socket);
          const pausesAfter = Number(await globalValue(writer.socket, "STATUS", "wsrep_flow_control_recv"));
          return {
            ...result,
            archive: side,
            round,
            position: 0,
            archiver,
            viewChanges: confAfter - confBefore,
            flowControlPauses: pausesAfter - pausesBefore,
          };
        },
        (error) => ctx.noteFailure(what, error),
        ctx.writerUp,
      );
      record.position = ++position;
      runs.push(record);
      progress(
        `${what}: ${record.tps.toFixed(1)} tps, p95 ${record.latencyP95Ms} ms${record.archiver === null ? "" : `, ${record.archiver} archiving`}`,
      );
    }
  }
  return runs;
}
