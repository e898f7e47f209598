import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acpArgs, promptArgs } from '../../../../src/agents/gemini/gemini-args.js';
import type { GeminiSpec } from '../../../../src/agents/gemini/gemini-spec.js';

const spec = (overrides: Partial<GeminiSpec> = {}): GeminiSpec => ({
  name: 'gemini',
  adapter: 'gemini',
  command: 'gemini',
  args: [],
  env: {},
  passEnv: [],
  pool: { size: 1, prewarm: 0, maxUses: 1, maxAgeMs: 1, maxMemoryBytes: 1, idleTimeoutMs: 1 },
  capabilities: ['execute'],
  ...overrides,
});

test('prompt mode: stream-json, approval mode auto_edit unless configured, the model, extra args last', () => {
  assert.deepEqual(promptArgs(spec(), 'do it'), [
    '-p',
    'do it',
    '--output-format',
    'stream-json',
    '--approval-mode',
    'auto_edit',
  ]);
  assert.deepEqual(
    promptArgs(spec({ approvalMode: 'yolo', model: 'gemini-2.5-pro', args: ['--debug'] }), 'x'),
    [
      '-p',
      'x',
      '--output-format',
      'stream-json',
      '--approval-mode',
      'yolo',
      '-m',
      'gemini-2.5-pro',
      '--debug',
    ],
  );
});

test('ACP mode: --acp; only plan is passed on as an approval mode (ai-collab answers the rest)', () => {
  assert.deepEqual(acpArgs(spec()), ['--acp']);
  assert.deepEqual(acpArgs(spec({ model: 'm', approvalMode: 'auto_edit' })), ['--acp', '-m', 'm']);
  assert.deepEqual(acpArgs(spec({ approvalMode: 'plan' })), ['--acp', '--approval-mode', 'plan']);
});

test('ai-collab never trusts a folder on the user’s behalf', () => {
  for (const args of [promptArgs(spec(), 'x'), acpArgs(spec())]) assert.ok(!args.includes('--skip-trust'));
});
