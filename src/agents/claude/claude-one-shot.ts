/**
 * One `claude -p --output-format json` process for one step: the prompt on stdin, one JSON result at
 * exit. Used when configured (`mode: oneshot`); slower than the warm pool but needs no long-lived process.
 */

import { parseObject } from '../../support/json-record.js';
import type { AgentResult, AgentTask } from '../agent.js';
import { promptOf } from '../agent.js';
import type { AgentDeps } from '../agent-deps.js';
import { aborted, failure } from '../agent-results.js';
import type { CappedLog } from '../process/capped-log.js';
import { runOneShotProcess } from '../process/one-shot-process.js';
import { classifyClaudeResult } from './classify-claude-result.js';
import { oneShotArgs } from './claude-args.js';
import { claudeEnvironment } from './claude-environment.js';
import { type ClaudeResultLine, claudeResultLineSchema, usageOf } from './claude-messages.js';
import type { ClaudeSpec } from './claude-spec.js';

export async function runClaudeOneShot(options: {
  spec: ClaudeSpec;
  deps: AgentDeps;
  task: AgentTask;
  transcript: CappedLog;
  resumeSessionId?: string;
  /** Claude Code's `--max-budget-usd`: it ends the turn with `error_max_budget_usd` past this cost. */
  maxBudgetUsd?: number;
}): Promise<AgentResult> {
  const { spec, deps, task, transcript } = options;
  let result: ClaudeResultLine | undefined;
  const run = await runOneShotProcess({
    command: spec.command,
    args: oneShotArgs(spec, options.resumeSessionId, options.maxBudgetUsd),
    env: claudeEnvironment(spec, deps.environment, task.step.env),
    task,
    deps,
    transcript,
    input: promptOf(task),
    onLine: (line) => {
      const parsed = claudeResultLineSchema.safeParse(parseObject(line));
      if (parsed.success) result = parsed.data;
    },
  });
  if (run.kind === 'spawn-failed') return failure(run.failure);
  const { exit } = run;
  if (task.signal.aborted) return aborted();
  if (!result) {
    return {
      ok: false,
      failure: {
        code: exit.signal ? 'KILLED_BY_SIGNAL' : 'PROTOCOL_ERROR',
        kind: 'transient',
        message: `claude ended (${exit.signal ?? `exit code ${exit.code}`}) without a result`,
        outputTail: run.stderrTail.slice(-2_000),
      },
    };
  }
  const usage = usageOf(result);
  const details = { ...(result.session_id && { sessionId: result.session_id }), ...(usage && { usage }) };
  const problem = classifyClaudeResult(result, deps.clock.now());
  if (problem) return { ok: false, failure: problem, ...details };
  return { ok: true, output: result.result ?? '', ...details };
}
