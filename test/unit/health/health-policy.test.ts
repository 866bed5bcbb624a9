import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Phase } from "../../../src/model/phase.js";
import {
  defaultHealthOptions,
  healthAnswers,
  type HealthOptions,
} from "../../../src/health/health-policy.js";

type Row = [Phase, boolean | null, boolean, Partial<HealthOptions>, [number, number, number, number]];

/** The health table of docs/http-api.md, row by row: [phase, readOnly, elected writer, options, [/, /ready, /live, /writer]]. */
const table: Row[] = [
  ["synced", false, true, {}, [200, 200, 200, 200]],
  ["synced", false, false, {}, [200, 200, 200, 503]],
  ["synced", true, true, {}, [503, 503, 200, 503]],
  ["synced", true, true, { availableWhenReadOnly: true }, [200, 200, 200, 200]],
  ["synced", null, false, {}, [503, 503, 200, 503]],
  ["synced", null, true, { availableWhenReadOnly: true }, [503, 503, 200, 503]],
  ["donor", false, true, {}, [200, 200, 200, 503]],
  ["donor", false, false, { availableWhenDonor: false }, [503, 503, 200, 503]],
  ["preparing", null, false, {}, [100, 503, 200, 503]],
  ["waiting", null, false, {}, [100, 503, 200, 503]],
  ["starting", null, false, {}, [100, 503, 200, 503]],
  ["starting", null, false, { syncingCode: 503 }, [503, 503, 200, 503]],
  ["non-primary", false, true, {}, [503, 503, 200, 503]],
  ["desynced", false, false, {}, [503, 503, 200, 503]],
  ["backing-up", false, true, {}, [503, 503, 200, 503]],
  [
    "backing-up",
    false,
    false,
    { availableWhenDonor: true, availableWhenReadOnly: true },
    [503, 503, 200, 503],
  ],
  ["server-down", null, false, {}, [503, 503, 200, 503]],
  ["draining", false, true, {}, [503, 503, 200, 503]],
  ["stopping", false, false, {}, [503, 503, 200, 503]],
  ["refused", null, false, {}, [503, 503, 200, 503]],
];

describe("healthAnswers", () => {
  for (const [phase, readOnly, writer, options, expected] of table) {
    it(`${phase}${readOnly ? ", read-only" : ""}${writer ? ", elected" : ""} ${JSON.stringify(options)} → ${expected.join(" ")}`, () => {
      const a = healthAnswers({ phase, readOnly, writer }, { ...defaultHealthOptions, ...options });
      assert.deepEqual([a.root, a.ready, a.live, a.writer], expected);
    });
  }
});
