import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { appServerArgs, execArgs } from '../../../../src/agents/codex/codex-args.js';
import { parseCodexConfig } from '../../../../src/agents/codex/codex-config-file.js';
import { planProvider } from '../../../../src/agents/codex/codex-provider.js';
import type { CodexSpec } from '../../../../src/agents/codex/codex-spec.js';

function spec(overrides: Partial<CodexSpec> = {}): CodexSpec {
  return {
    name: 'codex',
    adapter: 'codex',
    command: 'codex',
    args: [],
    env: {},
    passEnv: [],
    pool: { size: 1, prewarm: 0, maxUses: 1, maxAgeMs: 1, maxMemoryBytes: 1, idleTimeoutMs: 1 },
    capabilities: ['execute'],
    ...overrides,
  };
}

const noConfig = parseCodexConfig('');

describe('which provider codex uses, and capping its retries', () => {
  test('an endpoint in the agent configuration becomes a provider of our own, retries capped', () => {
    const plan = planProvider(spec({ baseUrl: 'http://127.0.0.1:9/v1', apiKeyEnv: 'MY_KEY' }), noConfig);
    assert.equal(plan.providerId, 'ai-collab');
    assert.deepEqual(plan.overrides, [
      'model_provider="ai-collab"',
      'model_providers.ai-collab.name="ai-collab"',
      'model_providers.ai-collab.base_url="http://127.0.0.1:9/v1"',
      'model_providers.ai-collab.wire_api="responses"',
      'model_providers.ai-collab.env_key="MY_KEY"',
      'model_providers.ai-collab.request_max_retries=2',
      'model_providers.ai-collab.stream_max_retries=1',
    ]);
  });

  test("codex's built-in provider cannot be configured, so its defaults stay (and nothing breaks it)", () => {
    const plan = planProvider(spec(), noConfig);
    assert.equal(plan.providerId, 'openai');
    assert.deepEqual(plan.overrides, []);
    assert.match(plan.uncappedBecause ?? '', /built-in provider "openai"/);
    assert.deepEqual(planProvider(spec({ args: ['--oss'] }), noConfig).overrides, []);
  });

  test('a provider defined in config.toml gets the caps, unless its table sets them', () => {
    const config = parseCodexConfig(
      [
        'model_provider = "azure" # ours',
        'model = "gpt-5.5"',
        '',
        '[model_providers.azure]',
        'name = "Azure"',
        'base_url = "https://example.openai.azure.com/openai"',
        'stream_max_retries = 7',
        '',
        '[profiles.fast]',
        'model_provider = "other"',
      ].join('\n'),
    );
    assert.deepEqual(planProvider(spec(), config).overrides, ['model_providers.azure.request_max_retries=2']);
  });

  test('a provider chosen in the agent args gets the caps; retries set there win', () => {
    const args = [
      '-c',
      'model_provider="mine"',
      '-c',
      'model_providers.mine.name="mine"',
      '--config=model_providers.mine.request_max_retries=0',
    ];
    assert.deepEqual(planProvider(spec({ args }), noConfig).overrides, [
      'model_providers.mine.stream_max_retries=1',
    ]);
  });

  test('a provider nobody defines is left alone: a half-defined provider makes codex refuse to start', () => {
    const plan = planProvider(spec(), parseCodexConfig('model_provider = "ghost"\n'));
    assert.deepEqual(plan.overrides, []);
    assert.match(plan.uncappedBecause ?? '', /not defined/);
  });

  test('a profile selected in config.toml names the provider', () => {
    const config = parseCodexConfig(
      'profile = "work"\n[profiles.work]\nmodel_provider = "corp"\n[model_providers."corp"]\nname = "corp"\n',
    );
    assert.deepEqual(planProvider(spec(), config).overrides, [
      'model_providers.corp.request_max_retries=2',
      'model_providers.corp.stream_max_retries=1',
    ]);
  });
});

describe('codex command lines', () => {
  test('exec: JSON events, our overrides before the agent args, the prompt on stdin', () => {
    const args = execArgs(spec({ model: 'gpt-5.5', args: ['-c', 'model_reasoning_effort="high"'] }), {
      workspace: '/w',
      overrides: ['model_provider="x"'],
    });
    assert.deepEqual(args, [
      'exec',
      '--json',
      '-c',
      'approval_policy="never"',
      '-c',
      'model_provider="x"',
      '-m',
      'gpt-5.5',
      '--skip-git-repo-check',
      '-s',
      'workspace-write',
      '-C',
      '/w',
      '-c',
      'model_reasoning_effort="high"',
      '-',
    ]);
  });

  test('exec resume: the options, then `resume <thread>`, then stdin', () => {
    const args = execArgs(spec({ sandbox: 'read-only' }), {
      workspace: '/w',
      overrides: [],
      resumeThreadId: 't-1',
    });
    assert.deepEqual(args.slice(-7), ['-s', 'read-only', '-C', '/w', 'resume', 't-1', '-']);
  });

  test('app-server: the overrides and the agent args', () => {
    assert.deepEqual(appServerArgs(spec({ args: ['--enable', 'x'] }), ['model_provider="x"']), [
      'app-server',
      '-c',
      'model_provider="x"',
      '--enable',
      'x',
    ]);
  });
});
