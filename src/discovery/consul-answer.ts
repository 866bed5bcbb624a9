/**
 * What Consul's health API answers (`GET /v1/health/service/NAME`): one entry per instance,
 * of which consul-api-discovery.ts reads the node's and the service's address and the
 * service's port. Every field is optional, as Consul may leave one out; the others (Checks,
 * Datacenter, …) are kept unread. Loaded lazily, with valibot, at Consul's first answer.
 */
import type * as v from "valibot";

import {
  checkAnswer,
  list,
  number,
  optional,
  orNull,
  record,
  text,
  type Checked,
} from "../model/wire-check.js";

export const healthEntrySchema = record({
  Node: optional(record({ Node: optional(text()), Address: optional(text()) })),
  Service: optional(
    record({
      ID: optional(text()),
      Service: optional(text()),
      Address: optional(text()),
      Port: optional(number()),
      Tags: optional(orNull(list(text()))),
    }),
  ),
});

export type HealthEntry = v.InferOutput<typeof healthEntrySchema>;

const healthListSchema = list(healthEntrySchema);

/** Consul's answer, a list already, checked entry by entry. */
export function checkHealthEntries(value: unknown): Checked<HealthEntry[]> {
  return checkAnswer(healthListSchema, value, "a list");
}
