import { spawn } from "node:child_process";
import type { Fault } from "./fault-schedule.js";
import type { VerifyCluster } from "./verify-cluster.js";
import { connectTo, type Endpoint } from "./workloads.js";

/**
 * A user's cluster, reached only over SQL: the router's endpoints for the workloads, each
 * node's endpoint for health and the final reads. Faults are the user's to define: a command
 * run with GALERA_PILOT_FAULT (the kind), GALERA_PILOT_FAULT_TARGETS (node names, spaces
 * between) and GALERA_PILOT_FAULT_HOLD_MS, which must inject the fault and heal it before it
 * exits (e.g. `ssh $node sudo systemctl kill -s KILL mariadb`). Without one, faults are
 * whatever the user does by hand during --duration.
 */
export class ExternalVerifyCluster implements VerifyCluster {
  constructor(
    readonly writer: Endpoint,
    readonly reader: Endpoint | null,
    private readonly members: readonly { name: string; endpoint: Endpoint }[],
    private readonly faultCommand: string | null,
  ) {}

  async prepare(): Promise<string[]> {
    return [];
  }

  async nodes(): Promise<{ name: string; endpoint: Endpoint }[]> {
    return [...this.members];
  }

  async health(): Promise<{ healthy: boolean; writer: string | null; detail: string }> {
    const size = this.members.length;
    const states = await Promise.all(this.members.map((m) => nodeState(m.endpoint)));
    const healthy = states.every(
      (s) => s !== null && s.state === "4" && s.status === "Primary" && s.size === String(size),
    );
    const writer = healthy ? await writerName(this.writer) : null;
    return {
      healthy: healthy && writer !== null,
      writer,
      detail: this.members
        .map((m, i) => {
          const s = states[i];
          return `${m.name} ${s ? `state ${s.state}, ${s.status}, size ${s.size}` : "not answering"}`;
        })
        .join("; "),
    };
  }

  async inject(fault: Fault): Promise<void> {
    if (!this.faultCommand) throw new Error("no --fault-command to inject faults with");
    const child = spawn("sh", ["-c", this.faultCommand], {
      env: {
        ...process.env,
        GALERA_PILOT_FAULT: fault.kind,
        GALERA_PILOT_FAULT_TARGETS: fault.targets.join(" "),
        GALERA_PILOT_FAULT_HOLD_MS: String(fault.holdMs),
      },
      stdio: ["ignore", "inherit", "inherit"],
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    if (code !== 0) {
      throw new Error(
        `the fault command exited with ${code} for ${fault.kind} of ${fault.targets.join(" ")}`,
      );
    }
  }
}

async function nodeState(
  endpoint: Endpoint,
): Promise<{ state: string; status: string; size: string } | null> {
  try {
    const c = await connectTo(endpoint, 2000);
    try {
      const [rows] = await c.query(
        "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_state', 'wsrep_cluster_status', 'wsrep_cluster_size')",
      );
      const value = (name: string): string =>
        (rows as { Variable_name: string; Value: string }[]).find((r) => r.Variable_name === name)?.Value ??
        "";
      return {
        state: value("wsrep_local_state"),
        status: value("wsrep_cluster_status"),
        size: value("wsrep_cluster_size"),
      };
    } finally {
      c.destroy();
    }
  } catch {
    return null;
  }
}

/** The node behind the router's writer endpoint, or null when it takes no connection. */
async function writerName(endpoint: Endpoint): Promise<string | null> {
  try {
    const c = await connectTo(endpoint, 2000);
    try {
      const [rows] = await c.query("SELECT @@wsrep_node_name AS name");
      return (rows as { name: string }[])[0]?.name ?? null;
    } finally {
      c.destroy();
    }
  } catch {
    return null;
  }
}
