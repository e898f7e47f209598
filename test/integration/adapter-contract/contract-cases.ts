// The contract every adapter keeps, as one list of cases (hono's common.case.test.ts): each case drives an
// adapter from contract-adapters.ts through a real step and asserts what a user of any adapter relies on.
// These are the cases about what the model answers; contract-process-cases.ts holds those about processes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContractCase } from '../../../src/agents/adapter-descriptor.js';
import { httpError, type ModelServer } from '../../support/model-server/index.js';
import { type ProcessCase, processCases } from './contract-process-cases.js';
import { type Case, failingStep, writeStep } from './contract-steps.js';

/** The provider's wait, in seconds: in the `retry-after` header and in the words Google's APIs use. */
const resetSeconds = 2;
const rateLimitWithReset = httpError(429, {
  retryAfter: String(resetSeconds),
  message: `Rate limited (scripted). Please retry in ${resetSeconds}s.`,
});

/** When the server last answered a model call: the provider's clock for a reset it announced. */
function lastAnswerAt(server: ModelServer): number {
  const calls = server.requests.filter((request) => request.model && !request.model.auxiliary);
  return calls.at(-1)?.receivedAt ?? assert.fail('no model call was made');
}

const answerCases: Record<Exclude<ContractCase, ProcessCase>, Case> = {
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
  'rate-limit-with-reset': async (adapter, t) => {
    const { problem, server, finishedAt } = await failingStep(adapter, t, rateLimitWithReset);
    assert.deepEqual([problem.code, problem.kind, problem.apiStatus], ['RATE_LIMITED', 'transient', 429]);
    // The engine waits until then before the next attempt: no earlier than the provider said, counted
    // from its last answer, and not an invented wait of its own.
    const resetAt = problem.resetAt ?? assert.fail(`no reset in ${JSON.stringify(problem)}`);
    assert.ok(resetAt >= lastAnswerAt(server) + resetSeconds * 1_000, `${resetAt} is before the reset`);
    assert.ok(resetAt <= finishedAt + resetSeconds * 1_500, `${resetAt} is not the announced reset`);
  },
  'rate-limit-without-reset': async (adapter, t) => {
    const { problem } = await failingStep(adapter, t, httpError(429));
    assert.deepEqual([problem.code, problem.kind, problem.apiStatus], ['RATE_LIMITED', 'transient', 429]);
    // No reset was announced, so the step's own backoff decides when it runs again.
    assert.equal(problem.resetAt, undefined, problem.message);
  },
  'server-error': async (adapter, t) => {
    const { problem } = await failingStep(adapter, t, httpError(500));
    assert.equal(problem.code, 'MODEL_ERROR', problem.message);
    assert.equal(problem.kind, 'transient');
  },
  'auth-failure': async (adapter, t) => {
    const { problem } = await failingStep(
      adapter,
      t,
      httpError(401, { message: 'invalid api key (scripted)' }),
    );
    assert.equal(problem.code, 'AUTH_FAILED', problem.message);
    assert.equal(problem.kind, 'permanent');
    assert.match(problem.message, /invalid api key/i, 'the failure says what the provider said');
  },
  'usage-limit': async (adapter, t) => {
    const limit = adapter.usageLimit(Date.now() + 3 * 3_600_000);
    const { problem, server, finishedAt } = await failingStep(adapter, t, limit.turn);
    assert.deepEqual([problem.code, problem.kind], ['USAGE_LIMIT', limit.kind], problem.message);
    if (limit.reset === undefined) assert.equal(problem.resetAt, undefined, problem.message);
    else if ('at' in limit.reset) {
      // No earlier than the provider's reset; a CLI that shows it to the minute may round up to its end.
      const resetAt = problem.resetAt ?? assert.fail(`no reset in ${JSON.stringify(problem)}`);
      assert.ok(
        resetAt >= limit.reset.at && resetAt <= limit.reset.at + 60_000,
        `${resetAt}: ${problem.message}`,
      );
    } else {
      const resetAt = problem.resetAt ?? assert.fail(`no reset in ${JSON.stringify(problem)}`);
      assert.ok(resetAt >= lastAnswerAt(server) + limit.reset.afterMs, `${resetAt} is before the reset`);
      assert.ok(resetAt <= finishedAt + limit.reset.afterMs, `${resetAt} is after the reset`);
    }
  },
};

/** Every case of the contract, by the name `contractCases` in adapter-descriptor.ts gives it. */
export const cases: Record<ContractCase, Case> = { ...answerCases, ...processCases };
