import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { z } from 'zod';
import { adapterDescriptors, adapterKinds } from '../../../src/agents/adapters.js';
import { defaultConfig } from '../../../src/config/config-schema.js';
import { resolveAgents } from '../../../src/config/resolve-agents.js';

const manifest = z
  .object({ dependencies: z.record(z.string(), z.string()) })
  .parse(JSON.parse(readFileSync(new URL('../../agent-clis/package.json', import.meta.url), 'utf8')));

test('the CLIs the tests install are exactly the descriptors’ test CLIs, each pinned to an exact version', () => {
  const named = adapterKinds.flatMap((kind) => {
    const cli = adapterDescriptors[kind].testCli;
    return 'package' in cli ? [cli.package] : [];
  });
  assert.deepEqual([...new Set(named)].sort(), Object.keys(manifest.dependencies).sort());
  for (const version of Object.values(manifest.dependencies)) assert.match(version, /^\d+\.\d+\.\d+$/);
});

test('each descriptor lists its contract for each of its modes (or `default` when it has none)', () => {
  for (const kind of adapterKinds) {
    const { modes, contract } = adapterDescriptors[kind];
    assert.deepEqual(Object.keys(contract), modes.length > 0 ? [...modes] : ['default'], kind);
  }
});

test('a mode of another adapter makes the agent unusable, naming the key and the modes it takes', () => {
  const specs = resolveAgents({ ...defaultConfig, agents: { claude: { mode: 'exec' } } }, { PATH: '' });
  const claude = specs.get('claude');
  assert.equal(claude?.adapter, 'claude');
  assert.match(
    claude?.unavailable?.reason ?? '',
    /agents\.claude\.mode does not apply to the claude adapter/,
  );
  assert.match(claude?.unavailable?.reason ?? '', /claude modes: stream, oneshot/);
  assert.equal(claude?.unavailable?.fix, 'fix or remove agents.claude.mode in ai-collab.config.yaml');
});
