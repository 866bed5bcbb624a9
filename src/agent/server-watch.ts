// What the agent knows of the mariadbd it runs now: how it was started, and what its samples
// have shown since. Each start begins afresh.
import type { ChildProcess } from "node:child_process";
import type { WsrepSample } from "../probe/wsrep-sample.js";
import type { StartKind } from "./live-position.js";

/** What one sample changed that the agent acts on. */
export interface SampleNews {
  /** Synced now (Primary and local state 4). */
  synced: boolean;
  /** Synced for the first time since this start: a state transfer into it has ended. */
  firstSync: boolean;
  /** The node is in a primary component. */
  primary: boolean;
}

export class ServerWatch {
  child: ChildProcess | null = null;
  /** How the running mariadbd was started. */
  kind: StartKind | null = null;
  /** The node has been Synced at least once since mariadbd last started. */
  syncedSinceStart = false;
  /** Since when it has been Synced without a break, by the sample's clock. */
  syncedSince: number | null = null;
  /** The node was in a primary component since this mariadbd started. */
  primarySinceStart = false;
  /** Since when mariadbd has been answering outside any primary component, or null. */
  outsidePrimarySince: number | null = null;

  started(child: ChildProcess, kind: StartKind): void {
    this.child = child;
    this.kind = kind;
    this.syncedSinceStart = false;
    this.syncedSince = null;
    this.primarySinceStart = false;
    this.outsidePrimarySince = null;
  }

  ended(): void {
    this.child = null;
  }

  observe(s: WsrepSample): SampleNews {
    const synced = s.error === null && s.clusterStatus === "Primary" && s.localState === 4;
    const firstSync = synced && !this.syncedSinceStart;
    if (synced) {
      this.syncedSinceStart = true;
      this.syncedSince ??= s.takenAt;
    } else {
      this.syncedSince = null;
    }
    const primary = s.error === null && s.clusterStatus === "Primary";
    if (s.error === null) {
      if (primary) this.outsidePrimarySince = null;
      else this.outsidePrimarySince ??= s.takenAt;
    }
    if (primary) this.primarySinceStart = true;
    return { synced, firstSync, primary };
  }
}
