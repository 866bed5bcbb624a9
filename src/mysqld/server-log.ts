/**
 * mariadbd's log lines that mean its peers refuse this node: restarting it would fail the
 * same way, so the agent stops and says why in one line instead of restarting forever.
 * Lines as Galera 26.4 and MariaDB 10.11 write them (seen here, see the TLS test):
 *
 *     [Note] WSREP: Failed to establish connection: certificate verify failed: self-signed certificate in certificate chain
 */
const refusals: { pattern: RegExp; meaning: (match: RegExpExecArray) => string }[] = [
  {
    pattern: /WSREP: Failed to establish connection: (certificate verify failed[^\n]*)/,
    meaning: (m) =>
      `Galera's TLS handshake with its peers failed (${(m[1] ?? "").trim()}): this node and its peers do not trust each other's certificates`,
  },
  {
    pattern:
      /WSREP: Failed to establish connection: ((?:[^\n]*)(?:wrong version number|unknown ca|bad certificate|certificate unknown|sslv3 alert)[^\n]*)/i,
    meaning: (m) =>
      `Galera's TLS handshake with its peers failed (${(m[1] ?? "").trim()}): one side speaks TLS with a certificate the other does not accept, or no TLS at all`,
  },
];

/** The meaning of a refusal line, or null for any other line. */
export function recogniseRefusal(line: string): string | null {
  for (const { pattern, meaning } of refusals) {
    const match = pattern.exec(line);
    if (match) return meaning(match);
  }
  return null;
}
