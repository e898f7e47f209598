/**
 * Tells an agent that an attempt's outcome is durable in the log, so what it kept for a resume (a remote
 * attempt's record in Redis, through which its finished result is found again) goes then and not before: a
 * crash between taking a result and logging what came of it (during the review or the merge) leaves the
 * result to be taken again, instead of the agent doing the work twice. Off the step's path (the next step
 * starts meanwhile); the run ends only once every release is done, so nothing is left behind in Redis.
 */
import type { Agent } from '../agents/agent.js';
import type { Logger } from '../support/logger.js';
import type { RunRecorder } from './run-recorder.js';
import type { AttemptOutcome, StepAttempt } from './step-attempt.js';

export class AttemptReleases {
  readonly #recorder: RunRecorder;
  readonly #logger: Logger;
  readonly #pending = new Set<Promise<void>>();

  constructor(recorder: RunRecorder, logger: Logger) {
    this.#recorder = recorder;
    this.#logger = logger;
  }

  /** After the attempt's outcome was recorded: releases what the agent kept once that record is committed. */
  after(agent: Agent | undefined, attempt: StepAttempt, outcome: AttemptOutcome): void {
    if (!agent?.settled) return;
    // An interrupted attempt has no outcome yet: its next attempt may take its work over.
    if (outcome.kind === 'stopped' && outcome.reason === 'interrupt') return;
    const settled = { runId: this.#recorder.state.runId, stepId: attempt.step.id, attempt: attempt.attempt };
    const release: Promise<void> = this.#recorder
      .durable()
      .then(
        () =>
          agent.settled?.(settled).catch((error: unknown) =>
            // Kept longer than needed, never lost: the agent's records expire on their own.
            this.#logger.warn('could not release a settled attempt', { ...settled, error }),
          ),
        // The outcome never reached the log (the store failed): what the agent kept is for the resume.
        () => undefined,
      )
      .finally(() => this.#pending.delete(release));
    this.#pending.add(release);
  }

  /** Resolves when every release asked for so far is done. */
  async done(): Promise<void> {
    await Promise.all([...this.#pending]);
  }
}
