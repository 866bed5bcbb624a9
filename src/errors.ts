/**
 * The project's small error tree. Every error that reaches a person says what happened,
 * what was kept safe, and what to do next, on one line; the CLI prints `message` and exits
 * with `exitCode`. Anything that is not a GaleraPilotError is a bug: "unexpected error".
 */

/** Exit codes of `galera-pilot seed|node`, documented in docs/cli.md. */
export const ExitCode = {
  ok: 0,
  /** mariadbd failed or exited on its own with an error. */
  serverFailed: 1,
  /** Bad arguments, environment or files: nothing was started, the datadir is untouched. */
  badInput: 2,
  /** A safety rule refused the start (e.g. a datadir of another cluster). */
  refused: 3,
  /** Peers could not be discovered (DNS or another discovery backend). */
  discoveryUnavailable: 4,
  /**
   * This node does not fit the cluster its peers form: another cluster name, a TLS
   * certificate the peers do not trust, an SST password the datadir does not hold.
   */
  rejectedByCluster: 5,
  /**
   * A backup, restore or backup command could not be completed (the destination unreachable,
   * full, a corrupt stream, mariabackup failing): nothing was marked complete, no datadir was
   * changed.
   */
  backupFailed: 8,
  /** `galera-pilot verify`: a lost write, divergence, a cluster that did not recover, or a run that could not check. */
  verifyFoundProblems: 7,
  /** A bug: an error of no known kind. */
  unexpected: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class GaleraPilotError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** The user's input (argv, env, secret files, host list) is wrong; nothing was changed. */
export class BadInputError extends GaleraPilotError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.badInput, options);
  }
}

/** Discovery (DNS, Consul, Marathon) could not produce the peer list. */
export class DiscoveryUnavailable extends GaleraPilotError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.discoveryUnavailable, options);
  }
}

/** A safety rule refused to act; the datadir was kept as it was. */
export class RefusedError extends GaleraPilotError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.refused, options);
  }
}

/** mariadbd (or one of its helper runs) failed. */
export class ServerFailedError extends GaleraPilotError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.serverFailed, options);
  }
}

/**
 * This node's settings do not fit its cluster or its datadir (found from the peers' reports
 * or from mariadbd's own log): restarting would fail the same way, so the agent exits.
 */
export class ClusterMismatchError extends GaleraPilotError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.rejectedByCluster, options);
  }
}

/**
 * A backup, a restore or a command on the backups failed (the destination, mariabackup, a
 * checksum): no backup was marked complete that is not, no datadir was changed.
 */
export class BackupError extends GaleraPilotError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.backupFailed, options);
  }
}
