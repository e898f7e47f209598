import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { apiKeyEnvironment, secretKeyOf } from '../../src/config/api-keys.js';
import { buildConfigOverlay, overlayEnvironment } from '../../src/config/config-overlay.js';
import { usesAiCollab } from '../../src/config/workspace-markers.js';

test('settings map to the overlay keys the CLI reads', () => {
  const overlay = buildConfigOverlay({
    swarmSize: 5,
    consensusThreshold: 0.75,
    reviewers: ['alpha', ' beta ', ''],
    approvalPolicy: 'auto',
  });
  assert.deepEqual(overlay, {
    review: { swarmSize: 5, threshold: 0.75, reviewers: ['alpha', 'beta'] },
    approval: { policy: 'auto' },
  });
  assert.deepEqual(JSON.parse(overlayEnvironment(overlay).AI_COLLAB_CONFIG_JSON ?? ''), overlay);
});

test('only settings the user set become keys: nothing set, no variable at all', () => {
  assert.deepEqual(buildConfigOverlay({}), {});
  assert.deepEqual(
    buildConfigOverlay({ swarmSize: null, consensusThreshold: null, reviewers: [], approvalPolicy: null }),
    {},
  );
  assert.deepEqual(overlayEnvironment({}), {});
  assert.deepEqual(buildConfigOverlay({ approvalPolicy: 'never' }), { approval: { policy: 'never' } });
});

test('values the schema would refuse are left out rather than sent', () => {
  assert.deepEqual(
    buildConfigOverlay({ swarmSize: 2.5, approvalPolicy: 'sometimes', consensusThreshold: Number.NaN }),
    {},
  );
  assert.deepEqual(buildConfigOverlay({ swarmSize: 0 }), {});
});

test('API keys come from SecretStorage under aiCollab.env.<NAME>, only for valid names that are set', async () => {
  const store = new Map([
    [secretKeyOf('OPENAI_API_KEY'), 'sk-openai'],
    [secretKeyOf('MY_KEY'), 'custom'],
    [secretKeyOf('bad name'), 'x'],
  ]);
  const environment = await apiKeyEnvironment({ get: async (key) => store.get(key) }, [
    'OPENAI_API_KEY',
    'ANTHROPIC_API_KEY',
    'MY_KEY',
    'bad name',
  ]);
  assert.deepEqual(environment, { OPENAI_API_KEY: 'sk-openai', MY_KEY: 'custom' });
});

test('a folder uses ai-collab when it has a config file or a state directory; others start nothing on open', () => {
  const plain = mkdtempSync(join(tmpdir(), 'ai-collab-markers-'));
  assert.equal(usesAiCollab(plain), false);
  writeFileSync(join(plain, 'ai-collab.config.yaml'), 'agents: {}\n');
  assert.equal(usesAiCollab(plain), true);
  const used = mkdtempSync(join(tmpdir(), 'ai-collab-markers-'));
  mkdirSync(join(used, '.ai-collab'));
  assert.equal(usesAiCollab(used), true);
  rmSync(plain, { recursive: true });
  rmSync(used, { recursive: true });
});
