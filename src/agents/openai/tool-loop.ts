/**
 * The conversation of one step: ask the model with the tools, run the tool calls it makes, send the
 * results back, until it answers without tools — or has asked for tools `maxToolRounds` times, which is
 * a permanent failure (a model looping on tools will not stop on a retry either).
 */
import type { AgentResult, AgentStreamPart, AgentUsage, StepFailure } from '../agent.js';
import { stoppedFailure } from '../agent-results.js';
import type { ChatClient } from './chat-client.js';
import type { ChatMessage } from './chat-types.js';
import { addUsage, agentUsageOf } from './chat-usage.js';
import type { WorkspaceTools } from './workspace-tools.js';

export interface ToolLoopOptions {
  client: ChatClient;
  tools: WorkspaceTools;
  messages: ChatMessage[];
  maxToolRounds: number;
  signal: AbortSignal;
  emit(part: AgentStreamPart): void;
  /** Transcript text; the caller masks the key. */
  log(text: string): void;
}

const transcriptPreviewChars = 2_000;

export async function runToolLoop(options: ToolLoopOptions): Promise<AgentResult> {
  const { client, tools, messages, signal, emit, log } = options;
  let usage: AgentUsage | undefined;
  const changed = new Set<string>();
  const details = (): { usage?: AgentUsage; filesChanged?: string[] } => ({
    ...(usage && { usage }),
    ...(changed.size > 0 && { filesChanged: [...changed] }),
  });
  const fail = (failure: StepFailure): AgentResult => ({ ok: false, failure, ...details() });

  for (let round = 1; ; round++) {
    log(`\n[round ${round}] `);
    const outcome = await client.complete({
      messages,
      tools: tools.definitions,
      signal,
      onText: (text) => emit({ type: 'text-delta', text: client.redact(text) }),
      onUnknownLine: (raw) => emit({ type: 'unknown-line', raw }),
      onWarning: (message) => {
        emit({ type: 'warning', message });
        log(`[warning] ${message}\n`);
      },
      transcript: log,
    });
    if (!outcome.ok) return fail(outcome.failure);
    // An abort that lands while the last bytes are parsed still stops the step: it must not write files.
    if (signal.aborted) return fail({ ...stoppedFailure });
    const { completion } = outcome;
    const roundUsage = agentUsageOf(completion.usage);
    usage = addUsage(usage, roundUsage);
    // Cumulative for the step, so a view that keeps the latest report shows the step's total.
    if (usage) emit({ type: 'usage-report', usage });
    if (completion.toolCalls.length === 0) {
      const problem = finishProblem(completion.finishReason, completion.text);
      if (problem?.kind === 'failure') return fail(problem.failure);
      if (problem?.kind === 'warning') {
        emit({ type: 'warning', message: problem.message });
        log(`[warning] ${problem.message}\n`);
      }
      return { ok: true, output: client.redact(completion.text), ...details() };
    }
    if (round > options.maxToolRounds) {
      return fail({
        code: 'AGENT_ERROR',
        kind: 'permanent',
        message: `too many tool rounds: the model still called tools after ${options.maxToolRounds} rounds; split the step or raise maxToolRounds`,
      });
    }
    messages.push({
      role: 'assistant',
      content: completion.text === '' ? null : completion.text,
      tool_calls: completion.toolCalls,
    });
    for (const call of completion.toolCalls) {
      if (signal.aborted) return fail({ ...stoppedFailure });
      const { name, arguments: argumentsText } = call.function;
      emit({ type: 'tool-call', id: call.id, name, input: parsedOrRaw(argumentsText) });
      log(`[tool-call ${call.id}] ${name} ${argumentsText.slice(0, transcriptPreviewChars)}\n`);
      const result = await tools.run(name, argumentsText);
      if (result.changed) changed.add(result.changed);
      emit({
        type: 'tool-result',
        id: call.id,
        output: client.redact(result.output),
        isError: result.isError,
      });
      log(
        `[tool-result ${call.id}${result.isError ? ' error' : ''}] ${result.output.slice(0, transcriptPreviewChars)}\n`,
      );
      messages.push({ role: 'tool', tool_call_id: call.id, content: result.output });
    }
  }
}

type FinishProblem = { kind: 'failure'; failure: StepFailure } | { kind: 'warning'; message: string };

function finishProblem(reason: string | undefined, text: string): FinishProblem | undefined {
  if (reason === 'content_filter') {
    const failure: StepFailure = {
      code: 'MODEL_ERROR',
      kind: 'permanent',
      message: "the provider's content filter stopped the answer",
    };
    return text === '' ? { kind: 'failure', failure } : { kind: 'warning', message: failure.message };
  }
  if (reason === 'length') return { kind: 'warning', message: 'the answer was cut off at the token limit' };
  if (text === '') return { kind: 'warning', message: 'the model ended the step with an empty answer' };
  return undefined;
}

function parsedOrRaw(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
