/**
 * One `claude -p --output-format json` process for one step: the prompt on stdin, one JSON result at
 * exit. Used when configured (`mode: oneshot`); slower than the warm pool but needs no long-lived process.
 */

import { isRecord } from '../../support/json-record.js';
import type { AgentResult, AgentTask } from '../agent.js';
import { promptOf } from '../agent.js';
import type { AgentDeps } from '../agent-deps.js';
import { stepTagName } from '../agent-deps.js';
import { aborted } from '../agent-results.js';
import type { AgentSpec } from '../agent-spec.js';
import { AgentProcess, SpawnError } from '../process/agent-process.js';
import type { CappedLog } from '../process/capped-log.js';
import { classifyClaudeResult } from './classify-claude-result.js';
import { oneShotArgs } from './claude-args.js';
import { claudeEnvironment } from './claude-environment.js';
import { type ClaudeResultLine, usageOf } from './claude-messages.js';

export async function runClaudeOneShot(options: {
  spec: AgentSpec;
  deps: AgentDeps;
  task: AgentTask;
  transcript: CappedLog;
  resumeSessionId?: string;
}): Promise<AgentResult> {
  const { spec, deps, task, transcript } = options;
  let child: AgentProcess;
  try {
    child = await AgentProcess.start({
      command: spec.command,
      args: oneShotArgs(spec, options.resumeSessionId),
      cwd: task.workspace,
      env: claudeEnvironment(spec, deps.environment, task.step.env),
      tag: { name: stepTagName, value: `${task.runId}/${task.stepId}/${task.attempt}` },
      clock: deps.clock,
      stdin: 'pipe',
    });
  } catch (error) {
    const message = error instanceof SpawnError ? error.message : String(error);
    return { ok: false, failure: { code: 'SPAWN_FAILED', kind: 'permanent', message } };
  }
  task.onProcessStarted({ ...child.root, logFile: task.logFile });
  let result: ClaudeResultLine | undefined;
  child.onStderr((text) => transcript.write(Buffer.from(text)));
  child.onLine((line) => {
    transcript.write(Buffer.from(`${line}\n`));
    const parsed = tryParse(line);
    if (isRecord(parsed) && parsed.type === 'result') result = parsed as unknown as ClaudeResultLine;
  });
  child.writeLine(promptOf(task));
  child.closeInput();
  const onAbort = (): void => {
    void child.stop(deps.killGraceMs);
  };
  task.signal.addEventListener('abort', onAbort, { once: true });
  const exit = await child.exited;
  task.signal.removeEventListener('abort', onAbort);
  // Descendants (tools, MCP servers) end with the step.
  await child.stop(Math.min(deps.killGraceMs, 2_000));
  if (task.signal.aborted) return aborted();
  if (!result) {
    return {
      ok: false,
      failure: {
        code: exit.signal ? 'KILLED_BY_SIGNAL' : 'PROTOCOL_ERROR',
        kind: 'transient',
        message: `claude ended (${exit.signal ?? `exit code ${exit.code}`}) without a result`,
        outputTail: child.stderrTail().slice(-2_000),
      },
    };
  }
  const usage = usageOf(result);
  const details = { ...(result.session_id && { sessionId: result.session_id }), ...(usage && { usage }) };
  const problem = classifyClaudeResult(result, deps.clock.now());
  if (problem) return { ok: false, failure: problem, ...details };
  return { ok: true, output: result.result ?? '', ...details };
}

function tryParse(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
