// Runs the whole suite in order: lint, unit, integration (real mariadbd + galera-4),
// containers (podman). `node scripts/run-tests.mjs unit integration` runs a subset.
// Test files are the compiled ones under dist/test; `npm test` builds first.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const allSuites = ["lint", "unit", "integration", "containers"];
const requested = process.argv.slice(2);
const suites = requested.length ? requested : allSuites;

function testFiles(dir) {
  let found = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return found;
  }
  for (const entry of entries.sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found = found.concat(testFiles(path));
    else if (entry.endsWith(".test.js")) found.push(path);
  }
  return found;
}

function run(command, args) {
  console.log(`\n$ ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`\n${command} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

for (const suite of suites) {
  if (suite === "lint") {
    run("npx", ["prettier", "--check", "."]);
    run("npx", ["eslint", "."]);
    // The import rules of src/ (docs/architecture.md, Import rules): dependency-cruiser with
    // .dependency-cruiser.cjs, the command package.json's lint:imports names.
    run("npm", ["run", "--silent", "lint:imports"]);
    continue;
  }
  const files = testFiles(join("dist", "test", suite));
  if (!files.length) {
    console.log(`\n(no ${suite} tests)`);
    continue;
  }
  // Integration suites start real clusters on loopback addresses of their own; they run
  // one file at a time because two cores cannot host several clusters at once reliably.
  const concurrency = suite === "unit" ? "2" : "1";
  run(process.execPath, ["--test", `--test-concurrency=${concurrency}`, "--enable-source-maps", ...files]);
}
