import type { FlagReader } from "../config/flag-reader.js";

/** An agent named on the command line: its node's name and its health URL. */
export interface AgentUrl {
  name: string;
  url: string;
}

/** `--nodes NAME=URL[,NAME=URL…]`: each agent's health URL (doctor, backup). */
export function parseAgentUrls(flags: FlagReader): AgentUrl[] {
  const text = flags.string("nodes") ?? "";
  const nodes = text
    .split(",")
    .filter((p) => p.trim() !== "")
    .map((part) => {
      const match = /^([A-Za-z0-9_.-]+)=(https?:\/\/[^\s/]+)\/?$/.exec(part.trim());
      if (!match) {
        throw flags.error(
          "nodes",
          `item ${JSON.stringify(part)} is not NAME=URL, e.g. n1=http://10.0.0.2:8080`,
        );
      }
      return { name: match[1]!, url: match[2]! };
    });
  if (nodes.length === 0) {
    throw flags.error("nodes", `${JSON.stringify(text)} names no node; give NAME=URL[,NAME=URL…]`);
  }
  return nodes;
}
