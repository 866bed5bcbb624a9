// The recovery benchmark's clean-stop floor: the least a distributed agent must do to restart a
// cleanly stopped cluster safely, with none of galera-pilot's code (it imports node: modules
// only, so its start costs what Node's own does).
//
// One runs per node, the three started together as the agents are. Each reads its own
// grastate.dat, serves its position over HTTP on its node's address, and asks the others
// every 2 ms until it holds every expected node's position: rule S2, which the safe script
// meets by reading every file itself, and an agent can meet only over the network. Then each
// ranks the positions alike — `safe_to_bootstrap`, else the highest seqno, then the lowest
// name — and starts its mariadbd: the chosen one with --wsrep-new-cluster, the others to join.
// It prints `spawned <epoch ms>` once its mariadbd is spawned, and serves until it is killed.
//
// What it leaves out, and an agent may not: a settle for its intent to be seen (S3), restart
// policy, health answers, refusal checks. It is a floor, not a safe agent.
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { createServer, get } from "node:http";

export interface MinimalAgentPlan {
  name: string;
  /** Where it listens, and where the others ask it. */
  address: string;
  port: number;
  datadir: string;
  peers: { name: string; address: string }[];
  /** mariadbd and its arguments; the chosen node gets --wsrep-new-cluster after them. */
  server: string[];
  /** mariadbd's stdout and stderr. */
  serverLog: string;
}

interface Reported {
  name: string;
  uuid: string;
  seqno: number;
  safe: boolean;
}

function ownPosition(plan: MinimalAgentPlan): Reported {
  const text = readFileSync(`${plan.datadir}/grastate.dat`, "utf8");
  const field = (key: string): string => new RegExp(`^${key}:\\s*(\\S+)`, "m").exec(text)?.[1] ?? "";
  return {
    name: plan.name,
    uuid: field("uuid"),
    seqno: Number(field("seqno")),
    safe: field("safe_to_bootstrap") === "1",
  };
}

/** safe_to_bootstrap first, then the highest seqno, then the lowest name: every node ranks alike. */
function chosen(all: readonly Reported[]): string {
  const ranked = [...all].sort(
    (a, b) => Number(b.safe) - Number(a.safe) || b.seqno - a.seqno || a.name.localeCompare(b.name),
  );
  return ranked[0]!.name;
}

function run(plan: MinimalAgentPlan): void {
  const own = ownPosition(plan);
  const heard = new Map<string, Reported>([[own.name, own]]);
  createServer((_, response) => response.end(JSON.stringify(own))).listen(plan.port, plan.address);
  let started = false;
  const start = (): void => {
    if (started || heard.size < plan.peers.length + 1) return;
    started = true;
    const args = chosen([...heard.values()]) === plan.name ? ["--wsrep-new-cluster"] : [];
    const fd = openSync(plan.serverLog, "a");
    spawn(plan.server[0]!, [...plan.server.slice(1), ...args], { stdio: ["ignore", fd, fd], detached: true });
    closeSync(fd);
    process.stdout.write(`spawned ${Date.now()}${args.length > 0 ? " bootstrap" : ""}\n`);
  };
  const ask = (peer: { name: string; address: string }): void => {
    const again = (): void => void setTimeout(() => ask(peer), 2);
    const request = get({ host: peer.address, port: plan.port, path: "/" }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.once("end", () => {
        heard.set(peer.name, JSON.parse(body) as Reported);
        start();
      });
    });
    request.once("error", again);
  };
  for (const peer of plan.peers) ask(peer);
  start();
}

run(JSON.parse(process.argv[2]!) as MinimalAgentPlan);
