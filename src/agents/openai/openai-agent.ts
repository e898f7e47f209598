/**
 * An agent backed by any OpenAI-compatible Chat Completions endpoint (OpenAI, the Hugging Face router,
 * OpenRouter, Ollama, vLLM). A chat model cannot touch files by itself, so each step runs a small tool
 * loop (list/read/write/edit, confined to the workspace, no shell) in this process: there is no child
 * process to record, which is why `onProcessStarted` is never called.
 */
import { type Agent, type AgentResult, type AgentTask, promptOf } from '../agent.js';
import type { AgentDeps } from '../agent-deps.js';
import { CappedLog } from '../process/capped-log.js';
import { isReadOnlyStep } from '../read-only.js';
import { ChatClient, chatEndpointOf } from './chat-client.js';
import type { ChatMessage } from './chat-types.js';
import type { ToolLimits } from './file-tools.js';
import type { OpenAiSpec } from './openai-spec.js';
import { runToolLoop } from './tool-loop.js';
import { WorkspaceTools } from './workspace-tools.js';

export interface OpenAiAgentOptions {
  /** Rounds of tool calls one step may make before it fails with "too many tool rounds". @default 20 */
  maxToolRounds?: number;
  /** Longest silence from the endpoint (before the first byte or between bytes). @default 300000 */
  idleTimeoutMs?: number;
  toolLimits?: Partial<ToolLimits>;
}

/** Actions that only look: their steps get list_files and read_file, nothing that writes. */

export function createOpenAiAgent(
  spec: OpenAiSpec,
  deps: AgentDeps,
  options: OpenAiAgentOptions = {},
): Agent {
  // One client per agent, so that learning an endpoint rejects stream_options is paid for once.
  const limiter = deps.limiterFor?.(spec);
  const client = new ChatClient(chatEndpointOf(spec, deps.environment), {
    clock: deps.clock,
    ...(limiter && { limiter }),
    ...(options.idleTimeoutMs !== undefined && { idleTimeoutMs: options.idleTimeoutMs }),
  });
  const maxToolRounds = options.maxToolRounds ?? 20;

  async function run(task: AgentTask): Promise<AgentResult> {
    const transcript = new CappedLog(task.logFile, deps.maxLogBytes);
    const redactor = client.streamRedactor();
    const log = (text: string): void => {
      transcript.write(Buffer.from(redactor.write(text)));
    };
    try {
      const readOnly = isReadOnlyStep(task.step);
      let tools: WorkspaceTools;
      try {
        tools = await WorkspaceTools.open(task.workspace, {
          readOnly,
          ...(options.toolLimits && { limits: options.toolLimits }),
        });
      } catch (error) {
        const message = `the workspace ${task.workspace} cannot be opened: ${error instanceof Error ? error.message : String(error)}`;
        return { ok: false, failure: { code: 'INTERNAL', kind: 'permanent', message } };
      }
      log(
        `[ai-collab] openai agent ${spec.name}: model ${spec.model ?? '?'}, step ${task.runId}/${task.stepId}/${task.attempt}` +
          `${task.step.action ? `, action ${task.step.action}` : ''}, ${readOnly ? 'read-only tools' : 'read and write tools'}\n`,
      );
      const messages: ChatMessage[] = [
        { role: 'system', content: systemPrompt(spec, task, readOnly) },
        { role: 'user', content: promptOf(task) },
      ];
      const result = await runToolLoop({
        client,
        tools,
        messages,
        maxToolRounds,
        signal: task.signal,
        emit: (part) => task.onEvent?.(part),
        log,
      });
      const usage = result.usage
        ? ` (tokens: ${result.usage.inputTokens} in, ${result.usage.outputTokens} out)`
        : '';
      log(
        result.ok
          ? `\n[ai-collab] step succeeded${usage}\n`
          : `\n[ai-collab] step failed: ${result.failure.code} ${result.failure.message}${usage}\n`,
      );
      return result;
    } finally {
      transcript.write(Buffer.from(redactor.end()));
      await transcript.close();
    }
  }

  return { name: spec.name, run };
}

function systemPrompt(spec: OpenAiSpec, task: AgentTask, readOnly: boolean): string {
  const lines = [
    'You are a coding agent working on the files of one workspace directory. You act only through the tools you are given; there is no shell, so you cannot run commands or tests.',
    'Paths are relative to the workspace root; absolute paths, paths outside the workspace and .git are refused.',
    readOnly
      ? 'This step only reads: look at the files you need and answer. You cannot change files.'
      : 'Make the changes the task asks for with write_file (whole files) or edit_file (one exact, unique replacement). Read a file before you edit it.',
    'When you are done, answer with a short summary of what you did or found, without calling tools.',
  ];
  if (task.step.action) lines.push(`This step's action: ${task.step.action}.`);
  if (task.step.target) lines.push(`Its target: ${task.step.target}.`);
  if (spec.appendSystemPrompt) lines.push(spec.appendSystemPrompt);
  return lines.join('\n');
}
