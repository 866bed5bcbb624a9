import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Secret } from "../../../src/config/secret.js";
import {
  newNonce,
  signAnswer,
  signRequest,
  verifyAnswer,
  verifyRequest,
} from "../../../src/peer-api/peer-auth.js";

const secret = new Secret("cluster-secret");
const other = new Secret("another-secret");

describe("peer API authentication", () => {
  it("accepts a request signed with the secret, for its path only", () => {
    const nonce = newNonce();
    const header = signRequest(secret, "/peer/state", nonce);
    assert.equal(verifyRequest(secret, "/peer/state", header), nonce);
    assert.equal(verifyRequest(secret, "/peer/other", header), null);
  });

  it("rejects a missing, malformed or wrongly keyed request", () => {
    assert.equal(verifyRequest(secret, "/peer/state", undefined), null);
    assert.equal(verifyRequest(secret, "/peer/state", "Bearer cluster-secret"), null);
    assert.equal(verifyRequest(secret, "/peer/state", signRequest(other, "/peer/state", newNonce())), null);
  });

  it("the header never contains the secret", () => {
    assert.ok(!signRequest(secret, "/peer/state", newNonce()).includes("cluster-secret"));
  });

  it("an answer verifies only for its nonce, its exact body and the right secret", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (body, tampered) => {
        const nonce = newNonce();
        const mac = signAnswer(secret, nonce, body);
        assert.ok(verifyAnswer(secret, nonce, body, mac));
        assert.ok(!verifyAnswer(secret, newNonce(), body, mac), "replayed against another nonce");
        assert.ok(!verifyAnswer(other, nonce, body, mac));
        assert.ok(!verifyAnswer(secret, nonce, body, null));
        if (tampered !== body) assert.ok(!verifyAnswer(secret, nonce, tampered, mac), "forged body");
      }),
      { numRuns: 300 },
    );
  });
});
