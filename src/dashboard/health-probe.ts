import { connect } from "node:net";

export interface ProbeAnswer {
  code: number;
  /** The raw bytes received, for the bare-100 check. */
  raw: string;
}

/**
 * GET over a raw socket, reading until the server closes or one final answer arrives. A
 * raw client, because `/` may answer a bare "100 Continue" and stop, which HTTP libraries
 * treat as an interim answer and keep waiting after.
 */
export function probe(host: string, port: number, path: string, timeoutMs = 2000): Promise<ProbeAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let raw = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`GET http://${host}:${port}${path}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      const match = /^HTTP\/1\.1 (\d{3})/.exec(raw);
      if (!match) reject(new Error(`GET ${path}: not an HTTP answer: ${JSON.stringify(raw.slice(0, 80))}`));
      else resolve({ code: Number(match[1]), raw });
    };
    socket.on("connect", () =>
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`),
    );
    socket.on("data", (chunk: Buffer) => {
      raw += chunk.toString();
      const headerEnd = raw.indexOf("\r\n\r\n");
      if (headerEnd === -1) return;
      const length = /content-length: (\d+)/i.exec(raw.slice(0, headerEnd));
      if (length && raw.length >= headerEnd + 4 + Number(length[1])) finish();
    });
    socket.on("end", finish);
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** The four health answers of a node: [/, /ready, /live, /writer]. */
export async function healthCodes(host: string, port = 8080): Promise<[number, number, number, number]> {
  const [root, ready, live, writer] = await Promise.all(
    ["/", "/ready", "/live", "/writer"].map((path) => probe(host, port, path)),
  );
  return [root!.code, ready!.code, live!.code, writer!.code];
}
