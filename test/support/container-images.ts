/**
 * The images the container tests run, made on this machine, which reaches no image registry:
 *
 * - `localhost/galera-pilot-base:bookworm`: Debian 12 from `debootstrap --variant=minbase`
 *   (as the official images are), trimmed like `debian:bookworm-slim`, tarred and
 *   `podman import`ed. The tar is cached under GALERA_PILOT_IMAGE_CACHE
 *   (/var/cache/galera-pilot/images), keyed by a hash of the recipe below.
 * - `localhost/galera-pilot-node:20`: that base plus this machine's Node.js binary and npm, laid
 *   out as in `node:20-bookworm-slim` (/usr/local/bin/node, /usr/local/lib/node_modules/npm).
 * - `localhost/galera-pilot:test`: the repository's Dockerfile, unchanged, with only
 *   BASE_IMAGE and NODE_IMAGE substituted by the two above.
 *
 * Each image carries the hash of its recipe as a label and is rebuilt only when that changes;
 * the project image is always built, podman's layer cache keeps that quick. Every command's
 * output goes to one log file; a failure throws one line naming the step and the log.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createWriteStream, existsSync, type WriteStream } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

export const baseImage = "localhost/galera-pilot-base:bookworm";
export const nodeImage = "localhost/galera-pilot-node:20";
export const projectImage = "localhost/galera-pilot:test";
const recipeLabel = "galera-pilot.recipe";

/**
 * Flags every `podman run` and `podman build` needs on this kind of machine: crun fails on its
 * cgroups, and raising the open-files or process limits is not permitted (runc then refuses
 * to create the container: "error setting rlimits … operation not permitted").
 */
export const podmanMachineFlags = [
  "--runtime",
  "runc",
  "--ulimit",
  "nofile=1024:1024",
  "--ulimit",
  "nproc=1024:1024",
];

/** The repository root: dist/test/support/ → ../../.. */
export const repoRoot = resolve(dirname(new URL(import.meta.url).pathname), "..", "..", "..");

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; never rejects (a spawn failure is code null). Output also goes to `log`. */
export function runCommand(
  command: string,
  args: string[],
  options: {
    log?: WriteStream;
    input?: string;
    cwd?: string;
    timeoutMs?: number;
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<CommandResult> {
  return new Promise((resolvePromise) => {
    options.log?.write(`\n$ ${command} ${args.join(" ")}\n`);
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      options.log?.write(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      options.log?.write(chunk);
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
    const timer =
      options.timeoutMs === undefined ? null : setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    let settled = false;
    const finish = (code: number | null, extra = ""): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      resolvePromise({ code, stdout, stderr: stderr + extra });
    };
    child.on("error", (error) => finish(null, String(error)));
    child.on("close", (code) => finish(code));
  });
}

/** `podman ARGS`; output to the log when one is given. */
export function podman(args: string[], log?: WriteStream, timeoutMs?: number): Promise<CommandResult> {
  return runCommand("podman", args, { ...(log ? { log } : {}), ...(timeoutMs ? { timeoutMs } : {}) });
}

class ImageStepError extends Error {}

async function must(step: string, logPath: string, result: Promise<CommandResult>): Promise<CommandResult> {
  const done = await result;
  if (done.code !== 0) {
    throw new ImageStepError(
      `container images: ${step} failed (exit ${done.code ?? "spawn error"}); its output is in ${logPath}`,
    );
  }
  return done;
}

const sha256 = (text: string | Buffer): string => createHash("sha256").update(text).digest("hex");

// --- the base image -------------------------------------------------------------------------

const debianMirror = "http://deb.debian.org/debian";

/** Files written into the debootstrapped tree, as debian:bookworm-slim has them. */
const baseFiles: Record<string, string> = {
  "etc/apt/sources.list.d/debian.sources": `Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`,
  // The slim variant: no documentation, manuals or translations from later installs.
  "etc/dpkg/dpkg.cfg.d/docker": `path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
`,
  "etc/apt/apt.conf.d/docker-clean": `DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
`,
  "etc/apt/apt.conf.d/docker-no-languages": `Acquire::Languages "none";\n`,
  "etc/apt/apt.conf.d/docker-autoremove-suggests": `Apt::AutoRemove::SuggestsImportant "false";\n`,
  // Services never start during `apt-get install` in a build (as in the official images).
  "usr/sbin/policy-rc.d": "#!/bin/sh\nexit 101\n",
};

/** What is removed after debootstrap: caches, the host's resolver and name, and what slim drops. */
const baseRemovals = [
  "etc/apt/sources.list",
  "etc/resolv.conf",
  "etc/hostname",
  "var/lib/apt/lists",
  "var/cache/apt/archives",
  "var/cache/apt/pkgcache.bin",
  "var/cache/apt/srcpkgcache.bin",
  "var/log/bootstrap.log",
  "usr/share/man",
  "usr/share/info",
  "usr/share/locale",
  "usr/share/groff",
  "usr/share/lintian",
];

const baseRecipe = JSON.stringify({
  version: 1,
  debootstrap: ["--variant=minbase", "bookworm", debianMirror],
  files: baseFiles,
  removals: baseRemovals,
  docs: "usr/share/doc/* except copyright",
  import: ['CMD ["bash"]'],
});

// --- the node image -------------------------------------------------------------------------

/** The Containerfile of the local stand-in for node:20-bookworm-slim. */
function nodeContainerfile(withCa: boolean): string {
  return `FROM ${baseImage}
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
${
  withCa
    ? // This machine reaches the npm registry through a TLS-intercepting egress proxy: npm ci in
      // the build stage needs the machine's CA bundle, as npm on the host does.
      "COPY extra-ca.pem /usr/local/share/galera-pilot-build/extra-ca.pem\nENV NODE_EXTRA_CA_CERTS=/usr/local/share/galera-pilot-build/extra-ca.pem\n"
    : ""
}RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && node --version && npm --version
CMD ["node"]
`;
}

/** The files the node image is made of, and the hash of its recipe. */
async function nodeInputs(): Promise<{ node: string; npm: string; ca: string | null; hash: string }> {
  const node = process.execPath;
  const npm = resolve(dirname(node), "..", "lib", "node_modules", "npm");
  if (!existsSync(join(npm, "bin", "npm-cli.js"))) {
    throw new ImageStepError(`container images: npm not found beside ${node} (looked in ${npm})`);
  }
  const caPath = process.env["NODE_EXTRA_CA_CERTS"];
  const ca = caPath && existsSync(caPath) ? caPath : null;
  const npmVersion = (JSON.parse(await readFile(join(npm, "package.json"), "utf8")) as { version: string })
    .version;
  const hash = sha256(
    JSON.stringify({
      base: sha256(baseRecipe),
      node: sha256(await readFile(node)),
      npm: npmVersion,
      ca: ca ? sha256(await readFile(ca)) : null,
      containerfile: nodeContainerfile(ca !== null),
    }),
  );
  return { node, npm, ca, hash };
}

// --- putting it together --------------------------------------------------------------------

export interface ImageTimings {
  baseMs: number;
  nodeMs: number;
  projectMs: number;
  /** Whether the base and node images were already there. */
  cached: boolean;
}

async function imageLabel(image: string): Promise<string | null> {
  const inspect = await podman(["image", "inspect", "--format", `{{index .Labels "${recipeLabel}"}}`, image]);
  return inspect.code === 0 ? inspect.stdout.trim() : null;
}

export interface EnsureImagesOptions {
  /** Where every command's output goes. */
  logPath: string;
  cacheDir?: string;
}

/**
 * Makes sure the base and node images exist (skips them when their recipe is unchanged), then
 * builds the project image from the repository's Dockerfile. Throws one line on failure.
 */
export async function ensureImages(options: EnsureImagesOptions): Promise<ImageTimings> {
  const cacheDir =
    options.cacheDir ?? process.env["GALERA_PILOT_IMAGE_CACHE"] ?? "/var/cache/galera-pilot/images";
  await mkdir(dirname(options.logPath), { recursive: true });
  await mkdir(cacheDir, { recursive: true });
  const log = createWriteStream(options.logPath, { flags: "a" });
  const logPath = options.logPath;
  log.write(`\n=== ${new Date().toISOString()} ensureImages\n`);
  try {
    if ((await runCommand("podman", ["--version"], { log })).code !== 0) {
      throw new ImageStepError("container images: podman is not installed (scripts/setup.sh installs it)");
    }
    let cached = true;

    // The base image.
    let started = Date.now();
    const baseHash = sha256(baseRecipe);
    if ((await imageLabel(baseImage)) !== baseHash) {
      cached = false;
      const tarPath = join(cacheDir, `base-bookworm-${baseHash.slice(0, 16)}.tar`);
      if (!existsSync(tarPath)) await debootstrapBase(tarPath, log, logPath);
      await must(
        "podman import of the base",
        logPath,
        podman(
          [
            "import",
            "--change",
            'CMD ["bash"]',
            "--change",
            `LABEL ${recipeLabel}=${baseHash}`,
            tarPath,
            baseImage,
          ],
          log,
        ),
      );
    }
    const baseMs = Date.now() - started;

    // The node image.
    started = Date.now();
    const inputs = await nodeInputs();
    if ((await imageLabel(nodeImage)) !== inputs.hash) {
      cached = false;
      const context = await mkdtemp(join(tmpdir(), "galera-pilot-node-image-"));
      try {
        await cp(inputs.node, join(context, "node"));
        await cp(inputs.npm, join(context, "npm"), { recursive: true });
        if (inputs.ca) await cp(inputs.ca, join(context, "extra-ca.pem"));
        await writeFile(join(context, "Containerfile"), nodeContainerfile(inputs.ca !== null));
        await must(
          "podman build of the node image",
          logPath,
          podman(
            [
              "build",
              ...podmanMachineFlags,
              "--label",
              `${recipeLabel}=${inputs.hash}`,
              "-f",
              join(context, "Containerfile"),
              "-t",
              nodeImage,
              context,
            ],
            log,
          ),
        );
      } finally {
        await rm(context, { recursive: true, force: true });
      }
    }
    const nodeMs = Date.now() - started;

    // The project image: the repository's Dockerfile, as is.
    started = Date.now();
    await must(
      "podman build of the Dockerfile",
      logPath,
      podman(
        [
          "build",
          ...podmanMachineFlags,
          // RUN steps share the host's network: npm ci and apt-get reach their registries the
          // way the host does, with no bridge or NAT rule needed for a build.
          "--network",
          "host",
          "--layers",
          "--build-arg",
          `BASE_IMAGE=${baseImage}`,
          "--build-arg",
          `NODE_IMAGE=${nodeImage}`,
          "-f",
          join(repoRoot, "Dockerfile"),
          "-t",
          projectImage,
          repoRoot,
        ],
        log,
      ),
    );
    const projectMs = Date.now() - started;
    // Each rebuild leaves the previous project image untagged (480 MB): remove those.
    await podman(["image", "prune", "-f"], log);
    log.write(`=== base ${baseMs} ms, node ${nodeMs} ms, project ${projectMs} ms, cached ${cached}\n`);
    return { baseMs, nodeMs, projectMs, cached };
  } finally {
    await new Promise<void>((done) => log.end(done));
  }
}

/** debootstrap → trim → tar, written atomically to tarPath. */
async function debootstrapBase(tarPath: string, log: WriteStream, logPath: string): Promise<void> {
  const root = `${tarPath}.rootfs`;
  await rm(root, { recursive: true, force: true });
  try {
    await must(
      "debootstrap of Debian 12",
      logPath,
      runCommand("debootstrap", ["--variant=minbase", "bookworm", root, debianMirror], { log }),
    );
    for (const path of baseRemovals) await rm(join(root, path), { recursive: true, force: true });
    for (const [path, text] of Object.entries(baseFiles)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), text, { mode: path.startsWith("usr/sbin/") ? 0o755 : 0o644 });
    }
    for (const path of ["var/lib/apt/lists/partial", "var/cache/apt/archives/partial"]) {
      await mkdir(join(root, path), { recursive: true });
    }
    // Documentation but the copyright files, as the slim images keep them.
    await must(
      "trimming /usr/share/doc",
      logPath,
      runCommand(
        "find",
        [
          join(root, "usr/share/doc"),
          "-mindepth",
          "1",
          "-not",
          "-name",
          "copyright",
          "-not",
          "-type",
          "d",
          "-delete",
        ],
        { log },
      ),
    );
    await must(
      "tar of the base",
      logPath,
      runCommand("tar", ["--numeric-owner", "-C", root, "-cf", `${tarPath}.tmp`, "."], { log }),
    );
    await rename(`${tarPath}.tmp`, tarPath);
  } finally {
    await rm(root, { recursive: true, force: true });
    await rm(`${tarPath}.tmp`, { force: true });
  }
}
