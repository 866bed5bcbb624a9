import { it } from "node:test";

/**
 * Steps of a scenario that share one cluster: `step` is `it` that remembers whether any
 * step failed, so the suite's `after` can print the runner's events only when they help.
 */
export function failureAwareSteps(): {
  step(name: string, fn: () => Promise<void>): void;
  failed(): boolean;
} {
  let failed = false;
  return {
    step: (name, fn) =>
      void it(name, async () => {
        try {
          await fn();
        } catch (error) {
          failed = true;
          throw error;
        }
      }),
    failed: () => failed,
  };
}
