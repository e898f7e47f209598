import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Unavailable } from '../../../src/agents/adapter-descriptor.js';
import type { Agent } from '../../../src/agents/agent.js';
import { AgentRegistry } from '../../../src/agents/registry.js';
import { UsabilityCache } from '../../../src/agents/usability-cache.js';
import { FakeClock } from '../../support/fake-clock.js';

const gone: Unavailable = {
  reason: 'the /opt/claude command was not found on PATH',
  fix: 'npm install -g @anthropic-ai/claude-code',
};

/** A check that answers what `state.answer` says and counts how often it was asked. */
function countingCheck(state: { answer: Unavailable | undefined; calls: number }) {
  return () => {
    state.calls++;
    return state.answer;
  };
}

const idle: Agent = { name: 'claude', run: async () => ({ ok: true, output: '' }) };

test('the usability answer stands for its validity, then is asked again; refresh always asks', async () => {
  const clock = new FakeClock();
  const state = { answer: undefined as Unavailable | undefined, calls: 0 };
  const cache = new UsabilityCache(countingCheck(state), clock, 1_000);
  for (let index = 0; index < 100; index++) assert.equal(cache.current(), undefined);
  assert.equal(state.calls, 1, 'a hundred questions in one moment cost one check');
  state.answer = gone;
  await clock.advance(999);
  assert.equal(cache.current(), undefined, 'the answer still stands');
  await clock.advance(1);
  assert.deepEqual(cache.current(), gone, 'once it has expired the agent is checked again');
  assert.equal(state.calls, 2);
  state.answer = undefined;
  assert.equal(cache.refresh(), undefined, 'refresh does not wait for the answer to expire');
  assert.equal(cache.current(), undefined);
  assert.equal(state.calls, 3);
});

test('the registry hands out an agent only while it is usable, and says why not in doctor’s words', () => {
  const clock = new FakeClock();
  const state = { answer: undefined as Unavailable | undefined, calls: 0 };
  const registry = new AgentRegistry()
    .register('claude', idle, { usability: new UsabilityCache(countingCheck(state), clock) })
    .register('shell', { ...idle, name: 'shell' });
  assert.equal(registry.get('claude'), idle);
  assert.equal(registry.unavailableReason('claude'), undefined);
  state.answer = gone;
  assert.equal(registry.get('claude'), idle, 'within the validity the last answer stands');
  assert.equal(registry.recheck('claude'), undefined, 'a recheck sees the CLI gone at once');
  assert.equal(registry.get('claude'), undefined);
  assert.equal(
    registry.unavailableReason('claude'),
    'agent "claude" cannot run: the /opt/claude command was not found on PATH; npm install -g @anthropic-ai/claude-code',
  );
  assert.ok(registry.has('claude'), 'still a name plans may use');
  state.answer = undefined;
  assert.equal(registry.recheck('claude'), idle, 'reinstalled, it is usable again');
  // An agent with nothing to check (shell) is always handed out.
  assert.equal(registry.recheck('shell')?.name, 'shell');
});
