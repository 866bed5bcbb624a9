/**
 * A local runner whose agents and HAProxy cannot notice that it is gone, as a runner of an
 * earlier version started them: `node leftover-runner.js STATE_DIR FIRST_ADDRESS ROUTER_ADDRESS`
 * starts HAProxy and three agents the way `local up` does (the same classes), prints
 * "synced" once 3 of 3 are, and waits to be killed. Killed with SIGKILL, it leaves them
 * running: leftovers for the next `local up` to find.
 */
import { LocalCluster } from "../../src/local/local-cluster.js";
import { LocalRouter } from "../../src/local/local-router.js";
import { agentEntry } from "./local-cluster-harness.js";

const [stateDir, firstAddress, routerAddress] = process.argv.slice(2);
if (!stateDir || !firstAddress || !routerAddress) {
  console.error("usage: leftover-runner.js STATE_DIR FIRST_ADDRESS ROUTER_ADDRESS");
  process.exit(2);
}
const log = (line: string): void => console.log(`[leftover-runner] ${line}`);
const cluster = new LocalCluster({
  stateDir,
  nodeCount: 3,
  firstAddress,
  healthPort: 8080,
  agentEntry,
  log,
  agentEnv: { GALERA_PILOT_DONOR_AVAILABLE: "no" },
  stopWithRunner: false,
});
const router = new LocalRouter({
  stateDir,
  address: routerAddress,
  healthPort: 8080,
  layout: cluster.layout,
  log,
  stopWithRunner: false,
});
await router.process.start();
await cluster.up();
await cluster.waitFor(
  (s) => s.every((n) => n.phase === "synced" && n.clusterSize === 3),
  240_000,
  "3 of 3 synced",
);
console.log("synced");
setInterval(() => undefined, 60_000);
