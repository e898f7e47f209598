import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { AgentRegistry } from '../../../src/agents/registry.js';
import { createPreflight } from '../../../src/cli/start-preflight.js';
import { defaultConfig } from '../../../src/config/config-schema.js';
import { resolveAgents } from '../../../src/config/resolve-agents.js';
import { choosePlanner } from '../../../src/plan/planner/plan-task.js';
import { InputError } from '../../../src/support/errors.js';
import { tempDir } from '../../support/temp-dir.js';
import { planOf } from '../../support/test-engine.js';

/** A PATH with claude, codex and gemini on it, and a HOME with no login of any of them. */
function machineWithClis(): { PATH: string; HOME: string } {
  const root = tempDir();
  const bin = join(root, 'bin');
  mkdirSync(bin);
  for (const cli of ['claude', 'codex', 'gemini']) {
    writeFileSync(join(bin, cli), '#!/bin/sh\nexit 0\n');
    chmodSync(join(bin, cli), 0o755);
  }
  mkdirSync(join(root, 'home'));
  return { PATH: bin, HOME: join(root, 'home') };
}

test('a CLI with no credentials is unusable with doctor’s reason and fix, so the planner is never offered it', () => {
  const environment = { ...machineWithClis(), OPENAI_API_KEY: 'sk-test' };
  const specs = resolveAgents(defaultConfig, environment);
  assert.equal(specs.get('codex')?.unavailable, undefined, 'codex has a key');
  assert.deepEqual(specs.get('claude')?.unavailable, {
    reason: 'no credentials for claude found',
    fix: 'set ANTHROPIC_API_KEY, or run claude once and log in',
  });
  assert.equal(specs.get('gemini')?.unavailable?.fix, 'set GEMINI_API_KEY');
  assert.equal(choosePlanner(specs, undefined).name, 'codex', 'claude is preferred, but cannot answer here');
  assert.throws(() => choosePlanner(specs, 'claude'), /cannot run: no credentials for claude found/);
  const configured = resolveAgents(
    { ...defaultConfig, agents: { claude: { env: { ANTHROPIC_API_KEY: 'sk-test' } } } },
    environment,
  );
  assert.equal(configured.get('claude')?.unavailable, undefined, 'a key in the agent’s own env counts');
});

test('the start pre-flight refuses steps on an unusable agent with its reason and fix, naming the steps', () => {
  const specs = resolveAgents(defaultConfig, machineWithClis());
  const agents = new AgentRegistry();
  const claude = specs.get('claude')?.unavailable;
  assert.ok(claude);
  agents.markUnavailable('claude', `agent "claude" cannot run: ${claude.reason}; ${claude.fix}`);
  const preflight = createPreflight({
    agents,
    review: { configured: false, problems: [], swarm: { usable: false } },
    reviewOff: true,
  });
  const plan = planOf([
    { id: 'edit', agent: 'claude' },
    { id: 'look', agent: 'claude' },
  ]);
  assert.throws(
    () => preflight(plan, plan.steps),
    (error: unknown) =>
      error instanceof InputError &&
      error.code === 'PLAN_INVALID' &&
      /no credentials for claude found; set ANTHROPIC_API_KEY.*\(steps: edit, look\)/.test(
        error.problems.join('\n'),
      ),
  );
});

test('a step whose unusable agent has a usable fallback passes the pre-flight with a warning; one without is refused', () => {
  const agents = new AgentRegistry();
  agents.markUnavailable('claude', 'agent "claude" cannot run: no credentials for claude found');
  agents.register('codex', { name: 'codex', run: async () => ({ ok: true, output: '' }) });
  const preflight = createPreflight({
    agents,
    review: { configured: false, problems: [], swarm: { usable: false } },
    reviewOff: true,
  });
  const moves = planOf([{ id: 'edit', agent: 'claude', fallback: ['codex'] }]);
  assert.deepEqual(preflight(moves, moves.steps), [
    'step edit: agent "claude" cannot run: no credentials for claude found; it runs on its fallback',
  ]);
  agents.setFallback('claude', ['codex']);
  const configured = planOf([{ id: 'look', agent: 'claude' }]);
  assert.equal(
    preflight(configured, configured.steps).length,
    1,
    "the agent's configured fallback counts too",
  );
  const stuck = planOf([{ id: 'edit', agent: 'claude', fallback: ['gemini'] }]);
  assert.throws(() => preflight(stuck, stuck.steps), InputError);
});
