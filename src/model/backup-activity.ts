/**
 * What an agent's GET /backup answers (agent/backup-taking.ts writes it, `galera-pilot backup`
 * reads it: peer-api/backup-client.ts): the backup under way, the last one the agent ended,
 * its destination and its schedule. Fields are added, never renamed; a reader takes an absent
 * newer field as an older agent's answer.
 */

/** What GET /backup says of the schedule (agent/backup-schedule-watch.ts keeps it). */
export interface ScheduleActivity {
  /** GALERA_PILOT_BACKUP_SCHEDULE's five fields, read in UTC. */
  expression: string;
  /** The next slot's time, or null when the schedule holds no later one. */
  nextSlot: string | null;
  /** Why the due slot waits (the line of its last try), while it does. */
  waiting: string | null;
  /** The last slot this agent settled, and how. */
  lastSlot: {
    slot: string;
    /** taken by this node; left to another; missed (no agent claimed it); failed here after its claim. */
    outcome: "taken" | "left" | "missed" | "failed";
    /** The node that took it (this one), or it was left to, or that claimed it; null when unknown. */
    node: string | null;
    /** The backup's id, once one started. */
    backup: string | null;
    /** The line logged. */
    reason: string;
  } | null;
}

/** What GET /backup answers: the backup under way, and the last one this agent ended. */
export interface BackupActivity {
  running: {
    id: string;
    startedAt: string;
    bytesStreamed: number;
    bytesStored: number;
    progress: string;
  } | null;
  last: {
    id: string;
    state: "complete" | "failed";
    endedAt: string;
    failure: string | null;
    /** The manifest on the destination says so (false: a failed one could not be marked failed). */
    recorded: boolean;
  } | null;
  destination: string | null;
  /** The backup schedule, when the agent has one. */
  schedule: ScheduleActivity | null;
}
