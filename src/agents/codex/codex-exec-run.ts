/**
 * One `codex exec --json` process for one step: the prompt on stdin, JSONL events on stdout until the
 * turn completes or fails, then exit. The process gets the step's tag, so anything it starts (tool
 * commands, sandbox helpers) is stopped with it.
 */
import type { AgentResult, AgentTask } from '../agent.js';
import type { AgentDeps } from '../agent-deps.js';
import { stepTagName } from '../agent-deps.js';
import type { AgentSpec } from '../agent-spec.js';
import { AgentProcess, SpawnError } from '../process/agent-process.js';
import type { CappedLog } from '../process/capped-log.js';
import { classifyCodexExit } from './classify-codex-failure.js';
import { execArgs } from './codex-args.js';
import { readExecLine } from './codex-exec-events.js';
import { newTurnState, turnResult } from './codex-turn.js';

export interface CodexExecOptions {
  spec: AgentSpec;
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
  let child: AgentProcess;
  try {
    child = await AgentProcess.start({
      command: spec.command,
      args: execArgs(spec, {
        workspace: task.workspace,
        overrides: options.overrides,
        ...(options.resumeThreadId !== undefined && { resumeThreadId: options.resumeThreadId }),
      }),
      cwd: task.workspace,
      env: options.env,
      tag: { name: stepTagName, value: `${task.runId}/${task.stepId}/${task.attempt}` },
      clock: deps.clock,
      stdin: 'pipe',
    });
  } catch (error) {
    const message = error instanceof SpawnError ? error.message : String(error);
    return { ok: false, failure: { code: 'SPAWN_FAILED', kind: 'permanent', message } };
  }
  task.onProcessStarted({ ...child.root, logFile: task.logFile });
  const state = newTurnState();
  child.onStderr((text) => transcript.write(Buffer.from(text)));
  child.onLine((line) => {
    transcript.write(Buffer.from(`${line}\n`));
    for (const part of readExecLine(line, state)) task.onEvent?.(part);
  });
  // The whole prompt, then EOF: `-` makes codex read stdin to the end as the prompt.
  child.writeLine(options.prompt);
  child.closeInput();
  const onAbort = (): void => {
    void child.stop(deps.killGraceMs);
  };
  task.signal.addEventListener('abort', onAbort, { once: true });
  if (task.signal.aborted) onAbort();
  const exit = await child.exited;
  task.signal.removeEventListener('abort', onAbort);
  // Whatever codex left running (background commands of its unified exec tool) ends with the step.
  await child.stop(Math.min(deps.killGraceMs, 2_000));
  const session = state.threadId !== undefined ? { sessionId: state.threadId } : {};
  if (task.signal.aborted) {
    return { ok: false, failure: { code: 'ABORTED', kind: 'transient', message: 'stopped' }, ...session };
  }
  const ended = turnResult(state, task.workspace, deps.clock.now());
  if (ended) return ended;
  return {
    ok: false,
    failure: classifyCodexExit({
      exitCode: exit.code,
      signal: exit.signal,
      stderrTail: child.stderrTail(),
      ...(state.lastNotice !== undefined && { lastNotice: state.lastNotice }),
    }),
    ...session,
  };
}
