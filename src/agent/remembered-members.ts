/**
 * The members this node last saw in a primary component, kept in the datadir
 * (`galera-pilot-members.json`) so that they outlive the agent: a restarted container, or the
 * 2015 post's `docker run … seed` started again, has no peers configured, and without them it
 * would take itself for the whole cluster and bootstrap a second one alone, while its joiners
 * wait for it or have formed a primary without it. At the next start these members are asked
 * and expected like configured peers (docs/recovery.md, "`seed` is safe to restart").
 *
 * Each member is kept with its Galera endpoint and, when its agent told it, its node name: a
 * container started again may come back at another address, and the name is what the
 * recovery rules expect (a peer found at a new address answers with the same name).
 *
 * The file holds the members of the last primary component, not every member ever seen: a
 * member that left cleanly is not waited for. It is rewritten when they change, or when the
 * file is missing (a state transfer empties the datadir).
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const fileName = "galera-pilot-members.json";

export interface RememberedMember {
  /** Its Galera endpoint, "host:port". */
  endpoint: string;
  /** Its node name, or null when its agent had not answered. */
  name: string | null;
}

function isMember(value: unknown): value is RememberedMember {
  if (typeof value !== "object" || value === null) return false;
  const { endpoint, name } = value as { endpoint?: unknown; name?: unknown };
  return (
    typeof endpoint === "string" && /:\d+$/.test(endpoint) && (name === null || typeof name === "string")
  );
}

/** The remembered members, or [] when none were saved or the file cannot be read. */
export function readRememberedMembers(datadir: string): RememberedMember[] {
  try {
    const parsed = JSON.parse(readFileSync(join(datadir, fileName), "utf8")) as { members?: unknown };
    return Array.isArray(parsed.members) ? parsed.members.filter(isMember) : [];
  } catch {
    return [];
  }
}

function canonical(members: readonly RememberedMember[]): RememberedMember[] {
  const byEndpoint = new Map(members.map((m) => [m.endpoint, { endpoint: m.endpoint, name: m.name }]));
  return [...byEndpoint.values()].sort((a, b) =>
    a.endpoint < b.endpoint ? -1 : a.endpoint > b.endpoint ? 1 : 0,
  );
}

/**
 * Saves these members as the ones last seen, unless `saved` (what the file holds) already says
 * exactly that and the file is there. Returns whether it wrote. Written whole, then renamed, so
 * a crash never leaves half a file.
 */
export function rememberMembers(
  datadir: string,
  members: readonly RememberedMember[],
  saved: readonly RememberedMember[] | null,
): boolean {
  const next = canonical(members);
  const path = join(datadir, fileName);
  if (saved !== null && existsSync(path) && JSON.stringify(canonical(saved)) === JSON.stringify(next))
    return false;
  const temporary = `${path}.tmp`;
  // No secret inside; readable, so that nothing reading the datadir as mysql trips on it.
  writeFileSync(temporary, `${JSON.stringify({ members: next, savedAt: new Date().toISOString() })}\n`, {
    mode: 0o644,
  });
  renameSync(temporary, path);
  return true;
}
