/**
 * The import rules of src/ (docs/architecture.md, Import rules) are checked by dependency-cruiser
 * with .dependency-cruiser.cjs, by the command `npm run lint:imports` runs. These tests run that
 * command on the real tree, which must be clean, and on a small tree with one violation of each
 * rule, which must fail with exactly those violations.
 */
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const depcruise = join(root, "node_modules", "dependency-cruiser", "bin", "dependency-cruise.mjs");

/** The command `npm run lint:imports` runs, as package.json spells it. */
const lintCommand = (
  JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }
).scripts["lint:imports"];

function runLint(cwd: string): { status: number | null; output: string } {
  assert.ok(lintCommand, 'package.json has a "lint:imports" script');
  const run = spawnSync("sh", ["-c", lintCommand], {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      PATH: `${join(root, "node_modules", ".bin")}${delimiter}${process.env["PATH"] ?? ""}`,
    },
  });
  return { status: run.status, output: run.stdout + run.stderr };
}

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

/** The violations of a tree, from dependency-cruiser's JSON report with the same config. */
function violations(cwd: string): string[] {
  const run = spawnSync(
    process.execPath,
    [depcruise, "src", "--config", ".dependency-cruiser.cjs", "--output-type", "json"],
    { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout) as { summary: { violations: Violation[] } };
  return report.summary.violations
    .map((v) => `${v.rule.name}: ${v.from} → ${v.to.replace(/^.*\/node_modules\//, "node_modules/")}`)
    .sort();
}

/** One violation of each rule, beside imports the rules allow. */
const fixture: Record<string, string> = {
  // The pure core: no I/O module, no I/O package, no room outside the core.
  "src/decide/d.ts":
    'import { readFileSync } from "node:fs";\nimport { m } from "../mysqld/m.js";\nexport const d = [readFileSync, m];\n',
  "src/health/h.ts": 'import type { Connection } from "mysql2/promise";\nexport type H = Connection;\n',
  // The pure core's npm packages: valibot (the wire types' schemas) and no other.
  "src/model/v.ts":
    'import * as v from "valibot";\nimport { parse } from "yaml";\nexport const checked = [v.string(), parse];\n',
  // model/ sits below decide/: a type-only import counts.
  "src/model/w.ts": 'import type { D } from "../decide/types.js";\nexport type W = D;\n',
  "src/decide/types.ts": "export type D = number;\n",
  // Adapters on one line never import each other; deploy/marathon and deploy/kubernetes neither.
  "src/discovery/a.ts": 'import { b } from "../peer-api/b.js";\nexport const a = b;\n',
  "src/peer-api/b.ts": "export const b = 1;\n",
  "src/mysqld/m.ts": 'import { r } from "../router/r.js";\nexport const m = r;\n',
  "src/router/r.ts": 'import { s } from "../system/s.js";\nexport const r = s;\n',
  "src/deploy/marathon/m.ts": 'import { k } from "../kubernetes/k.js";\nexport const m = k;\n',
  "src/deploy/kubernetes/k.ts": 'import { r } from "../../router/r.js";\nexport const k = r;\n',
  // Upward: system/ sits below the adapters and the programs.
  "src/system/s.ts": "export const s = 1;\n",
  "src/system/up.ts": 'import { x } from "../agent/x.js";\nexport const up = x;\n',
  "src/agent/x.ts":
    'import { m } from "../mysqld/m.js";\nimport { b } from "../peer-api/b.js";\nexport const x = [m, b];\n',
  // A cycle inside one room.
  "src/local/a.ts": 'import { b } from "./b.js";\nexport const a = () => b;\n',
  "src/local/b.ts": 'import { a } from "./a.js";\nexport const b = () => a;\n',
  // A folder that is no room.
  "src/newroom/n.ts": 'import { E } from "../errors.js";\nexport const n = E;\n',
  "src/errors.ts": "export class E extends Error {}\n",
};

const expected = [
  "no-circular: src/local/a.ts → src/local/b.ts",
  "no-sideways-import: src/deploy/marathon/m.ts → src/deploy/kubernetes/k.ts",
  "no-sideways-import: src/discovery/a.ts → src/peer-api/b.ts",
  "no-sideways-import: src/mysqld/m.ts → src/router/r.ts",
  "no-unknown-room: src/newroom/n.ts → src/errors.ts",
  "no-upward-import: src/decide/d.ts → src/mysqld/m.ts",
  "no-upward-import: src/model/w.ts → src/decide/types.ts",
  "no-upward-import: src/system/up.ts → src/agent/x.ts",
  "pure-core-imports-core: src/decide/d.ts → src/mysqld/m.ts",
  "pure-core-no-io: src/decide/d.ts → fs",
  "pure-core-no-io: src/health/h.ts → node_modules/mysql2/promise.js",
  "pure-core-packages: src/model/v.ts → node_modules/yaml/dist/index.js",
].sort();

describe("import rules (.dependency-cruiser.cjs, run by npm run lint and the lint suite)", () => {
  const dir = mkdtempSync(join(tmpdir(), "gp-import-rules-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("the real src/ keeps every rule", () => {
    const run = runLint(root);
    assert.equal(run.status, 0, run.output);
    assert.match(run.output, /no dependency violations found/);
  });

  it("a tree with one violation of each rule fails the lint, naming each violation and nothing else", () => {
    for (const [path, text] of Object.entries(fixture)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    copyFileSync(join(root, ".dependency-cruiser.cjs"), join(dir, ".dependency-cruiser.cjs"));
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", strict: true, types: [] },
        include: ["src/**/*.ts"],
      }),
    );
    symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));

    assert.deepEqual(violations(dir), expected);
    const run = runLint(dir);
    assert.notEqual(run.status, 0, "the lint command fails");
    assert.match(run.output, /x 12 dependency violations \(12 errors, 0 warnings\)/);
  });
});
