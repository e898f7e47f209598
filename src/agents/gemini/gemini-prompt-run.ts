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
import { stepTagName } from '../agent-deps.js';
import type { AgentSpec } from '../agent-spec.js';
import { AgentProcess, SpawnError } from '../process/agent-process.js';
import type { CappedLog } from '../process/capped-log.js';
import { classifyGeminiExit, refineGeminiFailure } from './classify-gemini-failure.js';
import { maxPromptArgBytes, promptArgs } from './gemini-args.js';
import { RetryLineReader, retryCapFor } from './gemini-retries.js';
import { GeminiStreamReader } from './gemini-stream-json.js';

export async function runGeminiPrompt(options: {
  spec: AgentSpec;
  deps: AgentDeps;
  task: AgentTask;
  transcript: CappedLog;
  environment: Record<string, string>;
}): Promise<AgentResult> {
  const { spec, deps, task, transcript, environment } = options;
  const prompt = promptOf(task);
  const viaStdin = Buffer.byteLength(prompt) > maxPromptArgBytes;
  let child: AgentProcess;
  try {
    child = await AgentProcess.start({
      command: spec.command,
      args: promptArgs(spec, viaStdin ? '' : prompt),
      cwd: task.workspace,
      env: environment,
      tag: { name: stepTagName, value: `${task.runId}/${task.stepId}/${task.attempt}` },
      clock: deps.clock,
      stdin: viaStdin ? 'pipe' : 'ignore',
    });
  } catch (error) {
    const message = error instanceof SpawnError ? error.message : String(error);
    return { ok: false, failure: { code: 'SPAWN_FAILED', kind: 'permanent', message } };
  }
  task.onProcessStarted({ ...child.root, logFile: task.logFile });
  const reader = new GeminiStreamReader();
  const cap = retryCapFor(environment, task.workspace);
  let gaveUp: AcpSideNotice | undefined;
  const stop = (): void => {
    void child.stop(Math.min(deps.killGraceMs, 2_000));
  };
  const retries = new RetryLineReader((notice) => {
    task.onEvent?.(retryNoticePart(notice));
    if (cap !== undefined && notice.attempt >= cap && !gaveUp) {
      gaveUp = notice;
      stop();
    }
  });
  child.onStderr((text) => {
    transcript.write(Buffer.from(text));
    retries.push(text);
  });
  child.onLine((line) => {
    transcript.write(Buffer.from(`${line}\n`));
    for (const part of reader.read(line)) task.onEvent?.(part);
  });
  if (viaStdin) {
    child.writeLine(prompt);
    child.closeInput();
  }
  task.signal.addEventListener('abort', stop, { once: true });
  const exit = await child.exited;
  task.signal.removeEventListener('abort', stop);
  // Whatever the CLI started (shell commands, MCP servers) ends with the step.
  await child.stop(Math.min(deps.killGraceMs, 2_000));
  const usage = reader.usage();
  const details = { ...(reader.sessionId && { sessionId: reader.sessionId }), ...(usage && { usage }) };
  if (task.signal.aborted)
    return { ok: false, failure: { code: 'ABORTED', kind: 'transient', message: 'stopped' } };
  if (gaveUp) return { ok: false, failure: gaveUpFailure(gaveUp, deps.clock.now()), ...details };
  const failure = classifyGeminiExit({
    exitCode: exit.code,
    signal: exit.signal,
    result: reader.result,
    stderr: child.stderrTail(),
    workspace: task.workspace,
    now: deps.clock.now(),
  });
  if (failure) return { ok: false, failure, ...details };
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
