import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../../src/config/load-config.js';
import { InputError } from '../../../src/support/errors.js';
import { tempDir } from '../../support/temp-dir.js';

test('without files the defaults apply', () => {
  const home = tempDir();
  const config = loadConfig(tempDir(), { HOME: home });
  assert.equal(config.concurrency, undefined);
  assert.equal(config.killGraceMs, 5_000);
  assert.deepEqual(config.sources, []);
});

test('the workspace file overrides the user file key by key', () => {
  const workspace = tempDir();
  const home = tempDir();
  mkdirSync(join(home, '.config', 'ai-collab'), { recursive: true });
  writeFileSync(
    join(home, '.config', 'ai-collab', 'config.yaml'),
    'concurrency: 2\nkillGrace: 1s\nagents:\n  shell: { passEnv: [A] }\n',
  );
  writeFileSync(
    join(workspace, 'ai-collab.config.yaml'),
    'concurrency: 6\nagents:\n  shell: { concurrency: 3, passEnv: [B] }\n',
  );
  const config = loadConfig(workspace, { HOME: home });
  assert.equal(config.concurrency, 6);
  assert.equal(config.killGraceMs, 1_000);
  assert.deepEqual(config.agents.shell, { concurrency: 3, passEnv: ['A', 'B'] });
  assert.equal(config.sources.length, 2);
});

test('an invalid config names the file and the key', () => {
  const workspace = tempDir();
  writeFileSync(
    join(workspace, 'ai-collab.config.yaml'),
    'concurency: 2\nagents:\n  shell: { concurrency: 0 }\nkillGrace: soon\n',
  );
  assert.throws(
    () => loadConfig(workspace, { HOME: tempDir() }),
    (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.equal(error.code, 'CONFIG_INVALID');
      const text = error.problems.join('\n');
      assert.match(text, /ai-collab\.config\.yaml \(root\): unknown key\(s\) "concurency"/);
      assert.match(text, /agents\.shell\.concurrency: Too small/i);
      assert.match(text, /killGrace: "soon" is not a duration/);
      return true;
    },
  );
});

test('AI_COLLAB_CONFIG_JSON overrides the files, and a bad one names the variable and the key', () => {
  const workspace = tempDir();
  writeFileSync(join(workspace, 'ai-collab.config.yaml'), 'concurrency: 6\napproval: { policy: never }\n');
  const config = loadConfig(workspace, {
    HOME: tempDir(),
    AI_COLLAB_CONFIG_JSON: '{"approval":{"policy":"always"}}',
  });
  assert.equal(config.concurrency, 6);
  assert.equal(config.approval.policy, 'always');
  assert.throws(
    () => loadConfig(workspace, { HOME: tempDir(), AI_COLLAB_CONFIG_JSON: '{"concurrency":0}' }),
    (error: unknown) =>
      error instanceof InputError &&
      /AI_COLLAB_CONFIG_JSON \(environment\) concurrency/.test(error.problems.join('\n')),
  );
  assert.throws(
    () => loadConfig(workspace, { HOME: tempDir(), AI_COLLAB_CONFIG_JSON: '{oops' }),
    (error: unknown) => error instanceof InputError && /not valid JSON/.test(error.problems.join('\n')),
  );
});
