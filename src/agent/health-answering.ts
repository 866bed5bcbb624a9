// The agent's health answers, from memory: the last sample of its mariadbd, its lifecycle and
// the last reports of its view's other members. Computed here, at most every
// answersRefreshMs for the same sample and lifecycle, and read by the health listener,
// /status and /metrics alike. The rules are pure (health/); this keeps their state.
import { healthAnswers, type HealthAnswers } from "../health/health-policy.js";
import { abandonAfterMs, memberKnowledge, stalled } from "../health/member-knowledge.js";
import { steadyState } from "../health/steady-state.js";
import { mayClaimWriter } from "../health/writer-election.js";
import { writerHandover, type HandoverState } from "../health/writer-handover.js";
import { answersDeadline, type PostedAnswers } from "../http/health-routes.js";
import type { Logger } from "../logger.js";
import type { AgentOptions } from "../options/agent-options.js";
import type { PeerStatusPoller } from "../peer-api/peer-status-poller.js";
import type { WsrepSample } from "../probe/wsrep-sample.js";
import { derivePhase, type PhaseFacts } from "./phase.js";

/**
 * Health answers are recomputed and posted to the listener this often, and reused this long
 * by /status and /metrics (same sample, same lifecycle); far below any staleness bound.
 */
export const answersRefreshMs = 100;

export interface HealthAnsweringDeps {
  options: Pick<AgentOptions, "health" | "sampleIntervalMs" | "writerHandoverMs" | "nodeName">;
  selfAddress: string;
  peers: PeerStatusPoller;
  latest: () => WsrepSample;
  lifecycle: () => PhaseFacts["lifecycle"];
  syncedSinceStart: () => boolean;
  /** This agent is taking a backup of its node (phase backing-up: out of the pools). */
  backingUp?: () => boolean;
  log: Logger;
}

export class HealthAnswering {
  readonly #deps: HealthAnsweringDeps;
  /** When this node last became writer-eligible (Synced, Primary, ready), by this node's clock. */
  #eligibleSince: number | null = null;
  /** The writer handover (writer-handover.ts): since when this node's right has held. */
  #handover: HandoverState = { eligibleSince: null, rightSince: null };
  #claimLogged = false;
  /** The last steady-state sentence logged (steady-state.ts). */
  #steady: string | null = null;
  /** When the answers were last computed (every answersRefreshMs while the agent runs). */
  #lastComputedAt: number | null = null;
  /** When this agent last began to listen to its peers: its start, or the end of a stall. */
  #listeningSince = Date.now();
  #cache: { at: number; lifecycle: PhaseFacts["lifecycle"]; sampleAt: number; value: HealthAnswers } | null =
    null;

  constructor(deps: HealthAnsweringDeps) {
    this.#deps = deps;
  }

  get eligibleSince(): number | null {
    return this.#eligibleSince;
  }

  /** A new mariadbd: no eligibility carried over from the last one. */
  serverStarted(): void {
    this.#eligibleSince = null;
  }

  /** The staleness rule: a sample older than three sampling intervals counts as unknown. */
  sampleFresh(sample: WsrepSample, now: number): boolean {
    return now - sample.takenAt <= 3 * this.#deps.options.sampleIntervalMs;
  }

  /** The phase and whether this node would be ready, before writer election. */
  phase(now: number): ReturnType<typeof derivePhase> {
    const sample = this.#deps.latest();
    return derivePhase({
      lifecycle: this.#deps.lifecycle(),
      syncedSinceStart: this.#deps.syncedSinceStart(),
      sample,
      sampleFresh: this.sampleFresh(sample, now),
      backingUp: this.#deps.backingUp?.() ?? false,
    });
  }

  /**
   * The health answers, recomputed at most every answersRefreshMs for the same sample and
   * lifecycle. A new sample, or a lifecycle change such as draining, is seen at once.
   */
  answers(now = Date.now()): HealthAnswers {
    const cached = this.#cache;
    if (
      cached &&
      cached.lifecycle === this.#deps.lifecycle() &&
      cached.sampleAt === this.#deps.latest().takenAt &&
      now - cached.at < answersRefreshMs
    ) {
      return cached.value;
    }
    return this.#refresh(now);
  }

  /**
   * The answers computed now, with the time after which the listener must stop serving
   * them: no later than the sample they used stays fresh, nor than this thread may stay
   * silent. Past it, every health path, /live too, answers 503 (health-routes.ts).
   */
  posted(now: number): PostedAnswers {
    const answers = this.#refresh(now);
    const sample = this.#deps.latest();
    const lifecycle = this.#deps.lifecycle();
    const fromSample = (lifecycle === "running" || lifecycle === "draining") && this.sampleFresh(sample, now);
    return {
      answers,
      validUntil: answersDeadline({
        now,
        sampleIntervalMs: this.#deps.options.sampleIntervalMs,
        freshSampleTakenAt: fromSample ? sample.takenAt : null,
      }),
    };
  }

  /** Computes the answers now, whatever the cache holds, and caches them. */
  #refresh(now: number): HealthAnswers {
    const value = this.#compute(now);
    this.#cache = {
      at: now,
      lifecycle: this.#deps.lifecycle(),
      sampleAt: this.#deps.latest().takenAt,
      value,
    };
    this.#sayState(now, value);
    return value;
  }

  /** Logs the node's steady state when it changed (steady-state.ts): the log says what it is doing now. */
  #sayState(now: number, answers: HealthAnswers): void {
    const sentence = steadyState({
      node: this.#deps.options.nodeName,
      phase: this.phase(now),
      ready: answers.ready === 200,
      writer: answers.writer === 200,
      clusterSize: this.#deps.latest().clusterSize,
    });
    if (sentence === null || sentence === this.#steady) return;
    this.#steady = sentence;
    this.#deps.log.info(sentence);
  }

  #compute(now: number): HealthAnswers {
    const { options, log } = this.#deps;
    if (stalled(this.#lastComputedAt, now, options.sampleIntervalMs)) {
      // Paused or starved: what it knew of its peers is old, and its eligibility was not watched.
      this.#listeningSince = now;
      this.#eligibleSince = null;
      log.warn(
        `this agent did not run for ${((now - this.#lastComputedAt!) / 1000).toFixed(1)} s (paused or starved): it claims the writer role again only as a newly eligible member, once it has heard from its peers`,
      );
    }
    this.#lastComputedAt = now;
    const phase = this.phase(now);
    const readOnly = this.#deps.latest().readOnly;
    const base = healthAnswers({ phase, readOnly, writer: false }, options.health);
    // Eligible since the first computation that found it so: later than any earlier answer
    // that said it was not, which is what the other members' bounds rely on.
    if (phase === "synced" && base.ready === 200) this.#eligibleSince ??= now;
    else this.#eligibleSince = null;
    return healthAnswers({ phase, readOnly, writer: this.#isWriter(now) }, options.health);
  }

  /**
   * Does this node answer 200 on /writer? Only once its right to the role (writer-election.ts)
   * has held for the handover time, so that HAProxy has the previous writer DOWN.
   */
  #isWriter(now: number): boolean {
    const handoverMs = this.#deps.options.writerHandoverMs;
    const turn = writerHandover(this.#handover, this.#eligibleSince, this.#mayClaim(now), now, handoverMs);
    if (turn.claim && !this.#claimLogged) {
      this.#deps.log.info(
        `claims the writer role: its right first held ${now - turn.state.rightSince!} ms ago in this period of eligibility (handover ${handoverMs} ms)`,
      );
    }
    this.#claimLogged = turn.claim;
    this.#handover = turn.state;
    return turn.claim;
  }

  /** Has this node the right to the writer role of its primary view? (see writer-election.ts) */
  #mayClaim(now: number): boolean {
    const { peers, selfAddress, options } = this.#deps;
    const others = this.#deps
      .latest()
      .incomingAddresses.filter((address) => address !== selfAddress)
      .map((address) =>
        memberKnowledge(
          {
            address,
            last: peers.get(address),
            firstSeen: peers.firstSeen(address) ?? now,
            refusedAt: peers.refusedAt(address),
          },
          now,
          abandonAfterMs(options.sampleIntervalMs),
          this.#listeningSince,
        ),
      );
    return mayClaimWriter({ address: selfAddress, eligibleSince: this.#eligibleSince }, others);
  }
}
