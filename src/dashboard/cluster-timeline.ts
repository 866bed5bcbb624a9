/** One thing that changed in the cluster, as the dashboard's timeline shows it. */
export interface TimelineEvent {
  /** ISO time the runner noticed it. */
  at: string;
  node: string;
  kind: "phase" | "decision" | "writer";
  text: string;
}

/** The part of a node's status the timeline follows. */
export interface TimelineNodeState {
  name: string;
  phase: string;
  writer: boolean;
  lastDecision: string | null;
}

/**
 * What changed between two polls of the cluster: phase changes, new recovery decisions (with
 * their reasons) and writer changes. Pure; the runner keeps the last events in a ring.
 */
export function timelineEvents(
  previous: readonly TimelineNodeState[] | null,
  current: readonly TimelineNodeState[],
  at: string,
): TimelineEvent[] {
  const before = new Map((previous ?? []).map((n) => [n.name, n]));
  const events: TimelineEvent[] = [];
  for (const node of current) {
    const was = before.get(node.name);
    if (was?.phase !== node.phase) {
      events.push({
        at,
        node: node.name,
        kind: "phase",
        text: was ? `${was.phase} → ${node.phase}` : node.phase,
      });
    }
    if (node.lastDecision !== null && node.lastDecision !== was?.lastDecision) {
      events.push({ at, node: node.name, kind: "decision", text: node.lastDecision });
    }
    if (node.writer && !was?.writer)
      events.push({ at, node: node.name, kind: "writer", text: "became the writer" });
    if (!node.writer && was?.writer)
      events.push({ at, node: node.name, kind: "writer", text: "is no longer the writer" });
  }
  for (const name of before.keys()) {
    if (!current.some((n) => n.name === name))
      events.push({ at, node: name, kind: "phase", text: "removed" });
  }
  return events;
}
