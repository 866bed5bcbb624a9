// The SST user must log in with XTRABACKUP_PASSWORD: a donor runs mariabackup with it, and a
// datadir initialised with another password fails every joiner's SST (the joiner only sees
// "SST failed"). Checked once mariadbd answers synced, on each start; a wrong password ends
// the agent (the node leaves cleanly: it could never serve a transfer).
import type { Secret } from "../config/secret.js";
import { ClusterMismatchError } from "../errors.js";
import { checkLogin } from "../probe/server-sql.js";
import { sstUserName } from "./run-paths.js";

export class SstPasswordCheck {
  readonly #socket: string;
  readonly #password: Secret;
  #checked = false;
  #fatal: ClusterMismatchError | null = null;
  #wake: (() => void) | null = null;

  constructor(socket: string, password: Secret) {
    this.#socket = socket;
    this.#password = password;
  }

  /** A new mariadbd: checked again once it is synced. */
  reset(): void {
    this.#checked = false;
  }

  async checkOnce(): Promise<void> {
    if (this.#checked) return;
    this.#checked = true;
    const verdict = await checkLogin(this.#socket, sstUserName, this.#password);
    // No verdict on the password (the server is going away, say): checked again next start.
    if (verdict === "unknown") this.#checked = false;
    if (verdict !== "denied") return;
    this.#fatal = new ClusterMismatchError(
      `XTRABACKUP_PASSWORD is not the password of the SST user "${sstUserName}" in this datadir, so this node could never serve a state transfer: every joiner asking it would fail; it left the cluster cleanly and its datadir is intact; set the password the datadir was initialised with, or change it with ALTER USER '${sstUserName}'@'localhost' IDENTIFIED BY … on the cluster`,
    );
    this.#wake?.();
  }

  /** Resolves with the error once the password is found wrong. */
  failed(): Promise<{ fatal: Error }> {
    return new Promise((resolve) => {
      if (this.#fatal) return resolve({ fatal: this.#fatal });
      this.#wake = () => resolve({ fatal: this.#fatal! });
    });
  }
}
