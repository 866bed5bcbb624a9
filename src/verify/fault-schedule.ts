/** The faults `galera-pilot verify` can inject into the local cluster. */
export type FaultKind =
  | "kill-one" // SIGKILL of one node (agent, mariadbd): a crash; the runner restarts it
  | "kill-majority" // SIGKILL of more than half of the nodes at once
  | "kill-all" // SIGKILL of every node at once: a total outage
  | "pause-one" // SIGSTOP of one mariadbd for a few seconds, then SIGCONT: a stalled host
  | "isolate-one" // iptables drops Galera traffic between one node and the others, then heals
  | "stop-all" // a clean shutdown of every node, then a start
  | "restart-random"; // a clean stop of every node, then starts in a random order with random delays

export interface Fault {
  kind: FaultKind;
  /** The nodes it hits, in order. */
  targets: string[];
  /** How long the fault lasts before it is healed (pause, isolation) or the delay between starts. */
  holdMs: number;
}

export const allFaultKinds: readonly FaultKind[] = [
  "kill-one",
  "kill-majority",
  "kill-all",
  "pause-one",
  "isolate-one",
  "stop-all",
  "restart-random",
];

/** A small deterministic generator (mulberry32), so a seed replays the same schedule. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The faults of one run. Pure and seeded: the same seed, kinds and nodes give the same run,
 * printed in the report so a failure can be replayed. Every kind appears before any repeats,
 * so a short run still covers each kind it was given.
 */
export function faultSchedule(
  seed: number,
  cycles: number,
  kinds: readonly FaultKind[],
  nodes: readonly string[],
): Fault[] {
  if (kinds.length === 0 || nodes.length === 0) return [];
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const shuffled = <T>(items: readonly T[]): T[] => {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  };
  const faults: Fault[] = [];
  let round: FaultKind[] = [];
  for (let i = 0; i < cycles; i++) {
    if (round.length === 0) round = shuffled(kinds);
    const kind = round.shift()!;
    const majority = Math.floor(nodes.length / 2) + 1;
    const targets =
      kind === "kill-all" || kind === "stop-all"
        ? [...nodes]
        : kind === "restart-random"
          ? shuffled(nodes)
          : kind === "kill-majority"
            ? shuffled(nodes).slice(0, majority)
            : [pick(nodes)];
    const holdMs =
      kind === "pause-one" || kind === "isolate-one"
        ? 3000 + Math.floor(random() * 5000)
        : Math.floor(random() * 3000);
    faults.push({ kind, targets, holdMs });
  }
  return faults;
}
