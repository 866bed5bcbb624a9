/**
 * Galera's last primary view, `gvwstate.dat` in the datadir, written whenever a primary
 * component forms or changes while `pc.recovery` is on, and deleted on a clean shutdown.
 * Written by gcomm::ViewState::write_stream (galera, gcomm/src/view.cpp):
 *
 *     my_uuid: 3e1f5ab1-e8fb-11f1-9e5c-5e7b8c1a1b2c
 *     #vwbeg
 *     view_id: 3 3e1f5ab1-e8fb-11f1-9e5c-5e7b8c1a1b2c 3
 *     bootstrap: 0
 *     member: 3e1f5ab1-e8fb-11f1-9e5c-5e7b8c1a1b2c 0
 *     #vwend
 *
 * `view_id` is "type uuid seq" (type 3 = primary); each `member` is "uuid segment".
 * Its presence after a crash is what lets Galera restore the primary component by itself.
 */
import { isGaleraUuid } from "./grastate.js";

export interface Gvwstate {
  /** This node's gcomm UUID (not the cluster state UUID of grastate.dat). */
  myUuid: string;
  viewId: { type: number; uuid: string; seq: number };
  bootstrap: boolean;
  /** Members of the last primary component, in file order (Galera sorts them by UUID). */
  members: { uuid: string; segment: number }[];
}

/**
 * Parses gvwstate.dat. An empty file is a known crash leftover (the file was created but the
 * view never reached the disk) that makes mariadbd fail to start: "empty" tells the caller to
 * delete it. Anything else that is not a whole view throws.
 */
export function parseGvwstate(text: string): Gvwstate | "empty" {
  if (text.trim() === "") return "empty";
  if (text.includes("\0")) throw new Error("gvwstate.dat contains NUL bytes: a torn write");

  let myUuid: string | null = null;
  let viewId: Gvwstate["viewId"] | null = null;
  let bootstrap: boolean | null = null;
  const members: Gvwstate["members"] = [];
  let section: "before" | "view" | "after" = "before";

  for (const rawLine of text.split(/\r?\n/)) {
    const words = rawLine.trim().split(/\s+/);
    const key = words[0] ?? "";
    const args = words.slice(1);
    if (key === "") continue;
    if (key === "#vwbeg" && section === "before") section = "view";
    else if (key === "#vwend" && section === "view") section = "after";
    else if (key === "my_uuid:" && section === "before" && myUuid === null) myUuid = parseUuid(args);
    else if (key === "view_id:" && section === "view" && viewId === null) viewId = parseViewId(args);
    else if (key === "bootstrap:" && section === "view" && bootstrap === null)
      bootstrap = parseBootstrap(args);
    else if (key === "member:" && section === "view") addMember(members, parseMember(args));
    else if (key.startsWith("#vw") || ["my_uuid:", "view_id:", "bootstrap:", "member:"].includes(key)) {
      throw new Error(`gvwstate.dat has ${key} out of place or twice`);
    }
    // Other lines are ignored, as Galera's own reader does, so a newer Galera's extra fields pass.
  }

  if (myUuid === null) throw new Error("gvwstate.dat has no my_uuid line");
  if (section !== "after") throw new Error("gvwstate.dat has no complete #vwbeg…#vwend view");
  if (viewId === null) throw new Error("gvwstate.dat has no view_id line");
  if (members.length === 0) throw new Error("gvwstate.dat has no member lines");
  return { myUuid, viewId, bootstrap: bootstrap ?? false, members };
}

function parseUuid(args: string[]): string {
  const [uuid] = args;
  if (args.length !== 1 || uuid === undefined || !isGaleraUuid(uuid)) {
    throw new Error(`gvwstate.dat has a malformed my_uuid: ${JSON.stringify(args.join(" "))}`);
  }
  return uuid.toLowerCase();
}

function parseViewId(args: string[]): Gvwstate["viewId"] {
  const [type, uuid, seq] = args;
  if (args.length !== 3 || !isCount(type) || uuid === undefined || !isGaleraUuid(uuid) || !isCount(seq)) {
    throw new Error(`gvwstate.dat has a malformed view_id: ${JSON.stringify(args.join(" "))}`);
  }
  return { type: Number(type), uuid: uuid.toLowerCase(), seq: Number(seq) };
}

function parseBootstrap(args: string[]): boolean {
  if (args.length === 1 && (args[0] === "0" || args[0] === "1")) return args[0] === "1";
  throw new Error(`gvwstate.dat has a malformed bootstrap: ${JSON.stringify(args.join(" "))}`);
}

function parseMember(args: string[]): Gvwstate["members"][number] {
  const [uuid, segment] = args;
  if (args.length !== 2 || uuid === undefined || !isGaleraUuid(uuid) || !isCount(segment)) {
    throw new Error(`gvwstate.dat has a malformed member: ${JSON.stringify(args.join(" "))}`);
  }
  return { uuid: uuid.toLowerCase(), segment: Number(segment) };
}

/** Galera refuses a view listing one node twice (insert_unique); so do we. */
function addMember(members: Gvwstate["members"], member: Gvwstate["members"][number]): void {
  if (members.some((m) => m.uuid === member.uuid)) {
    throw new Error(`gvwstate.dat lists member ${member.uuid} twice`);
  }
  members.push(member);
}

/** A non-negative integer small enough to be exact (view seqs are 30-bit, segments 8-bit). */
function isCount(text: string | undefined): text is string {
  return text !== undefined && /^\d{1,15}$/.test(text);
}
