/** One server line of HAProxy's `show stat`: its state in one backend. */
export interface BackendServerState {
  backend: string;
  server: string;
  /** HAProxy's status column: UP, DOWN, MAINT, DRAIN, "UP 1/2", "DOWN 1/2", NOLB… */
  status: string;
  weight: number;
  /** Sessions open now. */
  sessions: number;
}

/**
 * Parses the CSV of HAProxy's runtime `show stat` into the per-server rows (frontends and
 * backend summary rows left out). Pure. Columns are found by the header's names, which
 * HAProxy keeps stable, not by position.
 */
export function parseShowStat(csv: string): BackendServerState[] {
  const lines = csv.split("\n").filter((l) => l.trim() !== "");
  const header = lines[0]?.replace(/^# /, "").split(",");
  if (!header) return [];
  const column = (name: string): number => header.indexOf(name);
  const [px, sv, status, weight, scur] = ["pxname", "svname", "status", "weight", "scur"].map(column);
  if ([px, sv, status].some((i) => i === undefined || i < 0)) return [];
  return lines
    .slice(1)
    .map((l) => l.split(","))
    .filter((cells) => cells[sv!] !== "FRONTEND" && cells[sv!] !== "BACKEND")
    .map((cells) => ({
      backend: cells[px!] ?? "",
      server: cells[sv!] ?? "",
      status: cells[status!] ?? "",
      weight: Number(cells[weight!] ?? 0),
      sessions: Number(cells[scur!] ?? 0),
    }));
}
