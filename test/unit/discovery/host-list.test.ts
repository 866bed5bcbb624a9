import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { BadInputError, ExitCode } from "../../../src/errors.js";
import { type HostSpec, parseHostList } from "../../../src/discovery/host-list.js";

const valid: [string, HostSpec[]][] = [
  ["10.0.0.2", [{ kind: "address", host: "10.0.0.2", port: null }]],
  ["10.0.0.2:4568", [{ kind: "address", host: "10.0.0.2", port: 4568 }]],
  [
    " 10.0.0.2 , 10.0.0.3:4567 ,\n10.0.0.4 ",
    [
      { kind: "address", host: "10.0.0.2", port: null },
      { kind: "address", host: "10.0.0.3", port: 4567 },
      { kind: "address", host: "10.0.0.4", port: null },
    ],
  ],
  ["fd00::2", [{ kind: "address", host: "fd00::2", port: null }]],
  ["::1", [{ kind: "address", host: "::1", port: null }]],
  ["[fd00::2]", [{ kind: "address", host: "fd00::2", port: null }]],
  ["[fd00::2]:4567", [{ kind: "address", host: "fd00::2", port: 4567 }]],
  ["[::ffff:10.0.0.2]:1", [{ kind: "address", host: "::ffff:10.0.0.2", port: 1 }]],
  ["galera.service.dc1.consul", [{ kind: "name", host: "galera.service.dc1.consul", port: null }]],
  ["Galera.Service.DC1.Consul.", [{ kind: "name", host: "galera.service.dc1.consul.", port: null }]],
  ["db-1:65535", [{ kind: "name", host: "db-1", port: 65535 }]],
  ["node_1.local", [{ kind: "name", host: "node_1.local", port: null }]],
  ["3com.example", [{ kind: "name", host: "3com.example", port: null }]],
  ["_galera._tcp.service.consul", [{ kind: "srv", host: "_galera._tcp.service.consul", port: null }]],
  [
    "10.0.0.2,galera.service.dc1.consul,_galera._tcp.service.consul,[fd00::3]:4600",
    [
      { kind: "address", host: "10.0.0.2", port: null },
      { kind: "name", host: "galera.service.dc1.consul", port: null },
      { kind: "srv", host: "_galera._tcp.service.consul", port: null },
      { kind: "address", host: "fd00::3", port: 4600 },
    ],
  ],
  [`${"a".repeat(63)}.example`, [{ kind: "name", host: `${"a".repeat(63)}.example`, port: null }]],
];

void describe("parseHostList accepts", () => {
  for (const [text, expected] of valid) {
    void it(JSON.stringify(text), () => assert.deepEqual(parseHostList(text), expected));
  }
});

// Each input, with a fragment its error message must contain.
const invalid: [string, string][] = [
  ["", "empty host list"],
  ["   ", "empty host list"],
  ["a,,b", "has an empty item (position 2)"],
  ["a,b,", "has an empty item (position 3)"],
  [",a", "has an empty item (position 1)"],
  ["a, ,b", "has an empty item (position 2)"],
  ["10.0.0.2:0", 'has port "0"'],
  ["10.0.0.2:65536", 'has port "65536"'],
  ["10.0.0.2:99999", 'has port "99999"'],
  ["10.0.0.2:", 'has port ""'],
  ["10.0.0.2:http", 'has port "http"'],
  ["10.0.0.2:-1", 'has port "-1"'],
  ["10.0.0.2:4567.5", 'has port "4567.5"'],
  ["[fd00::2]:0", 'has port "0"'],
  ["[fd00::2]x", "is not a valid [IPv6]:PORT"],
  ["[10.0.0.2]:4567", "is not a valid [IPv6]:PORT"],
  ["[fd00::2", "is not a valid [IPv6]:PORT"],
  ["fd00::zz", "is not a valid IPv6 address"],
  ["10.0.0.256", "is not a valid IPv4 address"],
  ["10.0.0", "is not a valid IPv4 address"],
  ["010.0.0.2", "is not a valid IPv4 address"],
  [":4567", "has a port but no host"],
  ["gal era.consul", 'has an invalid character " "'],
  ["galera!.consul", 'has an invalid character "!"'],
  ["galéra.consul", 'has an invalid character "é"'],
  ["a..b", "has an empty label"],
  [".a", "has an empty label"],
  ["-a.consul", 'has the label "-a"'],
  ["a-.consul", 'has the label "a-"'],
  [`${"a".repeat(64)}.example`, "has a label longer than 63 characters"],
  [Array(64).fill("abc").join("."), "is longer than 253 characters"],
  ["_galera._tcp.service.consul:4567", "is an SRV name with a port"],
  ["gcomm://10.0.0.2,10.0.0.3", 'starts with "gcomm://"'],
  ["GCOMM://10.0.0.2", 'starts with "gcomm://"'],
  ["10.0.0.2,gcomm://10.0.0.3", "is a URL"],
  ["http://galera.service.consul", "is a URL"],
];

void describe("parseHostList rejects", () => {
  for (const [text, fragment] of invalid) {
    void it(`${JSON.stringify(text)}: ${fragment}`, () => {
      assert.throws(
        () => parseHostList(text),
        (error: unknown) => {
          assert.ok(error instanceof BadInputError);
          assert.equal(error.exitCode, ExitCode.badInput);
          assert.ok(error.message.includes(fragment), error.message);
          assert.ok(error.message.includes("; nothing was started; "), error.message);
          assert.doesNotMatch(error.message, /\n/);
          return true;
        },
      );
    });
  }
});

void describe("parseHostList's messages", () => {
  const exact: [string, string][] = [
    [
      "a,,b",
      'host list "a,,b" has an empty item (position 2); nothing was started; ' +
        'separate hosts with single commas and no comma at either end, e.g. "10.0.0.2,10.0.0.3"',
    ],
    [
      "10.0.0.2:99999",
      'host "10.0.0.2:99999" in the host list has port "99999", which is not a number from 1 to 65535; ' +
        'nothing was started; give a port from 1 to 65535, or leave ":PORT" out to use the default',
    ],
    [
      "gcomm://10.0.0.2,10.0.0.3?pc.wait_prim=no",
      'host list "gcomm://10.0.0.2,10.0.0.3?pc.wait_prim=no" starts with "gcomm://"; nothing was started; ' +
        'give the hosts alone, e.g. "10.0.0.2,10.0.0.3": galera-pilot writes the gcomm:// address itself',
    ],
    [
      "galera.service.dc1.consul,gal era",
      'host "gal era" in the host list has an invalid character " "; nothing was started; ' +
        'a DNS name is dot-separated labels of letters, digits, "-" and "_" (RFC 1123)',
    ],
    [
      "",
      "empty host list; nothing was started; " +
        'give at least one peer, e.g. "10.0.0.2,10.0.0.3" or "galera.service.dc1.consul"',
    ],
    [
      "a\nb",
      'host "a\\nb" in the host list has an invalid character "\\n"; nothing was started; ' +
        'a DNS name is dot-separated labels of letters, digits, "-" and "_" (RFC 1123)',
    ],
  ];
  for (const [text, message] of exact) {
    void it(`for ${JSON.stringify(text)} say what happened and what to do`, () => {
      assert.throws(() => parseHostList(text), { name: "BadInputError", message });
    });
  }
});
