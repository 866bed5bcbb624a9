import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { BadInputError, RefusedError } from "../errors.js";
import { parseGrastate } from "./grastate.js";
import type { Grastate } from "../model/galera-state.js";
import { parseGvwstate, type Gvwstate } from "./gvwstate.js";
import type { OsUser } from "./os-user.js";

/** What the agent knows about a datadir before it touches it. */
export interface DatadirFacts {
  path: string;
  /** Absent or holding nothing but `lost+found`: it will be initialised. */
  empty: boolean;
  grastate: Grastate | null;
  /**
   * grastate.dat exists but is 0 bytes: what a joiner leaves when its state transfer failed
   * (seen here with mariabackup SST). The position is unknown: the node may rejoin by SST,
   * never bootstrap.
   */
  grastateEmpty: boolean;
  gvwstate: Gvwstate | "empty" | null;
}

/** Entries a fresh volume may hold that do not count as data. */
const ignorableEntries = new Set(["lost+found"]);

/**
 * Reads a datadir without changing it, and checks what would make a start unsafe or fail
 * half-way: wrong owner, not a directory, unreadable or corrupt grastate.dat.
 * `stateTransferPending`: this agent started a joiner on this datadir and it never synced.
 */
export function inspectDatadir(path: string, serverUser: OsUser, stateTransferPending = false): DatadirFacts {
  if (!existsSync(path)) return { path, empty: true, grastate: null, grastateEmpty: false, gvwstate: null };
  const stat = statSync(path);
  if (!stat.isDirectory()) {
    throw new BadInputError(
      `datadir ${path} is not a directory; nothing was changed; point GALERA_PILOT_DATADIR at a directory`,
    );
  }
  const entries = readdirSync(path).filter((e) => !ignorableEntries.has(e));
  if (entries.length === 0)
    return { path, empty: true, grastate: null, grastateEmpty: false, gvwstate: null };
  if (stat.uid !== serverUser.uid) {
    throw new BadInputError(
      `datadir ${path} is owned by uid ${stat.uid}, not by ${serverUser.name} (uid ${serverUser.uid}); nothing was changed; run chown -R ${serverUser.name}: ${path}`,
    );
  }
  if (!entries.includes("mysql")) {
    // This agent was filling the datadir by a state transfer that did not finish (its marker
    // says so; mariabackup's SST failed this way with two joiners on one donor): the files are
    // the transfer's leftovers, not someone's data. Position unknown: it joins by a new SST,
    // which replaces them, and never bootstraps.
    if (stateTransferPending)
      return { path, empty: false, grastate: null, grastateEmpty: true, gvwstate: null };
    throw new RefusedError(
      `datadir ${path} holds files but no mysql/ system schema, so it is neither empty nor a MariaDB datadir; nothing was changed; empty it or point GALERA_PILOT_DATADIR elsewhere`,
    );
  }
  const grastatePath = join(path, "grastate.dat");
  let grastate: Grastate | null = null;
  const grastateEmpty = existsSync(grastatePath) && statSync(grastatePath).size === 0;
  if (existsSync(grastatePath) && !grastateEmpty) {
    try {
      grastate = parseGrastate(readFileSync(grastatePath, "utf8"));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new RefusedError(
        `${grastatePath} is unreadable or corrupt (${reason}); nothing was changed; restore it from a backup, or remove it to let the node rejoin by SST`,
        { cause: error },
      );
    }
  }
  const gvwstatePath = join(path, "gvwstate.dat");
  let gvwstate: Gvwstate | "empty" | null = null;
  if (existsSync(gvwstatePath)) {
    try {
      gvwstate = parseGvwstate(readFileSync(gvwstatePath, "utf8"));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new RefusedError(
        `${gvwstatePath} is corrupt (${reason}); nothing was changed; remove it (Galera then cannot restore the last primary view by itself)`,
        { cause: error },
      );
    }
  }
  return { path, empty: false, grastate, grastateEmpty, gvwstate };
}
