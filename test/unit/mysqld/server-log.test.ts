import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { recogniseRefusal } from "../../../src/mysqld/server-log.js";

void describe("recogniseRefusal", () => {
  void it("recognises Galera's TLS verification failure, as logged by a node with another CA", () => {
    const line =
      "2026-11-25 21:37:00 0 [Note] WSREP: Failed to establish connection: certificate verify failed: self-signed certificate in certificate chain";
    assert.equal(
      recogniseRefusal(line),
      "Galera's TLS handshake with its peers failed (certificate verify failed: self-signed certificate in certificate chain): this node and its peers do not trust each other's certificates",
    );
  });

  void it("ignores the lines of a joiner that merely cannot reach its peers", () => {
    for (const line of [
      "2026-11-25 21:31:44 0 [ERROR] WSREP: failed to open gcomm backend connection: 110: failed to reach primary view",
      "2026-11-25 21:37:00 0 [Note] WSREP: (58ee36b7-834b, 'ssl://127.0.21.3:4567') connection established to 5156cd78-9e7d ssl://127.0.21.2:4567",
      "2026-11-25 21:37:00 0 [Note] WSREP: not using SSL compression",
      "2026-11-25 21:37:00 0 [Note] WSREP: Failed to establish connection: Connection refused",
    ]) {
      assert.equal(recogniseRefusal(line), null, line);
    }
  });
});
