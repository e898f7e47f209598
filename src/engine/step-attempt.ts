/**
 * One attempt of one step: records its start durably before the agent does anything, arms the step
 * timeout, runs the agent, and says how the attempt ended. Deciding what happens next is the executor's.
 */
import type { Agent, AgentOutcomeDetails, AgentTask, StepFailure } from '../agents/agent.js';
import type { StepDefinition } from '../protocol/plan-types.js';
import type { Clock } from '../support/clock.js';
import type { Logger } from '../support/logger.js';
import type { StepCommits } from './events.js';
import { recordRemoteFact } from './remote-facts.js';
import type { RunRecorder } from './run-recorder.js';
import type { StepHookContext, StepHooks } from './step-hooks.js';
import { prepareWorkspace, runStages } from './step-stages.js';
import { TranscriptLog, transcriptFileOf } from './transcript-log.js';

/** Why the executor aborted a running attempt. */
export type AbortReason = 'timeout' | 'interrupt' | 'cancel' | 'budget';

export type AttemptOutcome =
  | ({ kind: 'succeeded'; durationMs: number; output: string; change?: StepCommits } & AgentOutcomeDetails)
  | ({ kind: 'failed'; failure: StepFailure; durationMs: number; feedback?: string } & AgentOutcomeDetails)
  | ({ kind: 'rejected'; reason: string; feedback: string; durationMs: number } & AgentOutcomeDetails)
  | ({
      kind: 'conflicted';
      files: string[];
      message: string;
      durationMs: number;
      /** The step that will resolve the conflict, if the workspace proposes one. */
      resolution?: StepDefinition;
    } & AgentOutcomeDetails)
  | { kind: 'stopped'; reason: Exclude<AbortReason, 'timeout' | 'budget'> };

/** Where the agent works: its directory, the attempt's variables, and the commit it was checked out at. */
interface PreparedPlace {
  cwd: string;
  env?: Record<string, string>;
  startCommit?: string;
  /** `workspace.setup` for the agent to run in its own checkout (distributed mode). */
  setupOnAgent?: string[];
}

export interface AttemptContext {
  recorder: RunRecorder;
  clock: Clock;
  logger: Logger;
  logsDir: string;
  workspace: string;
  /** The agent's configured timeout, for steps that set none. */
  agentTimeoutMs?: number;
  hooks?: StepHooks;
  /** Added to the prompt of this attempt (reviewers' reasons after a rejection). */
  feedback?: string;
  /** The previous attempt, when it was interrupted (see `AgentTask.interruptedAttempt`). */
  interruptedAttempt?: number;
  /** Why the agent's usage passes the step's own budget, if it does: the attempt then fails as BUDGET. */
  overBudget?(usage: AgentOutcomeDetails['usage']): string | undefined;
}

export class StepAttempt {
  readonly step: StepDefinition;
  readonly attempt: number;
  /** Made on first use: most in-process agents never look at the signal, and plans can hold 100,000 steps. */
  #controller: AbortController | undefined;
  #reason: AbortReason | undefined;
  /** Why a `budget` abort happened, for the failure. */
  #budgetDetail: string | undefined;

  constructor(step: StepDefinition, attempt: number) {
    this.step = step;
    this.attempt = attempt;
  }

  abort(reason: AbortReason, detail?: string): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    if (reason === 'budget') this.#budgetDetail = detail;
    this.#controller?.abort(new Error(`step ${reason}`));
  }

  /** Aborted when the attempt is (for work the executor does itself, such as a best-of-N pick). */
  get signal(): AbortSignal {
    return this.#signal();
  }

  #signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#reason !== undefined) this.#controller.abort(new Error(`step ${this.#reason}`));
    }
    return this.#controller.signal;
  }

  /** Reads the abort reason afresh: it changes while the attempt awaits. */
  #stoppedBy(): 'interrupt' | 'cancel' | undefined {
    return this.#reason === 'interrupt' || this.#reason === 'cancel' ? this.#reason : undefined;
  }

  /** Prepares the step's workspace, runs the agent, then the stages (review, merge) its result must pass. */
  async run(agent: Agent, context: AttemptContext): Promise<AttemptOutcome> {
    const { recorder } = context;
    const stepId = this.step.id;
    recorder.record({
      type: 'step.started',
      data: { stepId, attempt: this.attempt, agent: this.step.agent },
    });
    // The start must be durable before a process exists, or a crash could leave a process nobody knows of.
    await recorder.durable();
    const stoppedEarly = this.#stoppedBy();
    if (stoppedEarly) return { kind: 'stopped', reason: stoppedEarly };
    const hookContext: StepHookContext = {
      runId: recorder.state.runId,
      step: this.step,
      attempt: this.attempt,
      workspace: context.workspace,
      state: recorder.state,
      signal: this.#signal(),
      logsDir: context.logsDir,
    };
    const startedAt = context.clock.now();
    const prepared = await prepareWorkspace(context.hooks, hookContext, recorder);
    if (!prepared.ok)
      return { kind: 'failed', failure: prepared.failure, durationMs: context.clock.now() - startedAt };
    try {
      return await this.#runPrepared(agent, context, hookContext, prepared, startedAt);
    } finally {
      prepared.release?.();
    }
  }

  /** The agent in its prepared directory, then the stages its result must pass. */
  async #runPrepared(
    agent: Agent,
    context: AttemptContext,
    hookContext: StepHookContext,
    place: PreparedPlace,
    startedAt: number,
  ): Promise<AttemptOutcome> {
    const { recorder } = context;
    const { cwd, env } = place;
    const outcome = await this.#runAgent(agent, context, place);
    if (outcome.kind !== 'succeeded') return outcome;
    const staged = await runStages(context.hooks?.stages ?? [], {
      ...hookContext,
      cwd,
      output: outcome.output,
      ...(outcome.filesChanged && { filesChanged: outcome.filesChanged }),
      ...(env && { env }),
      recorder,
    });
    const stopped = this.#stoppedBy();
    if (stopped) return { kind: 'stopped', reason: stopped };
    const durationMs = context.clock.now() - startedAt;
    const { kind: _kind, durationMs: _agentDuration, ...details } = outcome;
    switch (staged.kind) {
      case 'passed':
        return { ...outcome, durationMs, ...(staged.change && { change: staged.change }) };
      case 'rejected':
        return { ...details, kind: 'rejected', reason: staged.reason, feedback: staged.feedback, durationMs };
      case 'conflicted': {
        const resolution = await context.hooks?.onConflict?.({
          runId: hookContext.runId,
          step: this.step,
          state: recorder.state,
          files: staged.files,
          message: staged.message,
        });
        return {
          ...details,
          kind: 'conflicted',
          files: staged.files,
          message: staged.message,
          durationMs,
          ...(resolution && { resolution }),
        };
      }
      case 'failed':
        return {
          ...details,
          kind: 'failed',
          failure: staged.failure,
          durationMs,
          ...(staged.feedback !== undefined && { feedback: staged.feedback }),
        };
    }
  }

  /** What the agent reports that goes in the log: the processes serving the attempt, the worker running it. */
  #recordedFacts(recorder: AttemptContext['recorder']): Pick<AgentTask, 'onProcessStarted' | 'onRemoteFact'> {
    const stepId = this.step.id;
    return {
      onProcessStarted: (started) => {
        const { logFile, ...process } = started;
        recorder.record({
          type: 'step.process-started',
          data: { stepId, attempt: this.attempt, process, logFile },
        });
      },
      onRemoteFact: (fact) => recordRemoteFact(recorder, { stepId, attempt: this.attempt }, fact),
    };
  }

  async #runAgent(agent: Agent, context: AttemptContext, place: PreparedPlace): Promise<AttemptOutcome> {
    const { cwd, env, startCommit, setupOnAgent } = place;
    const timeoutMs = this.step.timeoutMs ?? context.agentTimeoutMs;
    const { recorder, clock } = context;
    const stepId = this.step.id;
    const startedAt = clock.now();
    const cancelTimeout =
      timeoutMs === undefined ? undefined : clock.setTimer(timeoutMs, () => this.abort('timeout'));
    let result: Awaited<ReturnType<Agent['run']>>;
    const attempt = this;
    const logFile = `${context.logsDir}/${fileSafe(stepId)}.${this.attempt}.log`;
    const transcript = new TranscriptLog(transcriptFileOf(logFile), clock);
    try {
      result = await agent.run({
        runId: recorder.state.runId,
        stepId,
        attempt: this.attempt,
        // The attempt's own variables (its port block) reach the agent as the step's `env` does.
        step: env ? { ...this.step, env: { ...this.step.env, ...env } } : this.step,
        workspace: cwd,
        ...(startCommit !== undefined && { startCommit }),
        ...(setupOnAgent && { setup: setupOnAgent }),
        ...(context.feedback !== undefined && { feedback: context.feedback }),
        ...(context.interruptedAttempt !== undefined && { interruptedAttempt: context.interruptedAttempt }),
        logFile,
        get signal() {
          return attempt.#signal();
        },
        onEvent: (part) => {
          transcript.add(part);
          recorder.publishLive(stepId, this.attempt, part);
        },
        ...this.#recordedFacts(recorder),
      });
    } catch (error) {
      context.logger.error('agent threw instead of returning a result', {
        agent: this.step.agent,
        stepId,
        error,
      });
      result = {
        ok: false,
        failure: {
          code: 'INTERNAL',
          kind: 'permanent',
          message: `agent ${this.step.agent} crashed: ${error}`,
        },
      };
    } finally {
      cancelTimeout?.();
      await transcript.close();
    }
    const durationMs = clock.now() - startedAt;
    const stopped = this.#stoppedBy();
    if (stopped) return { kind: 'stopped', reason: stopped };
    if (this.#reason === 'timeout') {
      return {
        kind: 'failed',
        durationMs,
        failure: {
          code: 'TIMEOUT',
          kind: 'transient',
          message: `timed out after ${timeoutMs}ms`,
          ...(!result.ok &&
            result.failure.outputTail !== undefined && { outputTail: result.failure.outputTail }),
        },
      };
    }
    const overBudget =
      this.#reason === 'budget'
        ? (this.#budgetDetail ?? `step ${stepId} passed its budget`)
        : result.ok
          ? context.overBudget?.(result.usage)
          : undefined;
    if (overBudget !== undefined) {
      // Past its own cap the step stops for good: a retry would spend as much again.
      return {
        ...(result.usage && { usage: result.usage }),
        ...(result.sessionId !== undefined && { sessionId: result.sessionId }),
        kind: 'failed',
        durationMs,
        failure: { code: 'BUDGET', kind: 'permanent', message: overBudget },
      };
    }
    if (result.ok) {
      const { ok: _ok, ...details } = result;
      return { ...details, kind: 'succeeded', durationMs };
    }
    const { ok: _ok, failure, ...details } = result;
    return { ...details, kind: 'failed', failure, durationMs };
  }
}

/** Step ids become file names; anything outside a safe set is replaced, with a hash to keep names unique. */
export function fileSafe(id: string): string {
  const safe = id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80);
  if (safe === id && id !== '.' && id !== '..') return id;
  let hash = 0;
  for (let index = 0; index < id.length; index++) hash = (hash * 31 + id.charCodeAt(index)) >>> 0;
  return `${safe}-${hash.toString(16)}`;
}
