import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { clusterNameRefusal, type AnsweredPeer } from "../../../src/decide/peer-cluster-name.js";

const peer = (name: string, clusterName?: string): AnsweredPeer => ({
  address: `10.0.0.${name.slice(1)}`,
  report: clusterName === undefined ? { name } : { name, clusterName },
});

describe("clusterNameRefusal", () => {
  it("refuses a node whose peer belongs to another cluster name, naming the peer, both names and what to do", () => {
    assert.equal(
      clusterNameRefusal("galera", [peer("n2", "galera"), peer("n3", "other")]),
      'peer n3 (10.0.0.3) belongs to cluster "other" but this node is set to "galera", and Galera never lets a node of another cluster name join; mariadbd was not started with it and the datadir was not changed by galera-pilot; set the same GALERA_PILOT_CLUSTER_NAME on every node, or point this node at its own cluster\'s peers',
    );
  });

  it("lets a node in whose peers all share its cluster name, or say none (an older agent)", () => {
    assert.equal(clusterNameRefusal("galera", [peer("n2", "galera"), peer("n3")]), null);
    assert.equal(clusterNameRefusal("galera", []), null);
  });

  it("compares names exactly: case matters to Galera", () => {
    assert.match(
      clusterNameRefusal("galera", [peer("n2", "Galera")]) ?? "",
      /^peer n2 \(10\.0\.0\.2\) belongs to cluster "Galera"/,
    );
  });

  it("refuses exactly when some peer names another cluster, and names the first such peer (property)", () => {
    const names = fc.constantFrom("galera", "other", "Galera", undefined);
    fc.assert(
      fc.property(
        names.filter((n) => n !== undefined),
        fc.array(names, { maxLength: 6 }),
        (own, peerNames) => {
          const peers = peerNames.map((n, i) => peer(`n${i + 2}`, n));
          const refusal = clusterNameRefusal(own, peers);
          // Oracle: written out here, not through the function under test.
          let firstStranger = -1;
          for (let i = 0; i < peerNames.length; i++) {
            if (peerNames[i] !== undefined && peerNames[i] !== own) {
              firstStranger = i;
              break;
            }
          }
          if (firstStranger < 0) assert.equal(refusal, null);
          else
            assert.ok(
              refusal?.startsWith(
                `peer n${firstStranger + 2} (10.0.0.${firstStranger + 2}) belongs to cluster "${peerNames[firstStranger]}"`,
              ),
            );
        },
      ),
    );
  });
});
