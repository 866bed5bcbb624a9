import { connect } from "node:net";

/**
 * Whether a TCP connection to "host:port" is refused (nothing listens there) within
 * `timeoutMs`. Anything else — accepted, timed out, unreachable — is not a refusal: only a
 * refusal proves the listener gone.
 */
export function tcpRefused(address: string, timeoutMs: number): Promise<boolean> {
  const m = /^(.*):(\d+)$/.exec(address);
  if (!m) return Promise.resolve(false);
  const host = m[1]!.replace(/^\[(.*)\]$/, "$1");
  return new Promise((resolve) => {
    const socket = connect({ host, port: Number(m[2]) });
    const done = (refused: boolean) => {
      socket.destroy();
      resolve(refused);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(false));
    socket.once("error", (error: NodeJS.ErrnoException) => done(error.code === "ECONNREFUSED"));
  });
}
