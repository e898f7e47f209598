/**
 * One step on an ACP worker: a fresh session in the step's directory, one prompt, its updates streamed as
 * parts, permission requests answered by policy, file access confined to the directory, and the turn's
 * end read as a result or a classified failure. On abort the turn is cancelled with `session/cancel`;
 * an agent that does not confirm within the grace gets its process retired.
 */
import type { Clock } from '../../support/clock.js';
import type { AgentResult, AgentStreamPart, AgentTask, StepFailure } from '../agent.js';
import { promptOf } from '../agent.js';
import { aborted, stoppedFailure } from '../agent-results.js';
import type { CappedLog } from '../process/capped-log.js';
import type { AcpSessionHandlers, PromptOutcome } from './acp-connection.js';
import { ConfinedFileSystem } from './acp-file-system.js';
import { decidePermission, type PermissionLevel } from './acp-permission-policy.js';
import { TurnCollector, usageOf } from './acp-turn-collector.js';
import { type AcpSideNotice, type AcpWorker, retryNoticePart } from './acp-worker.js';
import {
  failureOfRpcError,
  failureOfStopReason,
  type RpcErrorShape,
  rpcErrorOf,
} from './classify-acp-outcome.js';

export interface TurnSettings {
  /** The agent's name, for messages. */
  name: string;
  clock: Clock;
  permissions: PermissionLevel;
  /** How long a cancelled turn may take to confirm before its process is retired. */
  cancelGraceMs: number;
  /** A side notice "attempt N failed" with N ≥ this cancels the turn (the agent's own retries, capped). */
  retryCap?: number;
  /** Agent-specific reading of a failure (usage-limit texts, …). */
  refineFailure?: (failure: StepFailure, rpc: RpcErrorShape | undefined) => StepFailure;
}

export interface TurnEnd {
  result: AgentResult;
  /** False when the worker must not serve another session; `retireNow` when it must stop at once. */
  reusable: boolean;
  retireNow?: boolean;
}

type Interrupt = { kind: 'abort' } | { kind: 'retries'; notice: AcpSideNotice };

export async function runAcpTurn(
  worker: AcpWorker,
  task: AgentTask,
  transcript: CappedLog,
  settings: TurnSettings,
): Promise<TurnEnd> {
  const turn = new Turn(worker, task, transcript, settings);
  try {
    return await turn.run();
  } finally {
    turn.dispose();
  }
}

class Turn {
  readonly #collector = new TurnCollector();
  readonly #files: ConfinedFileSystem;
  readonly #detach: () => void;
  #prompting = false;
  #sessionId: string | undefined;
  #interrupt: ((why: Interrupt) => void) | undefined;

  constructor(
    readonly worker: AcpWorker,
    readonly task: AgentTask,
    readonly transcript: CappedLog,
    readonly settings: TurnSettings,
  ) {
    this.#files = new ConfinedFileSystem(task.workspace, { readOnly: settings.permissions === 'read-only' });
    this.#detach = worker.attach({
      stderr: (text) => transcript.write(Buffer.from(text)),
      notice: (notice) => this.#onNotice(notice),
      prompting: () => this.#prompting,
    });
  }

  dispose(): void {
    this.#detach();
    if (this.#sessionId !== undefined) this.worker.connection.forget(this.#sessionId);
  }

  async run(): Promise<TurnEnd> {
    const { task } = this;
    if (task.signal.aborted) return { result: aborted(), reusable: true };
    const opening = this.worker.connection.openSession(task.workspace, this.#handlers(), {
      readOnly: this.settings.permissions === 'read-only',
    });
    const opened = await this.#race(opening);
    if (opened.kind !== 'value') {
      // The agent still creates the session; stop routing to this finished step once it has.
      opening.then((id) => this.worker.connection.forget(id)).catch(() => {});
      return this.#endBeforePrompt(opened, 'session/new');
    }
    const sessionId = opened.value;
    this.#sessionId = sessionId;
    this.#emit({ type: 'session-start', sessionId });
    this.#prompting = true;
    const prompt = this.worker.connection.prompt(sessionId, promptOf(task));
    const settled = await this.#race(prompt);
    this.#prompting = false;
    const session = { sessionId };
    if (settled.kind === 'value') return this.#finished(settled.value, session);
    if (settled.kind === 'error') return this.#failed(settled.error, 'session/prompt', session);
    if (settled.kind === 'exited') return this.#crashed(session);
    return this.#cancel(prompt, settled.why, session);
  }

  #handlers(): AcpSessionHandlers {
    const { transcript, task, settings } = this;
    return {
      transcript: (direction, line) =>
        transcript.write(Buffer.from(direction === '>>' ? `>> ${line}\n` : `${line}\n`)),
      update: (update) => {
        for (const part of this.#collector.apply(update)) this.#emit(part);
      },
      permission: (request) => {
        for (const part of this.#collector.noteTool(request.toolCall)) this.#emit(part);
        const decision = decidePermission(request, settings.permissions, task.workspace);
        if (!decision.allowed)
          this.#emit({ type: 'warning', message: `permission refused: ${decision.reason}` });
        return { outcome: decision.outcome };
      },
      readTextFile: (request) => this.#files.read(request),
      writeTextFile: (request) => {
        if (this.#files.readOnly)
          this.#emit({ type: 'warning', message: `write refused: ${request.path} (a read-only step)` });
        this.#files.write(request);
        this.#collector.noteWrite(request.path);
      },
    };
  }

  /** Waits for `work`, the step's abort, the retry cap, or the process's exit, whichever comes first. */
  async #race<T>(
    work: Promise<T>,
  ): Promise<
    | { kind: 'value'; value: T }
    | { kind: 'error'; error: unknown }
    | { kind: 'interrupt'; why: Interrupt }
    | { kind: 'exited' }
  > {
    const { signal } = this.task;
    let onAbort: (() => void) | undefined;
    const interrupted = new Promise<{ kind: 'interrupt'; why: Interrupt }>((resolve) => {
      this.#interrupt = (why) => resolve({ kind: 'interrupt', why });
      onAbort = () => resolve({ kind: 'interrupt', why: { kind: 'abort' } });
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([
        work.then(
          (value) => ({ kind: 'value' as const, value }),
          (error: unknown) => ({ kind: 'error' as const, error }),
        ),
        interrupted,
        this.worker.exited.then(() => ({ kind: 'exited' as const })),
      ]);
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
      this.#interrupt = undefined;
    }
  }

  #onNotice(notice: AcpSideNotice): void {
    this.#emit(retryNoticePart(notice));
    const cap = this.settings.retryCap;
    if (cap !== undefined && notice.attempt >= cap) this.#interrupt?.({ kind: 'retries', notice });
  }

  #endBeforePrompt(
    outcome: { kind: 'error'; error: unknown } | { kind: 'interrupt'; why: Interrupt } | { kind: 'exited' },
    during: string,
  ): TurnEnd {
    if (outcome.kind === 'error') return this.#failed(outcome.error, during, {});
    if (outcome.kind === 'exited') return this.#crashed({});
    // The session/new still completes on the agent; it is an idle session there, harmless.
    return { result: aborted(), reusable: true };
  }

  #finished(outcome: PromptOutcome, session: { sessionId: string }): TurnEnd {
    const usage = usageOf(outcome.result) ?? this.#collector.contextUsage();
    const details = { ...session, ...(usage && { usage }) };
    const problem = failureOfStopReason(outcome.stopReason, false);
    if (problem)
      return { result: { ok: false, failure: this.#refine(problem, undefined), ...details }, reusable: true };
    const files = this.#collector.filesChanged(this.task.workspace);
    return {
      result: {
        ok: true,
        output: this.#collector.output(),
        ...details,
        ...(files.length > 0 && { filesChanged: files }),
      },
      reusable: true,
    };
  }

  #failed(error: unknown, during: string, session: { sessionId?: string }): TurnEnd {
    if (!this.worker.alive || this.worker.stopping) return this.#crashed(session);
    const rpc = rpcErrorOf(error);
    if (!rpc) {
      const failure: StepFailure = {
        code: 'PROTOCOL_ERROR',
        kind: 'transient',
        message: `${this.settings.name}: ${during} failed: ${error instanceof Error ? error.message : String(error)}`,
      };
      return { result: { ok: false, failure, ...session }, reusable: false };
    }
    const failure = this.#refine(failureOfRpcError(rpc, during, this.settings.clock.now()), rpc);
    return { result: { ok: false, failure, ...session }, reusable: true };
  }

  #crashed(session: { sessionId?: string }): TurnEnd {
    const exit = this.worker.process.exitInfo;
    const why = this.worker.stopping
      ? 'was stopped'
      : exit?.signal
        ? `was killed by ${exit.signal}`
        : `exited with code ${exit?.code ?? '?'}`;
    const tail = this.worker.stderrTail();
    const said = tail.trim().split('\n').pop()?.trim();
    const failure: StepFailure = {
      code: 'AGENT_CRASHED',
      kind: 'transient',
      message: `${this.settings.name} ${why} during the step${said ? `: ${said.slice(0, 300)}` : ''}`,
      outputTail: tail.slice(-2_000),
    };
    return { result: { ok: false, failure, ...session }, reusable: false };
  }

  /** `session/cancel`, then up to the grace for the turn to end; an agent that does not is retired. */
  async #cancel(
    prompt: Promise<PromptOutcome>,
    why: Interrupt,
    session: { sessionId: string },
  ): Promise<TurnEnd> {
    const failure: StepFailure =
      why.kind === 'abort' ? { ...stoppedFailure } : this.#retriesFailure(why.notice);
    if (!this.worker.alive) return { result: { ok: false, failure, ...session }, reusable: false };
    await this.worker.connection.cancel(session.sessionId).catch(() => {});
    const grace = new AbortController();
    const timer = this.settings.clock.setTimer(this.settings.cancelGraceMs, () => grace.abort());
    const confirmed = await Promise.race([
      prompt.then(
        (outcome) => outcome.stopReason === 'cancelled' || outcome.stopReason === 'end_turn',
        () => this.worker.alive,
      ),
      new Promise<false>((resolve) =>
        grace.signal.addEventListener('abort', () => resolve(false), { once: true }),
      ),
    ]);
    timer();
    return confirmed
      ? { result: { ok: false, failure, ...session }, reusable: true }
      : { result: { ok: false, failure, ...session }, reusable: false, retireNow: true };
  }

  #retriesFailure(notice: AcpSideNotice): StepFailure {
    const rpc: RpcErrorShape = { code: notice.status ?? -32603, message: notice.message };
    const failure = failureOfRpcError(
      rpc,
      `model call (gave up after attempt ${notice.attempt})`,
      this.settings.clock.now(),
    );
    return this.#refine(failure, rpc);
  }

  #refine(failure: StepFailure, rpc: RpcErrorShape | undefined): StepFailure {
    return this.settings.refineFailure ? this.settings.refineFailure(failure, rpc) : failure;
  }

  #emit(part: AgentStreamPart): void {
    this.task.onEvent?.(part);
  }
}
