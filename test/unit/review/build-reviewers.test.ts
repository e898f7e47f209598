import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Agent, AgentResult, AgentTask } from '../../../src/agents/agent.js';
import type { AgentSpec } from '../../../src/agents/agent-spec.js';
import { ProviderLimiters } from '../../../src/limits/provider-limiter.js';
import { buildReviewers, defaultReviewerNames, providerKey } from '../../../src/review/build-reviewers.js';
import { resolveReviewSettings } from '../../../src/review/review-settings.js';
import { FakeClock } from '../../support/fake-clock.js';

function spec(name: string, overrides: Record<string, unknown> = {}): AgentSpec {
  // Test specs of any adapter: the adapter's own keys come with `overrides`.
  return {
    name,
    adapter: 'claude',
    command: `/usr/bin/${name}`,
    args: [],
    env: {},
    passEnv: [],
    pool: { size: 1, prewarm: 0, maxUses: 1, maxAgeMs: 1, maxMemoryBytes: 1, idleTimeoutMs: 1 },
    capabilities: ['execute', 'plan', 'review'],
    ...overrides,
  } as AgentSpec;
}

/** A CLI agent that answers each task with `answers` in turn. */
class AnsweringAgent implements Agent {
  readonly name: string;
  readonly tasks: AgentTask[] = [];
  readonly #answers: AgentResult[];

  constructor(name: string, answers: AgentResult[]) {
    this.name = name;
    this.#answers = answers;
  }

  async run(task: AgentTask): Promise<AgentResult> {
    this.tasks.push(task);
    return this.#answers[this.tasks.length - 1] ?? { ok: true, output: '' };
  }
}

const vote = '{"vote": "APPROVE", "confidence": 0.8, "reason": "ok", "evidence": ["return a + b;"]}';

test('openai agents become chat reviewers, CLIs one-call reviewers; what cannot review is named with the fix', () => {
  const specs = new Map<string, AgentSpec>([
    ['model', spec('model', { adapter: 'openai', baseUrl: 'https://api.example.com/v1/', apiKeyEnv: 'KEY' })],
    ['claude', spec('claude')],
    ['shell', spec('shell', { adapter: 'shell' })],
    [
      'gemini',
      spec('gemini', {
        adapter: 'gemini',
        unavailable: { reason: 'gemini is not installed', fix: 'npm i -g @google/gemini-cli' },
      }),
    ],
  ]);
  const limiters = new ProviderLimiters({ clock: new FakeClock() });
  const built = buildReviewers(
    ['model', 'claude', 'shell', 'gemini', 'nobody', 'model'],
    { specs, agents: { get: (name) => (name === 'claude' ? new AnsweringAgent('claude', []) : undefined) } },
    { clock: new FakeClock(), environment: {}, limiters },
    resolveReviewSettings({ limits: { 'https://api.example.com/v1': { requestsPerMinute: 120 } } }),
  );
  assert.deepEqual(
    built.reviewers.map((reviewer) => `${reviewer.name}:${reviewer.kind}`),
    ['model:chat', 'claude:agent'],
  );
  assert.equal(built.problems.length, 3);
  assert.match(built.problems[0] ?? '', /"shell" is a shell agent/);
  assert.match(built.problems[1] ?? '', /gemini is not installed; npm i -g/);
  assert.match(built.problems[2] ?? '', /"nobody" is not a known agent/);
  assert.equal(providerKey(specs.get('model') as AgentSpec), 'https://api.example.com/v1#KEY');
  assert.deepEqual(
    limiters.all().map((limiter) => limiter.name),
    ['https://api.example.com/v1#KEY', 'agent:claude'],
  );
});

test('default reviewers: the usable openai models that review, then one agent CLI per vendor', () => {
  const withModels = new Map<string, AgentSpec>([
    ['claude', spec('claude')],
    ['reviewer', spec('reviewer', { adapter: 'openai' })],
    [
      'offline',
      spec('offline', {
        adapter: 'openai',
        unavailable: { reason: 'HF_TOKEN is not set', fix: 'export it' },
      }),
    ],
    ['planner', spec('planner', { adapter: 'openai', capabilities: ['plan'] })],
  ]);
  assert.deepEqual(
    defaultReviewerNames(withModels),
    ['reviewer', 'claude'],
    'models first, then one CLI per vendor',
  );
  const cliOnly = new Map<string, AgentSpec>([
    ['shell', spec('shell', { adapter: 'shell' })],
    ['codex', spec('codex', { adapter: 'codex' })],
  ]);
  assert.deepEqual(defaultReviewerNames(cliOnly), ['codex']);
  const mixed = new Map<string, AgentSpec>([
    ['claude', spec('claude')],
    ['opus', spec('opus')],
    ['codex', spec('codex', { adapter: 'codex' })],
    ['gemini', spec('gemini', { adapter: 'gemini' })],
    ['acp:gemini', spec('acp:gemini', { adapter: 'acp' })],
  ]);
  assert.deepEqual(defaultReviewerNames(mixed), ['claude', 'codex', 'gemini'], 'opus is claude again');
  const acpOnly = new Map<string, AgentSpec>([['acp:gemini', spec('acp:gemini', { adapter: 'acp' })]]);
  assert.deepEqual(defaultReviewerNames(acpOnly), ['acp:gemini']);
  assert.deepEqual(defaultReviewerNames(new Map()), []);
});

test('a CLI reviewer gets one read-only analyze task in the step’s directory, and waits out its rate limit', async () => {
  const clock = new FakeClock();
  const agent = new AnsweringAgent('claude', [
    {
      ok: false,
      failure: { code: 'RATE_LIMITED', kind: 'transient', message: '429', resetAt: clock.now() + 30_000 },
    },
    { ok: true, output: `Looks right.\n${vote}` },
  ]);
  const built = buildReviewers(
    ['claude'],
    { specs: new Map([['claude', spec('claude')]]), agents: { get: () => agent } },
    {
      clock,
      environment: {},
      limiters: new ProviderLimiters({ clock }),
      logsDir: (runId) => `/logs/${runId}`,
    },
    resolveReviewSettings(),
  );
  const reviewer = built.reviewers[0];
  assert.ok(reviewer);
  const started = clock.now();
  const answer = await clock.runUntilSettled(
    reviewer.ask({
      evidence: '=== CHANGES ===\n+  return a + b;',
      runId: 'run-1',
      stepId: 'add',
      attempt: 2,
      cwd: '/worktrees/add',
      slot: 'claude',
      signal: new AbortController().signal,
    }),
  );
  assert.equal(clock.now() - started, 30_000, 'the retry waited for the reset');
  assert.deepEqual(answer, {
    result: { ok: true, text: `Looks right.\n${vote}` },
    calls: 1,
    requests: 2,
    rateLimited: 1,
  });
  const task = agent.tasks[1];
  assert.equal(task?.step.action, 'analyze');
  assert.equal(task?.workspace, '/worktrees/add');
  assert.equal(task?.stepId, 'add.review.claude');
  assert.equal(task?.logFile, '/logs/run-1/add.review.claude.2.log');
  assert.match(task?.step.prompt ?? '', /read-only review: do not change, create or delete any file/);
  assert.match(task?.step.prompt ?? '', /\+ {2}return a \+ b;/);
});
