import assert from "node:assert/strict";
import { DiscoveryUnavailable } from "../../../src/errors.js";

/** The message of the DiscoveryUnavailable the promise rejects with; fails the test otherwise. */
export async function unavailable(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DiscoveryUnavailable, String(error));
    return error.message;
  }
  assert.fail("no DiscoveryUnavailable");
}
