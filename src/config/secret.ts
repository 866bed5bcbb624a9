import { inspect } from "node:util";

/**
 * A secret value (a password) that cannot end up in a log line, a JSON answer or an error
 * message by accident: printing it, interpolating it or serialising it shows "[secret]".
 * The one way to the value is `reveal()`, used only where it is written to a 0600 file or
 * sent to mariadbd over a socket.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return "[secret]";
  }
  toJSON(): string {
    return "[secret]";
  }
  [inspect.custom](): string {
    return "[secret]";
  }
}
