// One step handed to an agent directly, as the engine hands it: its task, and what the agent reported
// while running it (stream parts, processes). Used by the tests that drive adapters without an engine.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentResult, AgentStreamPart, AgentTask, ProcessStartRecord } from '../../src/agents/agent.js';
import { defaultBackoff, type StepAction } from '../../src/protocol/plan-types.js';
import { tempDir } from './temp-dir.js';

export interface StepRun {
  task: AgentTask;
  parts: AgentStreamPart[];
  processes: ProcessStartRecord[];
  controller: AbortController;
  logFile: string;
  /** When `runStep` called `run` (epoch ms). */
  dispatchedAt: number;
}

export interface StepOptions {
  stepId?: string;
  attempt?: number;
  env?: Record<string, string>;
  action?: StepAction;
}

let stepCounter = 0;

/** A step in `workspace` (its transcript in the sibling `logs` directory), asking `prompt`. */
export function stepIn(workspace: string, prompt: string, options: StepOptions = {}): StepRun {
  stepCounter++;
  const stepId = options.stepId ?? `step-${stepCounter}`;
  const attempt = options.attempt ?? 1;
  const parts: AgentStreamPart[] = [];
  const processes: ProcessStartRecord[] = [];
  const controller = new AbortController();
  const logFile = join(workspace, '..', 'logs', `${stepId}.${attempt}.log`);
  const task: AgentTask = {
    runId: 'run-1',
    stepId,
    attempt,
    step: {
      id: stepId,
      label: stepId,
      agent: 'agent-under-test',
      needs: [],
      retries: 0,
      backoff: defaultBackoff,
      prompt,
      ...(options.env && { env: options.env }),
      ...(options.action && { action: options.action }),
    },
    workspace,
    logFile,
    signal: controller.signal,
    onProcessStarted: (record) => processes.push(record),
    onEvent: (part) => parts.push(part),
  };
  return { task, parts, processes, controller, logFile, dispatchedAt: 0 };
}

/** A workspace directory of its own (with a sibling logs directory). */
export function workspaceDir(): string {
  const workspace = join(tempDir('ai-collab-agent-ws-'), 'ws');
  mkdirSync(workspace);
  return workspace;
}

export async function runStep(agent: { run(task: AgentTask): Promise<AgentResult> }, step: StepRun) {
  step.dispatchedAt = Date.now();
  const result = await agent.run(step.task);
  return { result, elapsedMs: Date.now() - step.dispatchedAt };
}

export function failureOf(result: AgentResult) {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result).slice(0, 500)}`);
  return result.failure;
}
