import type { LocalClusterStatus } from "./control-server.js";

const colours = { green: "\x1b[32m", yellow: "\x1b[33m", red: "\x1b[31m", reset: "\x1b[0m" };

/** The human form of `galera-pilot status`: one row per node, colours on a terminal. */
export function formatStatusTable(status: LocalClusterStatus, colour: boolean): string {
  const header = ["NODE", "ADDRESS", "PHASE", "STATE", "CLUSTER", "SIZE", "SEQNO", "WRITER", "PID"];
  const rows = status.nodes.map((n) => [
    n.name,
    n.address,
    n.phase,
    n.state ?? "-",
    n.clusterStatus ?? "-",
    n.clusterSize === null ? "-" : String(n.clusterSize),
    n.seqno === null ? "-" : String(n.seqno),
    n.writer ? "yes" : "",
    n.pid === null ? "-" : String(n.pid),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  const paint = (text: string, phase: string): string => {
    if (!colour) return text;
    const c =
      phase === "synced"
        ? colours.green
        : phase === "starting" || phase === "donor"
          ? colours.yellow
          : colours.red;
    return `${c}${text}${colours.reset}`;
  };
  const out = [line(header), ...rows.map((r) => paint(line(r), r[2]!))];
  out.push("", `client config: ${status.clientConfig}`);
  if (status.proxy) out.push(`router: writer ${status.proxy.writer}, readers ${status.proxy.reader}`);
  if (status.dashboard) out.push(`dashboard: ${status.dashboard}`);
  return out.join("\n");
}
