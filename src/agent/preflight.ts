import { createServer } from "node:net";
import { BadInputError } from "../errors.js";

/**
 * Checks that a TCP port can be bound, before anything is written: a port taken by another
 * process would otherwise fail mariadbd half-way through a start.
 */
export function checkPortFree(address: string, port: number, purpose: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => {
      const why =
        error.code === "EADDRINUSE"
          ? "is already in use by another process"
          : error.code === "EADDRNOTAVAIL"
            ? "cannot be bound: the address is not on this machine"
            : `cannot be bound (${error.code ?? error.message})`;
      reject(
        new BadInputError(
          `${purpose} port ${address}:${port} ${why}; nothing was started and the datadir was not touched; stop the other process or choose another port/address`,
        ),
      );
    });
    server.listen({ host: address, port, exclusive: true }, () => server.close(() => resolve()));
  });
}
