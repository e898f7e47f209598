/**
 * One `codex exec --json` process for one step: the prompt on stdin, JSONL events on stdout until the
 * turn completes or fails, then exit. The process gets the step's tag, so anything it starts (tool
 * commands, sandbox helpers) is stopped with it.
 */
import type { AgentResult, AgentTask } from '../agent.js';
import type { AgentDeps } from '../agent-deps.js';
import { failure, stoppedFailure } from '../agent-results.js';
import type { CappedLog } from '../process/capped-log.js';
import { runOneShotProcess } from '../process/one-shot-process.js';
import { classifyCodexExit } from './classify-codex-failure.js';
import { execArgs } from './codex-args.js';
import { readExecLine } from './codex-exec-events.js';
import type { CodexSpec } from './codex-spec.js';
import { newTurnState, turnResult } from './codex-turn.js';

export interface CodexExecOptions {
  spec: CodexSpec;
  deps: AgentDeps;
  task: AgentTask;
  prompt: string;
  transcript: CappedLog;
  env: Record<string, string>;
  /** `-c` overrides from the provider plan. */
  overrides: readonly string[];
  resumeThreadId?: string;
}

export async function runCodexExec(options: CodexExecOptions): Promise<AgentResult> {
  const { spec, deps, task, transcript } = options;
  const state = newTurnState();
  const run = await runOneShotProcess({
    command: spec.command,
    args: execArgs(spec, {
      workspace: task.workspace,
      overrides: options.overrides,
      ...(options.resumeThreadId !== undefined && { resumeThreadId: options.resumeThreadId }),
    }),
    env: options.env,
    task,
    deps,
    transcript,
    // The whole prompt, then EOF: `-` makes codex read stdin to the end as the prompt.
    input: options.prompt,
    onLine: (line) => {
      for (const part of readExecLine(line, state)) task.onEvent?.(part);
    },
  });
  if (run.kind === 'spawn-failed') return failure(run.failure);
  const { exit } = run;
  const session = state.threadId !== undefined ? { sessionId: state.threadId } : {};
  if (task.signal.aborted) return failure({ ...stoppedFailure }, session);
  const ended = turnResult(state, task.workspace, deps.clock.now());
  if (ended) return ended;
  return {
    ok: false,
    failure: classifyCodexExit({
      exitCode: exit.code,
      signal: exit.signal,
      stderrTail: run.stderrTail,
      ...(state.lastNotice !== undefined && { lastNotice: state.lastNotice }),
    }),
    ...session,
  };
}
