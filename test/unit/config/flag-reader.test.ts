import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { FlagReader, type GivenValue } from "../../../src/config/flag-reader.js";
import { BadInputError } from "../../../src/errors.js";

/** A reader of `--NAME VALUE` pairs, as the command "demo" would get them. */
function reader(values: Record<string, string>, outcome?: string): FlagReader {
  const given = new Map<string, GivenValue>(
    Object.entries(values).map(([name, text]) => [name, { text, source: `--${name}` }]),
  );
  return new FlagReader("demo", given, new Set(["json"]), outcome);
}

function refuses(read: () => unknown, message: string): void {
  assert.throws(read, (error: unknown) => error instanceof BadInputError && error.message === message);
}

describe("FlagReader", () => {
  it("reads whole numbers in their range, saying the range (and unit) when one is not", () => {
    assert.equal(reader({ n: "5" }).integer("n", 1, 1, 9), 5);
    assert.equal(reader({}).integer("n", 7, 1, 9), 7);
    refuses(
      () => reader({ n: "10" }).integer("n", 1, 1, 9),
      'demo: --n "10" is not a whole number from 1 to 9',
    );
    refuses(
      () => reader({ n: "1.5" }).integer("n", 1, 1, 9),
      'demo: --n "1.5" is not a whole number from 1 to 9',
    );
    refuses(() => reader({ n: "-1" }).integer("n", 0, 0), 'demo: --n "-1" is not a whole number, 0 or more');
    refuses(
      () => reader({ t: "0" }).integer("t", 600, 1, 86_400, "seconds"),
      'demo: --t "0" is not a whole number of seconds from 1 to 86400',
    );
  });

  it("reads ports and decimal numbers", () => {
    assert.equal(reader({ p: "3310" }).port("p", 3306), 3310);
    refuses(
      () => reader({ p: "70000" }).port("p", 3306),
      'demo: --p "70000" is not a port number from 1 to 65535',
    );
    assert.equal(reader({ cpus: "0.5" }).number("cpus", 1, 0.01, 1024), 0.5);
    refuses(
      () => reader({ cpus: "0" }).number("cpus", 1, 0.01, 1024),
      'demo: --cpus "0" is not a number from 0.01 to 1024',
    );
  });

  it("reads a choice, required when there is no fallback", () => {
    assert.equal(reader({ layout: "auto" }).choice("layout", ["seed", "auto"]), "auto");
    assert.equal(reader({}).choice("layout", ["seed", "auto"], "seed"), "seed");
    refuses(() => reader({}).choice("layout", ["seed", "auto"]), "demo: --layout is required: seed or auto");
    refuses(
      () => reader({ layout: "both" }).choice("layout", ["seed", "auto"]),
      'demo: --layout "both" is not one of seed, auto',
    );
  });

  it("checks a value, and a fallback text alike, with the reader given", () => {
    const ipv4 = (text: string): string | undefined => (/^\d+\.\d+\.\d+\.\d+$/.test(text) ? text : undefined);
    assert.equal(reader({}).value("at", "an IPv4 address", ipv4), undefined);
    assert.equal(reader({}).value("at", "an IPv4 address", ipv4, "127.0.0.1"), "127.0.0.1");
    refuses(
      () => reader({}).value("at", "an IPv4 address", ipv4, "localhost"),
      'demo: --at "localhost" is not an IPv4 address',
    );
  });

  it("appends the command's outcome to every error", () => {
    refuses(
      () => reader({ n: "x" }, "nothing was started").integer("n", 1, 1, 9),
      'demo: --n "x" is not a whole number from 1 to 9; nothing was started',
    );
  });
});
