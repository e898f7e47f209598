/**
 * One step on a codex app-server: `thread/start` (or `thread/resume`) in the step's directory with
 * approval policy "never", `turn/start` with the prompt, then notifications until `turn/completed`. On
 * abort the turn is cancelled with `turn/interrupt` (measured: confirmed in ~15 ms with status
 * `interrupted`), waiting at most `interruptTimeoutMs` for the confirmation.
 */
import type { Clock } from '../../support/clock.js';
import { isRecord } from '../../support/json-record.js';
import type { AgentStreamPart } from '../agent.js';
import type { AgentProcess, ProcessExit } from '../process/agent-process.js';
import { readNotification } from './codex-app-server-events.js';
import type { CodexSandbox } from './codex-args.js';
import { type CodexRpc, RpcError } from './codex-rpc.js';
import { type CodexTurnState, newTurnState } from './codex-turn.js';

/** `thread/start` and `turn/start` answer in ~30 ms (measured); a server that takes this long is broken. */
const requestTimeoutMs = 30_000;

/** Where a turn's raw lines go: the step's capped transcript. */
export interface TranscriptSink {
  write(chunk: Buffer): unknown;
}

export interface TurnRequest {
  cwd: string;
  prompt: string;
  model?: string;
  sandbox: CodexSandbox;
  /** Continue this thread instead of starting a new one. */
  resumeThreadId?: string;
  signal: AbortSignal;
  transcript: TranscriptSink;
  onPart(part: AgentStreamPart): void;
  interruptTimeoutMs: number;
}

export type TurnOutcome =
  /** `turn/completed`, whatever its status. */
  | { kind: 'ended'; state: CodexTurnState }
  /** Stopped on the step's signal; `confirmed` when codex acknowledged the interrupt in time. */
  | { kind: 'aborted'; state: CodexTurnState; confirmed: boolean }
  | { kind: 'exited'; state: CodexTurnState; exit: ProcessExit; stderrTail: string }
  /** codex refused or did not answer a request; `rpcError` when it answered with a JSON-RPC error. */
  | { kind: 'refused'; state: CodexTurnState; message: string; rpcError: boolean };

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** What a turn needs of its worker. */
export interface TurnHost {
  rpc: CodexRpc;
  process: AgentProcess;
  clock: Clock;
  /** One exit listener at a time, so a long-lived worker does not collect one per step served. */
  onExit(listener: ((exit: ProcessExit) => void) | undefined): void;
}

export async function runAppServerTurn(host: TurnHost, request: TurnRequest): Promise<TurnOutcome> {
  const { rpc, process, clock } = host;
  const state = newTurnState();
  if (request.signal.aborted) return { kind: 'aborted', state, confirmed: true };
  const ended = deferred<void>();
  /** Resolves true once the turn exists, false when none will be started. */
  const turnKnown = deferred<boolean>();
  const outcome = deferred<TurnOutcome>();
  const emit = (parts: AgentStreamPart[]): void => {
    for (const part of parts) request.onPart(part);
  };
  rpc.listen({
    onLine: (line) => request.transcript.write(Buffer.from(`${line}\n`)),
    onUnknown: (line) => emit([{ type: 'unknown-line', raw: line.slice(0, 2_000) }]),
    onNotification: (notification) => {
      emit(readNotification(notification, state));
      if (state.turnId !== undefined) turnKnown.resolve(true);
      if (state.end !== undefined) {
        ended.resolve();
        outcome.resolve({ kind: 'ended', state });
      }
    },
  });
  process.onStderr((text) => request.transcript.write(Buffer.from(text)));
  const onExit = (exit: ProcessExit): void =>
    outcome.resolve({ kind: 'exited', state, exit, stderrTail: process.stderrTail() });
  host.onExit(onExit);
  if (process.exitInfo) onExit(process.exitInfo);
  const onAbort = (): void => {
    void interrupt(rpc, clock, state, { ended, turnKnown }, request.interruptTimeoutMs).then((confirmed) =>
      outcome.resolve({ kind: 'aborted', state, confirmed }),
    );
  };
  request.signal.addEventListener('abort', onAbort, { once: true });
  void start(rpc, state, request, emit, turnKnown).then((refusal) => refusal && outcome.resolve(refusal));
  try {
    return await outcome.promise;
  } finally {
    request.signal.removeEventListener('abort', onAbort);
    host.onExit(undefined);
    rpc.listen(undefined);
    process.onStderr(undefined);
  }
}

/** Starts (or resumes) the thread and the turn; resolves with a refusal when codex says no. */
async function start(
  rpc: CodexRpc,
  state: CodexTurnState,
  request: TurnRequest,
  emit: (parts: AgentStreamPart[]) => void,
  turnKnown: Deferred<boolean>,
): Promise<TurnOutcome | undefined> {
  const settings = {
    cwd: request.cwd,
    ...(request.model !== undefined && { model: request.model }),
    sandbox: request.sandbox,
    approvalPolicy: 'never',
  };
  try {
    const thread = request.resumeThreadId
      ? await rpc.request(
          'thread/resume',
          { threadId: request.resumeThreadId, ...settings },
          requestTimeoutMs,
        )
      : await rpc.request('thread/start', settings, requestTimeoutMs);
    const threadId = isRecord(thread.thread) ? thread.thread.id : undefined;
    if (typeof threadId !== 'string') {
      return {
        kind: 'refused',
        state,
        message: 'codex answered thread/start without a thread id',
        rpcError: false,
      };
    }
    state.threadId = threadId;
    const model = typeof thread.model === 'string' ? thread.model : undefined;
    emit([{ type: 'session-start', sessionId: threadId, ...(model !== undefined && { model }) }]);
    if (request.signal.aborted) {
      turnKnown.resolve(false);
      return undefined;
    }
    const turn = await rpc.request(
      'turn/start',
      { threadId, input: [{ type: 'text', text: request.prompt, text_elements: [] }] },
      requestTimeoutMs,
    );
    if (isRecord(turn.turn) && typeof turn.turn.id === 'string') state.turnId ??= turn.turn.id;
    turnKnown.resolve(state.turnId !== undefined);
    return undefined;
  } catch (error) {
    turnKnown.resolve(false);
    // A process that died is reported through its exit, with its stderr; this is for a refusal or a hang.
    if (request.signal.aborted) return undefined;
    return {
      kind: 'refused',
      state,
      message: error instanceof Error ? error.message : String(error),
      rpcError: error instanceof RpcError,
    };
  }
}

/** `turn/interrupt`, then the `interrupted` completion; true when both came within the time allowed. */
async function interrupt(
  rpc: CodexRpc,
  clock: Clock,
  state: CodexTurnState,
  signals: { ended: Deferred<void>; turnKnown: Deferred<boolean> },
  timeoutMs: number,
): Promise<boolean> {
  if (state.end !== undefined) return true;
  const timer = new AbortController();
  const timedOut = clock.sleep(timeoutMs, timer.signal).then(
    () => false,
    () => false,
  );
  try {
    const known = await Promise.race([
      signals.turnKnown.promise.then((started) => (started ? 'started' : 'none')),
      timedOut,
    ]);
    // No turn was started (the abort came first, or codex refused): there is nothing to cancel.
    if (known === 'none') return true;
    if (known === false || state.threadId === undefined || state.turnId === undefined) return false;
    const asked = rpc
      .request('turn/interrupt', { threadId: state.threadId, turnId: state.turnId }, timeoutMs)
      .then(
        () => true,
        () => false,
      );
    if (!(await Promise.race([asked, timedOut]))) return false;
    return await Promise.race([signals.ended.promise.then(() => true), timedOut]);
  } finally {
    timer.abort();
  }
}
