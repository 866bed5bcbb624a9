/**
 * Marathon's own JSON schema (v1.7.236, the last release that published one), compiled with Ajv
 * in draft-04 mode as Marathon itself validated it (fge json-schema-validator, draft-04). The
 * schema files are read from test/fixtures/marathon-reference/ (a copy of the project's
 * shared/reference/marathon/, PROVENANCE.md there), or from GALERA_PILOT_MARATHON_REFERENCE.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import AjvDraft04, { type ErrorObject, type ValidateFunction } from "ajv-draft-04";

// A CommonJS module seen from NodeNext: its `default` export is on the module object.
const Ajv = AjvDraft04.default;

/** dist/test/support → the repository's test/fixtures. */
export const marathonReferenceDir =
  process.env["GALERA_PILOT_MARATHON_REFERENCE"] ??
  fileURLToPath(new URL("../../../test/fixtures/marathon-reference/", import.meta.url));

const schemaBase =
  "https://raw.githubusercontent.com/mesosphere/marathon/master/docs/docs/rest-api/public/api/v2/schema/";

export function readReference(relativePath: string): string {
  return readFileSync(join(marathonReferenceDir, relativePath), "utf8");
}

/**
 * Group.json with AppDefinition.json registered where Group.json's `$ref: ./AppDefinition.json`
 * points (relative to Group.json's draft-04 `id`).
 */
export function compileGroupSchema(version = "marathon-v1.7.236"): ValidateFunction {
  const group = JSON.parse(readReference(`${version}/Group.json`)) as Record<string, unknown>;
  const ajv = draft04Ajv();
  ajv.addSchema(appDefinitionSchema(version), `${schemaBase}AppDefinition.json`);
  return ajv.compile(group);
}

/**
 * The body of `PUT /v2/apps/{id}` (an app update, e.g. `{"instances": 3}`). Marathon publishes no
 * AppUpdate schema: its RAML `App` type carries `(pragma.generateUpdateType)`, which generates
 * the sibling AppUpdate with every field of App optional (types/pragma.raml). So the update is
 * AppDefinition.json (executorResources repaired) without its top-level `required: ["id"]`;
 * every field, `additionalProperties: false` and the cmd/args exclusion are checked as for an app.
 */
export function compileAppUpdateSchema(version = "marathon-v1.7.236"): ValidateFunction {
  const app = appDefinitionSchema(version);
  if (JSON.stringify(app["required"]) !== JSON.stringify(["id"]))
    throw new Error(
      `${version}/AppDefinition.json: expected required ["id"], found ${JSON.stringify(app["required"])}`,
    );
  delete app["required"];
  return draft04Ajv().compile(app);
}

function appDefinitionSchema(version: string): Record<string, unknown> {
  const app = JSON.parse(readReference(`${version}/AppDefinition.json`)) as {
    properties: Record<string, Record<string, unknown>>;
  } & Record<string, unknown>;
  app.properties["executorResources"] = repairExecutorResources(app.properties["executorResources"] ?? {});
  return app;
}

function draft04Ajv(): InstanceType<typeof Ajv> {
  const ajv = new Ajv({
    allErrors: true,
    // strictSchema stays on: an unknown keyword is an error. The two checks below only warn
    // about how the schema is written (a `command` with `items` but no `type`, 3-tuple
    // `constraints`); they never change what validates.
    strictTypes: false,
    strictTuples: false,
  });
  // Marathon's validator checked `format: date-time` (Group.version); Ajv knows no formats
  // without ajv-formats, so RFC 3339 date-time is given here rather than ignored.
  ajv.addFormat("date-time", rfc3339DateTime);
  return ajv;
}

/**
 * The schema's defect: `executorResources` declares `cpus`, `mem` and `disk` directly under the
 * object schema, not under `properties`. Draft-04 ignores unknown keywords (so Marathon's own
 * validator never checked them) and Ajv's strict mode refuses to compile them ("unknown keyword:
 * cpus"). The repair moves the three into `properties`, as their descriptions intend: the three
 * fields are now checked (numbers ≥ 0) and nothing else of the schema changes.
 */
export function repairExecutorResources(schema: Record<string, unknown>): Record<string, unknown> {
  const { cpus, mem, disk, properties, ...rest } = schema;
  if (properties !== undefined || (cpus === undefined && mem === undefined && disk === undefined))
    return schema;
  return { ...rest, properties: { cpus, mem, disk } };
}

const rfc3339DateTime =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

/** Ajv's errors as Marathon writes its 422 details: `/apps(0)/container` and the messages. */
export function marathonDetails(
  errors: ErrorObject[] | null | undefined,
): { path: string; errors: string[] }[] {
  const byPath = new Map<string, string[]>();
  for (const error of errors ?? []) {
    const path = error.instancePath.replace(/\/(\d+)(?=\/|$)/g, "($1)") || "/";
    const extra =
      error.keyword === "additionalProperties"
        ? ` (${(error.params as { additionalProperty: string }).additionalProperty})`
        : error.keyword === "enum"
          ? ` (${(error.params as { allowedValues: unknown[] }).allowedValues.join(", ")})`
          : "";
    byPath.set(path, [...(byPath.get(path) ?? []), `${error.message ?? error.keyword}${extra}`]);
  }
  return [...byPath].map(([path, messages]) => ({ path, errors: messages }));
}
