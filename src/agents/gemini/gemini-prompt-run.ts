/**
 * `mode: prompt`: one `gemini -p <prompt> --output-format stream-json` process per step, stdin closed.
 * Every step pays the CLI's start-up (about 3 s to the first model request, measured), which the ACP mode's
 * warm process avoids; this mode needs no long-lived process and no protocol beyond reading lines.
 */

import { type AcpSideNotice, retryNoticePart } from '../acp/acp-worker.js';
import { failureOfRpcError } from '../acp/classify-acp-outcome.js';
import type { AgentResult, AgentTask, StepFailure } from '../agent.js';
import { promptOf } from '../agent.js';
import type { AgentDeps } from '../agent-deps.js';
import { aborted, failure } from '../agent-results.js';
import type { CappedLog } from '../process/capped-log.js';
import { runOneShotProcess } from '../process/one-shot-process.js';
import { classifyGeminiExit, refineGeminiFailure } from './classify-gemini-failure.js';
import { maxPromptArgBytes, promptArgs } from './gemini-args.js';
import { RetryLineReader, retryCapFor } from './gemini-retries.js';
import type { GeminiSpec } from './gemini-spec.js';
import { GeminiStreamReader } from './gemini-stream-json.js';

export async function runGeminiPrompt(options: {
  spec: GeminiSpec;
  deps: AgentDeps;
  task: AgentTask;
  transcript: CappedLog;
  environment: Record<string, string>;
}): Promise<AgentResult> {
  const { spec, deps, task, transcript, environment } = options;
  const prompt = promptOf(task);
  const viaStdin = Buffer.byteLength(prompt) > maxPromptArgBytes;
  const reader = new GeminiStreamReader();
  const cap = retryCapFor(environment, task.workspace);
  let gaveUp: AcpSideNotice | undefined;
  let stopProcess = (): void => {};
  const retries = new RetryLineReader((notice) => {
    task.onEvent?.(retryNoticePart(notice));
    if (cap !== undefined && notice.attempt >= cap && !gaveUp) {
      gaveUp = notice;
      stopProcess();
    }
  });
  const run = await runOneShotProcess({
    command: spec.command,
    args: promptArgs(spec, viaStdin ? '' : prompt),
    env: environment,
    task,
    deps,
    transcript,
    ...(viaStdin && { input: prompt }),
    abortGraceMs: Math.min(deps.killGraceMs, 2_000),
    onStderr: (text, stop) => {
      stopProcess = stop;
      retries.push(text);
    },
    onLine: (line) => {
      for (const part of reader.read(line)) task.onEvent?.(part);
    },
  });
  if (run.kind === 'spawn-failed') return failure(run.failure);
  const { exit } = run;
  const usage = reader.usage();
  const details = { ...(reader.sessionId && { sessionId: reader.sessionId }), ...(usage && { usage }) };
  if (task.signal.aborted) return aborted();
  if (gaveUp) return failure(gaveUpFailure(gaveUp, deps.clock.now()), details);
  const problem = classifyGeminiExit({
    exitCode: exit.code,
    signal: exit.signal,
    result: reader.result,
    stderr: run.stderrTail,
    workspace: task.workspace,
    now: deps.clock.now(),
  });
  if (problem) return failure(problem, details);
  const files = reader.filesChanged(task.workspace);
  return { ok: true, output: reader.output(), ...details, ...(files.length > 0 && { filesChanged: files }) };
}

function gaveUpFailure(notice: AcpSideNotice, now: number): StepFailure {
  const rpc = { code: notice.status ?? -32603, message: notice.message };
  return refineGeminiFailure(
    failureOfRpcError(rpc, `gemini model call (gave up after attempt ${notice.attempt})`, now),
    rpc,
  );
}
