/**
 * What one codex turn amounts to, in either mode: the thread it ran in, the final answer, token usage, the
 * files it changed, and how it ended. The exec and app-server readers fill it; `turnResult` turns it into
 * the engine's result.
 */
import { isAbsolute, relative } from 'node:path';
import type { AgentResult, AgentUsage, StepFailure } from '../agent.js';
import { classifyCodexFailure } from './classify-codex-failure.js';
import { type CodexLimitWindow, exhaustedWindow } from './codex-limit-windows.js';

/** A failed turn's error as codex reports it (app-server adds a structured kind and the HTTP status). */
export interface CodexTurnError {
  message: string;
  httpStatus?: number;
  /** app-server's `codexErrorInfo` variant, e.g. `unauthorized`, `responseTooManyFailedAttempts`. */
  errorInfo?: string;
  details?: string;
}

export interface CodexTurnState {
  threadId?: string;
  turnId?: string;
  /** Text of the latest agent message: codex's own "last message", the step's answer. */
  lastMessage?: string;
  usage?: AgentUsage;
  /** Paths of completed file changes, as codex reported them (absolute). */
  files: string[];
  end?: 'completed' | 'failed' | 'interrupted';
  error?: CodexTurnError;
  /** The latest non-fatal error (a reconnect), to explain a turn that dies without saying why. */
  lastNotice?: string;
  /** Usage windows codex reported (app-server), to name the one a usage limit used up. */
  limits?: CodexLimitWindow[];
}

export function newTurnState(): CodexTurnState {
  return { files: [] };
}

export function addUsage(state: CodexTurnState, usage: AgentUsage): void {
  const before = state.usage;
  const cached = (before?.cachedInputTokens ?? 0) + (usage.cachedInputTokens ?? 0);
  state.usage = {
    inputTokens: (before?.inputTokens ?? 0) + usage.inputTokens,
    outputTokens: (before?.outputTokens ?? 0) + usage.outputTokens,
    ...(cached > 0 && { cachedInputTokens: cached }),
  };
}

/** The engine's result for a turn that ended (completed or failed); undefined if it has not ended. */
export function turnResult(state: CodexTurnState, workspace: string, now: number): AgentResult | undefined {
  const details = {
    ...(state.threadId !== undefined && { sessionId: state.threadId }),
    ...(state.usage !== undefined && { usage: state.usage }),
  };
  const files = filesIn(state.files, workspace);
  const changed = files.length > 0 ? { filesChanged: files } : {};
  if (state.end === 'completed') return { ok: true, output: state.lastMessage ?? '', ...details, ...changed };
  if (state.end === 'failed') {
    const failure: StepFailure = classifyCodexFailure(
      state.error ?? { message: state.lastNotice ?? 'codex reported the turn failed without a reason' },
      now,
    );
    return { ok: false, failure: withLimitWindow(failure, state.limits), ...details, ...changed };
  }
  if (state.end === 'interrupted') {
    return {
      ok: false,
      failure: { code: 'ABORTED', kind: 'transient', message: 'codex interrupted the turn' },
      ...details,
      ...changed,
    };
  }
  return undefined;
}

/** Workspace-relative, deduplicated; paths outside the workspace are left out. */
export function filesIn(paths: readonly string[], workspace: string): string[] {
  const files = paths.map((path) => (isAbsolute(path) ? relative(workspace, path) : path));
  return [...new Set(files)].filter((path) => path !== '' && !path.startsWith('..') && !isAbsolute(path));
}

/** A usage limit names the window codex reported used up, and its reset when codex gave one. */
function withLimitWindow(failure: StepFailure, limits: readonly CodexLimitWindow[] | undefined): StepFailure {
  const window = failure.kind === 'usage-limit' ? exhaustedWindow(limits) : undefined;
  if (!window) return failure;
  return {
    ...failure,
    limitWindow: window.window,
    ...(window.resetsAt !== undefined && { resetAt: window.resetsAt }),
  };
}
