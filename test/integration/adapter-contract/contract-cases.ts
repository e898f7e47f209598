// The contract every adapter keeps, as one list of cases (hono's common.case.test.ts): each case drives an
// adapter from contract-adapters.ts through a real step and asserts what a user of any adapter relies on.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { ContractCase } from '../../../src/agents/adapter-descriptor.js';
import type { AgentResult } from '../../../src/agents/agent.js';
import { waitFor } from '../../support/cli.js';
import { httpError, repeat, text } from '../../support/model-server/index.js';
import { liveTree, stepIn } from '../codex-harness.js';
import type { ContractAdapter } from './contract-adapters.js';

type Case = (adapter: ContractAdapter, t: TestContext) => Promise<void>;

function failureOf(result: AgentResult) {
  if (result.ok) throw new Error(`expected a failure, got success: ${result.output}`);
  return result.failure;
}

/** A step of this adapter: a prompt for a model, a command (`run`) for the shell. */
function stepFor(adapter: ContractAdapter, workspace: string, instruction: string) {
  const step = stepIn(workspace, instruction);
  if (adapter.kind === 'shell') {
    const { prompt: _prompt, ...definition } = step.task.step;
    step.task.step = { ...definition, run: instruction };
  }
  return step;
}

/** A step that writes `contract.txt` (the model's tool call, or the shell command) and then answers. */
async function writeStep(adapter: ContractAdapter, t: TestContext) {
  const content = 'written by the contract\n';
  let setupWorkspace = '';
  const { agent, workspace } = await adapter.setUp(t, (request) =>
    request.pendingToolResults.length > 0
      ? text('Created contract.txt. CONTRACT-DONE')
      : adapter.writeTurn(setupWorkspace, 'contract.txt', content),
  );
  setupWorkspace = workspace;
  const step = stepFor(adapter, workspace, adapter.writePrompt('contract.txt', content));
  const result = await agent.run(step.task);
  return { result, step, workspace, content };
}

async function failingStep(adapter: ContractAdapter, t: TestContext, status: number, message?: string) {
  const { agent, workspace } = await adapter.setUp(
    t,
    repeat(httpError(status, message ? { message } : {}), 20),
  );
  return failureOf(await agent.run(stepIn(workspace, 'Do something').task));
}

/** The cases written so far; `contractCases` in adapter-descriptor.ts lists every case of the contract. */
export const cases: Partial<Record<ContractCase, Case>> = {
  'writes-a-file': async (adapter, t) => {
    const { result, workspace, content } = await writeStep(adapter, t);
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(readFileSync(join(workspace, 'contract.txt'), 'utf8').trimEnd(), content.trimEnd());
  },
  'stream-parts-in-order': async (adapter, t) => {
    const { result, step } = await writeStep(adapter, t);
    assert.ok(result.ok, JSON.stringify(result));
    const types = step.parts.map((part) => part.type);
    assert.ok(
      types.every((type) => typeof type === 'string' && type !== 'unknown-line'),
      types.join(','),
    );
    const toolCall = types.indexOf('tool-call');
    const answer = step.parts.findIndex(
      (part) => part.type === 'text-delta' && part.text.includes('CONTRACT-DONE'),
    );
    assert.ok(toolCall >= 0, `a tool-call part arrived: ${types.join(',')}`);
    assert.ok(answer > toolCall, `the answer's text came after the tool call: ${types.join(',')}`);
  },
  'reports-usage': async (adapter, t) => {
    const { result } = await writeStep(adapter, t);
    assert.ok(result.ok, JSON.stringify(result));
    assert.ok((result.usage?.inputTokens ?? 0) > 0, JSON.stringify(result.usage));
    assert.ok((result.usage?.outputTokens ?? 0) > 0, JSON.stringify(result.usage));
  },
  'server-error': async (adapter, t) => {
    const problem = await failingStep(adapter, t, 500);
    assert.equal(problem.code, 'MODEL_ERROR', problem.message);
    assert.equal(problem.kind, 'transient');
  },
  'auth-failure': async (adapter, t) => {
    const problem = await failingStep(adapter, t, 401, 'invalid api key (scripted)');
    assert.equal(problem.code, 'AUTH_FAILED', problem.message);
    assert.equal(problem.kind, 'permanent');
  },
  'cancel-leaves-no-process': async (adapter, t) => {
    const { agent, server, workspace } = await adapter.setUp(t, [text('too late', { delayMs: 60_000 })]);
    const prompt = adapter.kind === 'shell' ? 'sleep 60' : 'Think for a long time';
    const step = stepFor(adapter, workspace, prompt);
    const running = agent.run(step.task);
    // A guard against a hang, not a bound: gemini takes over 20 s to reach the model on a loaded machine.
    const started =
      adapter.kind === 'shell' ? () => step.processes.length === 1 : () => server.modelRequests().length >= 1;
    await waitFor(started, 'the step to start', 180_000);
    step.controller.abort();
    const result = await running;
    assert.equal(failureOf(result).code, 'ABORTED');
    // A pooled worker may stay warm for the next step (its idle tree only); once the agent closes, nothing
    // the step ran on is left, pooled or not.
    await agent.close?.();
    for (const record of step.processes) {
      await waitFor(
        async () => (await liveTree(record)).length === 0,
        'the step process tree to end',
        60_000,
      );
    }
  },
};
