import { ServerFailedError } from "../errors.js";
import { runToCompletion, lastLines } from "../process/child-exit.js";
import { parseRecoveredPosition } from "./recovered-position.js";
import type { RecoveredPosition } from "../model/galera-state.js";

/**
 * Runs `mariadbd --wsrep-recover` to learn the last committed position from InnoDB (the only
 * truth after a crash, when grastate.dat says seqno -1). --skip-networking: without it the
 * recovery run opens the SQL port, and would fail where another server holds it.
 */
export async function recoverPosition(
  mysqldPath: string,
  configFile: string,
  serverUser: string,
): Promise<RecoveredPosition> {
  const result = await runToCompletion(mysqldPath, [
    `--defaults-file=${configFile}`,
    `--user=${serverUser}`,
    "--wsrep-recover",
    "--skip-networking",
    "--disable-log-error",
  ]);
  const log = result.stderr + result.stdout;
  const position = parseRecoveredPosition(log);
  if (result.exitCode !== 0 || position === null) {
    throw new ServerFailedError(
      `mariadbd --wsrep-recover failed (exit ${result.exitCode ?? result.signal}): ${lastLines(log)}; the datadir was not changed by galera-pilot; read the lines above, fix the cause, and start again`,
    );
  }
  return position;
}
