/**
 * One CLI process for one step (claude oneshot, codex exec, gemini prompt): spawned with the step's tag,
 * reported, its lines and stderr into the capped transcript, the prompt on stdin (or nothing), stopped on
 * the step's abort, and whatever it left running stopped once it exits. The caller reads the lines.
 */
import type { AgentTask, StepFailure } from '../agent.js';
import { type AgentDeps, stepTagName } from '../agent-deps.js';
import { AgentProcess, type ProcessExit, SpawnError } from './agent-process.js';
import type { CappedLog } from './capped-log.js';

export interface OneShotOptions {
  command: string;
  args: readonly string[];
  env: Record<string, string>;
  task: AgentTask;
  deps: Pick<AgentDeps, 'clock' | 'killGraceMs'>;
  transcript: CappedLog;
  /** Written to stdin, then EOF; without it stdin is closed from the start. */
  input?: string;
  /** Grace the process gets when the step is aborted (default: the configured kill grace). */
  abortGraceMs?: number;
  /** Each stdout line; `stop` ends the process early (e.g. on a retry the adapter gives up on). */
  onLine(line: string, stop: () => void): void;
  onStderr?(text: string, stop: () => void): void;
}

export type OneShotOutcome =
  | { kind: 'spawn-failed'; failure: StepFailure }
  | { kind: 'ended'; exit: ProcessExit; stderrTail: string };

export async function runOneShotProcess(options: OneShotOptions): Promise<OneShotOutcome> {
  const { task, deps, transcript } = options;
  let child: AgentProcess;
  try {
    child = await AgentProcess.start({
      command: options.command,
      args: options.args,
      cwd: task.workspace,
      env: options.env,
      tag: { name: stepTagName, value: `${task.runId}/${task.stepId}/${task.attempt}` },
      clock: deps.clock,
      stdin: options.input === undefined ? 'ignore' : 'pipe',
    });
  } catch (error) {
    const message = error instanceof SpawnError ? error.message : String(error);
    return { kind: 'spawn-failed', failure: { code: 'SPAWN_FAILED', kind: 'permanent', message } };
  }
  task.onProcessStarted({ ...child.root, logFile: task.logFile });
  const afterExitGraceMs = Math.min(deps.killGraceMs, 2_000);
  const stop = (): void => {
    void child.stop(afterExitGraceMs);
  };
  child.onStderr((text) => {
    transcript.write(Buffer.from(text));
    options.onStderr?.(text, stop);
  });
  child.onLine((line) => {
    transcript.write(Buffer.from(`${line}\n`));
    options.onLine(line, stop);
  });
  if (options.input !== undefined) {
    child.writeLine(options.input);
    child.closeInput();
  }
  const onAbort = (): void => {
    void child.stop(options.abortGraceMs ?? deps.killGraceMs);
  };
  task.signal.addEventListener('abort', onAbort, { once: true });
  if (task.signal.aborted) onAbort();
  const exit = await child.exited;
  task.signal.removeEventListener('abort', onAbort);
  // Descendants (tool commands, MCP servers, sandbox helpers) end with the step.
  await child.stop(afterExitGraceMs);
  return { kind: 'ended', exit, stderrTail: child.stderrTail() };
}
