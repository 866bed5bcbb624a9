import { request } from "node:http";

/** One HTTP answer, read whole. */
export interface PlainResponse {
  status: number;
  headers: NodeJS.Dict<string | string[]>;
  body: string;
}

/** A peer agent's answer is a small JSON document: anything longer is not one. */
const maxAnswerBytes = 1024 * 1024;

/**
 * One GET with node:http, whole within timeoutMs; rejects when there is no whole answer in
 * time. Not fetch: its first call loads undici, 40–100 ms of a recovering agent's critical
 * path, which asks its peers before anything else.
 */
export function httpGet(
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<PlainResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
      const chunks: Buffer[] = [];
      let length = 0;
      res.on("data", (chunk: Buffer) => {
        length += chunk.length;
        if (length > maxAnswerBytes) return void req.destroy(new Error("answer too long"));
        chunks.push(chunk);
      });
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}
