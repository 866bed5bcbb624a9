/**
 * Marathon's own schema (v1.7.236 Group.json + AppDefinition.json, draft-04) as the tests compile
 * it: the validator rejects what Marathon rejected, starting with the 2015 post's galera.json.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";

import AjvDraft04 from "ajv-draft-04";

import {
  compileAppUpdateSchema,
  compileGroupSchema,
  marathonDetails,
  readReference,
  repairExecutorResources,
} from "../../../support/marathon-schema.js";

// The galera.json of the post "MariaDB Galera on a Mesos Cluster with Docker" (2015-03-04), verbatim.
const fixture = new URL("../../../../../test/fixtures/marathon/galera-2015.json", import.meta.url);
/** sha256 of the post's galera.json block, so the fixture is checked where the post is absent (CI). */
const postBlockSha256 = "dd6c5bed7794576f6feeaa409da246866cc6c72688b29f6b5858454abc6cae1b";
const seedPost = new URL("../../../../../../shared/seed/galera-on-mesos-marathon-docker.md", import.meta.url);

function postGaleraJson(): unknown {
  return JSON.parse(readFileSync(fixture, "utf8"));
}

void describe("Marathon's schema, compiled with Ajv in draft-04 mode", () => {
  const validate = compileGroupSchema();

  void it("keeps the 2015 post's galera.json verbatim (the block after 'Here is the galera.json')", (t) => {
    const text = readFileSync(fixture, "utf8");
    assert.equal(createHash("sha256").update(text).digest("hex"), postBlockSha256);
    if (!existsSync(seedPost)) {
      t.diagnostic("the seed post is not at ../shared/seed/: the fixture is checked by its sha256 only");
      return;
    }
    const post = readFileSync(seedPost, "utf8");
    const block =
      /Here is the `galera.json`, tested with Marathon 0\.8\.1rc2:\n\n```json\n([\s\S]*?)```/.exec(post)?.[1];
    assert.equal(text, block);
  });

  void it('rejects the 2015 post\'s galera.json: every hostPort is the string "0", and nothing else is wrong', () => {
    assert.equal(validate(postGaleraJson()), false);
    const details = marathonDetails(validate.errors);
    assert.deepEqual(details, [
      { path: "/groups(0)/apps(0)/container/docker/portMappings(0)/hostPort", errors: ["must be integer"] },
      { path: "/groups(0)/apps(0)/container/docker/portMappings(1)/hostPort", errors: ["must be integer"] },
      { path: "/groups(0)/apps(1)/container/docker/portMappings(0)/hostPort", errors: ["must be integer"] },
      { path: "/groups(0)/apps(1)/container/docker/portMappings(1)/hostPort", errors: ["must be integer"] },
    ]);
  });

  void it("accepts the same galera.json once hostPort is the integer 0", () => {
    const fixed = readFileSync(fixture, "utf8").replace(/"hostPort": "0"/g, '"hostPort": 0');
    assert.equal(validate(JSON.parse(fixed)), true, JSON.stringify(validate.errors));
  });

  void it("rejects ignoreHttp1XX (Marathon's field is ignoreHttp1xx)", () => {
    const fixed = readFileSync(fixture, "utf8").replace(/"hostPort": "0"/g, '"hostPort": 0');
    const wrongCase = JSON.parse(fixed.replace(/ignoreHttp1xx/g, "ignoreHttp1XX")) as unknown;
    assert.equal(validate(wrongCase), false);
    const details = marathonDetails(validate.errors);
    assert.equal(details.length, 2);
    for (const detail of details) {
      assert.match(detail.path, /^\/groups\(0\)\/apps\([01]\)\/healthChecks\(0\)$/);
      assert.deepEqual(detail.errors, ["must NOT have additional properties (ignoreHttp1XX)"]);
    }
  });

  void it("rejects a hostPort out of range, an unknown constraint operator and a bad group id", () => {
    const app = (extra: Record<string, unknown>): unknown => ({
      id: "/galera",
      apps: [{ id: "/galera/node", args: ["node"], ...extra }],
    });
    assert.equal(
      validate(
        app({
          container: {
            type: "DOCKER",
            docker: { image: "x" },
            portMappings: [{ containerPort: 1, hostPort: 70000 }],
          },
        }),
      ),
      false,
    );
    assert.equal(validate(app({ constraints: [["hostname", "UNIQ"]] })), false);
    assert.equal(validate({ id: "/Galera" }), false);
    assert.equal(validate(app({ cmd: "x" })), false, "cmd and args together");
  });

  void it("the executorResources defect: strict Ajv refuses the schema as published (unknown keyword cpus)", () => {
    const Ajv = AjvDraft04.default;
    const ajv = new Ajv({ strictTypes: false, strictTuples: false, logger: false });
    const app = JSON.parse(readReference("marathon-v1.7.236/AppDefinition.json")) as Record<string, unknown>;
    assert.throws(() => ajv.compile(app), /unknown keyword: "cpus"/);
  });

  void it("the repair checks executorResources' cpus/mem/disk as numbers ≥ 0, as their descriptions say", () => {
    const group = (executorResources: unknown): unknown => ({
      id: "/galera",
      apps: [{ id: "/galera/node", args: ["node"], executorResources }],
    });
    assert.equal(validate(group({ cpus: 0.1, mem: 32, disk: 10 })), true, JSON.stringify(validate.errors));
    assert.equal(validate(group({ cpus: -1 })), false);
    assert.equal(validate(group({ mem: "32" })), false);
    // Unchanged otherwise: the published schema has no additionalProperties there.
    assert.equal(validate(group({ gpus: 1 })), true);
    assert.deepEqual(repairExecutorResources({ type: "object", properties: {} }), {
      type: "object",
      properties: {},
    });
  });

  void it("checks Group.version as an RFC 3339 date-time", () => {
    assert.equal(validate({ id: "/galera", version: "2015-03-04T16:48:02.301Z" }), true);
    assert.equal(validate({ id: "/galera", version: "yesterday" }), false);
  });
});

void describe("an app update (PUT /v2/apps/{id}) against AppDefinition.json with every field optional", () => {
  const validate = compileAppUpdateSchema();
  const details = (body: unknown): { path: string; errors: string[] }[] => {
    assert.equal(validate(body), false, `${JSON.stringify(body)} should be refused`);
    return marathonDetails(validate.errors);
  };

  void it("accepts a scale without an id, and any app field (the app schema still requires an id)", () => {
    assert.equal(validate({ instances: 3 }), true, JSON.stringify(validate.errors));
    assert.equal(validate({ instances: 0 }), true);
    assert.equal(validate({ id: "/galera/node", instances: 5, cpus: 0.5, args: ["node"] }), true);
    assert.equal(compileGroupSchema()({ id: "/galera", apps: [{ instances: 3 }] }), false);
  });

  void it("refuses what Marathon refuses: a negative, fractional or string count, an unknown field, cmd with args", () => {
    assert.deepEqual(details({ instances: -1 }), [{ path: "/instances", errors: ["must be >= 0"] }]);
    assert.deepEqual(details({ instances: 1.5 }), [{ path: "/instances", errors: ["must be integer"] }]);
    assert.deepEqual(details({ instances: "3" }), [{ path: "/instances", errors: ["must be integer"] }]);
    assert.deepEqual(details({ instaces: 3 }), [
      { path: "/", errors: ["must NOT have additional properties (instaces)"] },
    ]);
    assert.deepEqual(details({ cmd: "x", args: ["y"] }), [{ path: "/", errors: ["must NOT be valid"] }]);
  });

  void it("keeps the executorResources repair", () => {
    assert.deepEqual(details({ executorResources: { cpus: -1 } }), [
      { path: "/executorResources/cpus", errors: ["must be >= 0"] },
    ]);
  });
});
