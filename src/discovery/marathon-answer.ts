/**
 * What Marathon answers on `GET /v2/apps/{id}/tasks`: `{ tasks: [...] }`, of which
 * marathon-discovery.ts reads each task's id, agent (`host`), host ports, container addresses
 * and health results. Task fields are optional, as Marathon leaves some out (no health check
 * result yet, no container network); the others are kept unread. Loaded lazily, with valibot,
 * at Marathon's first answer.
 */
import type * as v from "valibot";

import {
  checkAnswer,
  flag,
  list,
  number,
  optional,
  record,
  text,
  type Checked,
} from "../model/wire-check.js";

export const taskEntrySchema = record({
  id: optional(text()),
  host: optional(text()),
  ports: optional(list(number())),
  ipAddresses: optional(list(record({ ipAddress: optional(text()) }))),
  healthCheckResults: optional(list(record({ alive: optional(flag()) }))),
});

export type TaskEntry = v.InferOutput<typeof taskEntrySchema>;

const taskListSchema = record({ tasks: list(taskEntrySchema) });

/** Marathon's answer, an object with a `tasks` list already, checked task by task. */
export function checkTaskList(value: unknown): Checked<{ tasks: TaskEntry[] }> {
  return checkAnswer(taskListSchema, value, "a task list");
}
