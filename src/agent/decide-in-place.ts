// While mariadbd runs outside any primary component, the agent decides with its peers as a
// stopped node would (docs/recovery.md), on its live position, so that the survivor of a
// majority crash takes part in the recovery. Most often there is nothing to do: its peers,
// back with the same gvwstate.dat view, await Galera's pc.recovery, which restores the
// primary with this node as it runs. When the decision names this node to bootstrap, it does
// so in place. A short stay outside a primary (a view change, a brief partition) is left to Galera.
import { setTimeout as sleep } from "node:timers/promises";
import type { RecoveryDecision } from "../decide/recovery-decision.js";
import type { Logger } from "../logger.js";

/** mariadbd outside a primary this long has its agent decide with the peers (Galera's own view changes are shorter). */
export const outsidePrimaryGraceMs = 3_000;

export interface InPlaceContext {
  /** Since when mariadbd has answered outside any primary component, or null. */
  outsidePrimarySince(): number | null;
  /** The last sample says mariadbd runs outside a primary (live-position.ts). */
  runningOutsidePrimary(now: number): boolean;
  /** This run's own bootstrap intent is withdrawn (recovery-turn.ts: withdrawnInPlace). */
  withdraw(): void;
  /** One recovery turn with mariadbd running; null when the watch ended meanwhile. */
  turn(waitingSince: number, cancelled: () => boolean): Promise<RecoveryDecision | null>;
  /** Galera's pc.bootstrap on the running mariadbd. */
  bootstrapInPlace(): Promise<void>;
  intervalMs: number;
  log: Logger;
}

/** Decides in place every interval until cancelled (at the end of the run of mariadbd). */
export function decideInPlace(ctx: InPlaceContext): { cancel: () => void } {
  let cancelled = false;
  const tick = async (): Promise<void> => {
    const now = Date.now();
    const since = ctx.outsidePrimarySince();
    if (since === null || !ctx.runningOutsidePrimary(now)) return ctx.withdraw();
    if (now - since < outsidePrimaryGraceMs) return;
    const decision = await ctx.turn(since, () => cancelled);
    if (decision?.action === "bootstrap-in-place") await ctx.bootstrapInPlace();
  };
  let lastFailure = "";
  void (async () => {
    while (!cancelled) {
      try {
        await tick();
        lastFailure = "";
      } catch (error) {
        // Said once per new failure, not every round.
        const message = (error as Error).message;
        if (message !== lastFailure) {
          ctx.log.warn(
            `deciding outside a primary component failed (${message}); mariadbd keeps running as it is; trying again`,
          );
        }
        lastFailure = message;
      }
      await sleep(ctx.intervalMs);
    }
  })();
  return { cancel: () => (cancelled = true) };
}
