/* global module */
// Import rules of src/, checked by dependency-cruiser in `npm run lint` and in the lint suite
// of scripts/run-tests.mjs. docs/architecture.md ("Import rules") says the same in prose; the
// room list below and the one drawn there change together.
//
// A room is a folder of src/ (or one of its top-level files). Rooms sit on lines, top to
// bottom; a room imports only rooms on lower lines, never one on its own line or above.
// Type-only imports count (tsPreCompilationDeps): a type is a dependency too.

/** Top to bottom. */
const lines = [
  ["cli"], // the commands and main.ts
  ["verify"], // `galera-pilot verify`: drives a cluster, the local runner's or one you run
  ["agent", "local", "deploy/marathon", "deploy/kubernetes"], // the programs
  ["options", "http"], // the agent's options; the agent's port (health, /status, peer API, page)
  ["dashboard"], // the live page: both servers' state and the page itself
  ["mysqld", "probe", "discovery", "peer-api", "router", "backup", "archive"], // the adapters: one outside thing each
  ["destination"], // where backups are kept: a folder or S3 (the backup adapter writes and reads it)
  ["http-client"], // the adapters' one HTTP client (peer API, Consul, Marathon)
  ["process"], // child processes: run, wait for, stop, and keep running (one restart policy)
  ["system", "config", "logger.ts", "version.ts"], // this machine, settings and secrets, the log line
  ["decide", "health"], // the pure core
  ["model", "binlog", "errors.ts"], // the wire types; MariaDB's binlog format; the errors
];

const pureCore = ["decide", "health", "model", "binlog"];
/** Node modules that do I/O, and the npm packages that do. */
const ioModules = [
  "fs",
  "fs/promises",
  "child_process",
  "net",
  "http",
  "https",
  "http2",
  "tls",
  "dgram",
  "dns",
  "dns/promises",
  "worker_threads",
  "cluster",
];
const ioPackages = ["mysql2", "prom-client"];
/**
 * The npm packages the pure core may import; any other is refused. valibot: the schemas of the
 * wire types live beside them in model/ (docs/architecture.md), and valibot only checks values
 * in memory: no I/O, no global state, no side effect at import.
 */
const pureCorePackages = ["valibot"];

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** The path pattern of a room's files. */
const room = (name) => (name.endsWith(".ts") ? `^src/${escape(name)}$` : `^src/${escape(name)}/`);
const anyOf = (names) => names.map(room).join("|");
const allRooms = lines.flat();

// Exemptions: none. One would be a `pathNot` in the rule it breaks, its reason written here
// and in docs/architecture.md.

const layerRules = lines.flatMap((line, index) =>
  line.flatMap((name) => {
    const above = lines.slice(0, index).flat();
    const beside = line.filter((other) => other !== name);
    const rules = [];
    if (above.length) {
      rules.push({
        name: `no-upward-import`,
        comment: `${name} imports only rooms on lower lines; ${above.join(", ")} sit above it (docs/architecture.md, Import rules)`,
        severity: "error",
        from: { path: room(name) },
        to: { path: anyOf(above) },
      });
    }
    if (beside.length) {
      rules.push({
        name: `no-sideways-import`,
        comment: `${name} and ${beside.join(", ")} share a line and never import each other (docs/architecture.md, Import rules)`,
        severity: "error",
        from: { path: room(name) },
        to: { path: anyOf(beside) },
      });
    }
    return rules;
  }),
);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "pure-core-no-io",
      comment:
        "decide/, health/ and model/ are pure: no Node module that does I/O, no mysql2, no prom-client",
      severity: "error",
      from: { path: anyOf(pureCore) },
      to: {
        path: [
          `^(${ioModules.map(escape).join("|")})$`,
          `(^|/)node_modules/(${ioPackages.map(escape).join("|")})/`,
        ],
      },
    },
    {
      name: "pure-core-packages",
      comment: `decide/, health/ and model/ import no npm package but ${pureCorePackages.join(", ")} (the I/O ones have their own rule)`,
      severity: "error",
      from: { path: anyOf(pureCore) },
      to: {
        path: "(^|/)node_modules/",
        pathNot: `(^|/)node_modules/(${[...pureCorePackages, ...ioPackages].map(escape).join("|")})/`,
      },
    },
    {
      name: "pure-core-imports-core",
      comment: "decide/, health/ and model/ import only each other (model only itself) and src/errors.ts",
      severity: "error",
      from: { path: anyOf(pureCore) },
      to: { path: "^src/", pathNot: anyOf([...pureCore, "errors.ts"]) },
    },
    ...layerRules,
    {
      name: "no-unknown-room",
      comment:
        "every file of src/ is in a room of the list in .dependency-cruiser.cjs and docs/architecture.md: add a new folder to both",
      severity: "error",
      from: { path: "^src/", pathNot: anyOf(allRooms) },
      to: {},
    },
    {
      name: "no-circular",
      comment: "no import cycle in src/, type-only imports included",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "(^|/)node_modules/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
