import { readFileSync } from "node:fs";
import { Secret } from "../config/secret.js";
import type { LocalClusterStatus } from "../local/control-server.js";
import type { Fault } from "./fault-schedule.js";
import { LocalFaultInjector, removeLeftoverRules } from "./local-fault-injector.js";
import type { VerifyCluster } from "./verify-cluster.js";
import type { Endpoint } from "./workloads.js";

/** The local cluster: its runner for status and faults, its client.cnf for credentials. */
export class LocalVerifyCluster implements VerifyCluster {
  readonly writer: Endpoint;
  readonly reader: Endpoint | null;
  readonly #injector: LocalFaultInjector;
  readonly #credentials: { user: string; password: Secret };

  constructor(controlSocket: string, status: LocalClusterStatus) {
    if (!status.proxy) throw new Error("verify needs the local cluster's router (HAProxy); it has none");
    this.#injector = new LocalFaultInjector(controlSocket);
    this.#credentials = readClientConfig(status.clientConfig);
    this.writer = this.#endpoint(status.proxy.writer);
    this.reader = this.#endpoint(status.proxy.reader);
  }

  #endpoint(hostPort: string): Endpoint {
    const [host, port] = hostPort.split(":");
    return { host: host!, port: Number(port), ...this.#credentials };
  }

  async prepare(): Promise<string[]> {
    const leftovers = removeLeftoverRules();
    return leftovers > 0 ? [`removed ${leftovers} iptables rule(s) a previous run left behind`] : [];
  }

  async nodes(): Promise<{ name: string; endpoint: Endpoint }[]> {
    return (await this.#injector.status()).nodes.map((n) => ({
      name: n.name,
      endpoint: { host: n.address, port: 3306, ...this.#credentials },
    }));
  }

  async health(): Promise<{ healthy: boolean; writer: string | null; detail: string }> {
    const status = await this.#injector.status();
    const size = status.nodes.length;
    const writers = status.nodes.filter((n) => n.writer);
    return {
      healthy:
        status.nodes.every((n) => n.phase === "synced" && n.clusterSize === size) && writers.length === 1,
      writer: writers[0]?.name ?? null,
      detail: status.nodes.map((n) => `${n.name} ${n.phase}`).join(", "),
    };
  }

  inject(fault: Fault): Promise<void> {
    return this.#injector.inject(fault);
  }
}

function readClientConfig(path: string): { user: string; password: Secret } {
  const text = readFileSync(path, "utf8");
  const user = /^user=(.*)$/m.exec(text)?.[1];
  const password = /^password=(.*)$/m.exec(text)?.[1];
  if (!user || !password) throw new Error(`${path} has no user= and password= lines`);
  return { user, password: new Secret(password) };
}
