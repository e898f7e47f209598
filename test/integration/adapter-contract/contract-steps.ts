// The pieces the contract's cases share: a step for an adapter (a prompt, or the shell's command), the
// step that writes a file, a step the model fails, and the checks that a step's processes are gone.
import type { TestContext } from 'node:test';
import type { AgentResult, ProcessStartRecord } from '../../../src/agents/agent.js';
import { waitFor } from '../../support/cli.js';
import { repeat, type Turn, text } from '../../support/model-server/index.js';
import { liveTree, stepIn } from '../codex-harness.js';
import type { ContractAdapter } from './contract-adapters.js';

export type Case = (adapter: ContractAdapter, t: TestContext) => Promise<void>;

export function failureOf(result: AgentResult) {
  if (result.ok) throw new Error(`expected a failure, got success: ${result.output}`);
  return result.failure;
}

/** A step of this adapter: a prompt for a model, a command (`run`) for the shell. */
export function stepFor(adapter: ContractAdapter, workspace: string, instruction: string) {
  const step = stepIn(workspace, instruction);
  if (adapter.kind === 'shell') {
    const { prompt: _prompt, ...definition } = step.task.step;
    step.task.step = { ...definition, run: instruction };
  }
  return step;
}

/** What a step that must outlast the test does: the model thinks for a minute, the shell sleeps. */
export function slowInstruction(adapter: ContractAdapter): string {
  return adapter.kind === 'shell' ? 'sleep 60' : 'Think for a long time';
}

export const slowAnswer = text('too late', { delayMs: 60_000 });

/** A step that writes `contract.txt` (the model's tool call, or the shell command) and then answers. */
export async function writeStep(adapter: ContractAdapter, t: TestContext) {
  const content = 'written by the contract\n';
  let setupWorkspace = '';
  const { agent, server, workspace } = await adapter.setUp(t, (request) =>
    request.pendingToolResults.length > 0
      ? text('Created contract.txt. CONTRACT-DONE')
      : adapter.writeTurn(setupWorkspace, 'contract.txt', content),
  );
  setupWorkspace = workspace;
  const step = stepFor(adapter, workspace, adapter.writePrompt('contract.txt', content));
  const result = await agent.run(step.task);
  return { result, step, server, workspace, content };
}

/** A step whose every model call is answered with `turn` (the CLI's own retries included). */
export async function failingStep(adapter: ContractAdapter, t: TestContext, turn: Turn) {
  const { agent, server, workspace } = await adapter.setUp(t, repeat(turn, 20));
  const result = await agent.run(stepFor(adapter, workspace, 'Do something').task);
  return { problem: failureOf(result), server, finishedAt: Date.now() };
}

/** Waits until nothing is left of the processes a step ran on: each, its group and its descendants. */
export async function treesGone(records: readonly ProcessStartRecord[]): Promise<void> {
  for (const record of records) {
    await waitFor(async () => (await liveTree(record)).length === 0, 'the step process tree to end', 60_000);
  }
}
