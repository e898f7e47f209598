/** Agents for server tests: one that runs on the real clock, writes a log and streams output as it goes. */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Agent, AgentResult, AgentStreamPart, AgentTask } from '../../src/agents/agent.js';

export interface TalkingStep {
  durationMs: number;
  /** Live output parts, sent one every few milliseconds while the step runs. */
  say?: string[];
  /** Typed stream parts (tool calls, usage…), sent after `say`, as an adapter would. */
  parts?: AgentStreamPart[];
  fail?: boolean;
  /** Fails as a transient error (retried when the step has retries left) rather than a permanent one. */
  transient?: boolean;
  output?: string;
  /** Fails on a usage limit that resets this many milliseconds from now (the step parks until then). */
  usageLimitResetsInMs?: number;
  /** Says the attempt runs on this worker, as the distributed mode's remote agent does. */
  worker?: { worker: string; host: string };
  /** Reports this usage with its result (what the run spends against its budget). */
  usage?: { inputTokens: number; outputTokens: number; costUsd: number };
}

/** Runs each step for its scripted time, printing to its log and to the live stream. */
export class TalkingAgent implements Agent {
  readonly name: string;
  readonly #script: (stepId: string, attempt: number) => TalkingStep;

  constructor(name: string, script: (stepId: string, attempt: number) => TalkingStep) {
    this.name = name;
    this.#script = script;
  }

  async run(task: AgentTask): Promise<AgentResult> {
    const plan = this.#script(task.stepId, task.attempt);
    if (plan.worker) task.onRemoteFact?.({ type: 'placed', ...plan.worker });
    mkdirSync(dirname(task.logFile), { recursive: true });
    appendFileSync(task.logFile, '');
    task.onProcessStarted({
      pid: process.pid,
      pgid: process.pid,
      startTime: '1',
      bootId: 'test',
      logFile: task.logFile,
    });
    const parts: AgentStreamPart[] = [
      ...(plan.say ?? []).map((text): AgentStreamPart => ({ type: 'text-delta', text })),
      ...(plan.parts ?? []),
    ];
    const pause = parts.length > 0 ? plan.durationMs / (parts.length + 1) : plan.durationMs;
    for (const part of parts) {
      await sleep(pause, task.signal);
      // The raw log: text as said, other parts as the JSON line a CLI would have printed.
      appendFileSync(task.logFile, part.type === 'text-delta' ? part.text : `${JSON.stringify(part)}\n`);
      task.onEvent?.(part);
    }
    await sleep(pause, task.signal);
    if (task.signal.aborted)
      return { ok: false, failure: { code: 'ABORTED', kind: 'transient', message: 'stopped' } };
    if (plan.usageLimitResetsInMs !== undefined)
      return {
        ok: false,
        failure: {
          code: 'USAGE_LIMIT',
          kind: 'usage-limit',
          message: 'five-hour usage limit reached',
          resetAt: Date.now() + plan.usageLimitResetsInMs,
        },
      };
    if (plan.fail)
      return {
        ok: false,
        failure: {
          code: 'EXIT_CODE',
          kind: plan.transient ? 'transient' : 'permanent',
          message: 'scripted failure',
        },
      };
    return {
      ok: true,
      output: plan.output ?? `${task.stepId} done`,
      ...(plan.usage && { usage: plan.usage }),
    };
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
