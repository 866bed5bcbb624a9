import { spawnSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { controlRequest, type LocalClusterStatus } from "../local/control-server.js";
import type { Fault } from "./fault-schedule.js";

/** The comment on every iptables rule verify adds, so that a crashed run's rules can be found. */
export const iptablesTag = "galera-pilot-verify";

/**
 * Injects faults into the local cluster through its runner (kill, stop, start), signals
 * (SIGSTOP/SIGCONT of a mariadbd) and iptables (a node cut off from the others). Every fault
 * is healed before inject() returns, even when it fails half-way.
 */
export class LocalFaultInjector {
  constructor(private readonly controlSocket: string) {}

  async status(): Promise<LocalClusterStatus> {
    const { code, body } = await controlRequest(this.controlSocket, "GET", "/status");
    if (code !== 200) throw new Error(`the local runner answered ${code} to GET /status`);
    return body as LocalClusterStatus;
  }

  async #post(path: string): Promise<void> {
    const { code, body } = await controlRequest(this.controlSocket, "POST", path);
    if (code !== 200) throw new Error(`the local runner refused POST ${path}: ${JSON.stringify(body)}`);
  }

  async inject(fault: Fault): Promise<void> {
    switch (fault.kind) {
      case "kill-one":
      case "kill-majority":
      case "kill-all":
        // At once, as a power cut would: the runner restarts each one.
        await Promise.all(fault.targets.map((name) => this.#post(`/nodes/${name}/kill`)));
        return;
      case "pause-one":
        return this.#pause(fault.targets[0]!, fault.holdMs);
      case "isolate-one":
        return this.#isolate(fault.targets[0]!, fault.holdMs);
      case "stop-all":
        for (const name of fault.targets) await this.#post(`/nodes/${name}/stop`);
        for (const name of fault.targets) await this.#post(`/nodes/${name}/start`);
        return;
      case "restart-random":
        for (const name of fault.targets) await this.#post(`/nodes/${name}/stop`);
        for (const name of fault.targets) {
          await this.#post(`/nodes/${name}/start`);
          await sleep(fault.holdMs);
        }
        return;
    }
  }

  async #pause(name: string, holdMs: number): Promise<void> {
    const node = (await this.status()).nodes.find((n) => n.name === name);
    if (!node?.pid) throw new Error(`cannot pause ${name}: its mariadbd is not running`);
    process.kill(node.pid, "SIGSTOP");
    try {
      await sleep(holdMs);
    } finally {
      process.kill(node.pid, "SIGCONT");
    }
  }

  async #isolate(name: string, holdMs: number): Promise<void> {
    const nodes = (await this.status()).nodes;
    const target = nodes.find((n) => n.name === name);
    if (!target) throw new Error(`cannot isolate ${name}: no such node`);
    const rules = nodes
      .filter((n) => n.name !== name)
      .flatMap((other) => [
        ["-s", target.address, "-d", other.address],
        ["-s", other.address, "-d", target.address],
      ])
      .map((match) => [...match, "-m", "comment", "--comment", iptablesTag, "-j", "DROP"]);
    try {
      for (const rule of rules) iptables(["-I", "INPUT", ...rule]);
      await sleep(holdMs);
    } finally {
      for (const rule of rules) iptables(["-D", "INPUT", ...rule], true);
    }
  }
}

function iptables(args: string[], ignoreFailure = false): void {
  const run = spawnSync("iptables", ["-w", ...args], { encoding: "utf8" });
  if (run.status !== 0 && !ignoreFailure) {
    throw new Error(`iptables ${args.join(" ")} failed: ${run.stderr.trim() || `exit ${run.status}`}`);
  }
}

/** Removes every rule a previous run left behind (it was killed before healing). */
export function removeLeftoverRules(): number {
  const listed = spawnSync("iptables", ["-w", "-S", "INPUT"], { encoding: "utf8" });
  if (listed.status !== 0) return 0;
  const leftovers = listed.stdout
    .split("\n")
    .filter((l) => l.includes(iptablesTag) && l.startsWith("-A INPUT "));
  for (const rule of leftovers) {
    // The rule text as iptables printed it, minus "-A": the comment has no spaces.
    iptables(["-D", ...rule.slice(3).split(" ")], true);
  }
  return leftovers.length;
}
